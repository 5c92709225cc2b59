"""Partnerships are managed in the Django admin; the shared secret is written here and never shown back."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from safepathways.mutual_aid import services, signing
from safepathways.mutual_aid.models import OutboxMessage, Partnership


class PartnershipForm(forms.ModelForm[Partnership]):
    base_url = forms.URLField(
        label="Address of its Safe Pathways",
        assume_scheme="https",
        help_text="For example https://safepathways.barnet.example",
    )
    new_secret = forms.CharField(
        label="Shared secret",
        required=False,
        strip=True,
        min_length=32,
        widget=forms.PasswordInput(render_value=False),
        help_text="At least 32 characters, agreed with the other council. Leave empty to keep the current one "
        "(or, for a new partnership, to have one made and shown once).",
    )

    class Meta:
        model = Partnership
        fields: list[str] = ["name", "ons_code", "base_url", "key_id", "is_active", "contact_email"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin[Partnership]):
    """Councils this council has a mutual aid arrangement with, and how their instances are reached."""

    form = PartnershipForm
    list_display = ["name", "ons_code", "base_url", "key_id", "is_active"]

    def save_model(self, request: HttpRequest, obj: Partnership, form: Any, change: bool) -> None:
        secret = form.cleaned_data.get("new_secret") or ""
        by = request.user if request.user.is_authenticated else None
        if not change:
            obj.shared_secret = secret or signing.new_secret()
            obj.save()
            if not secret:
                messages.warning(
                    request,
                    f"Shared secret for {obj.name}, shown once: {obj.shared_secret} — give it to their "
                    "administrator by a secure route.",
                )
            return
        obj.save()
        if secret:
            services.set_partnership_secret(partnership=obj, shared_secret=secret, by=by)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    """Messages to partners and their delivery: read only (send_mutual_aid delivers them)."""

    list_display = ["created_at", "partnership", "type", "attempts", "next_attempt_at", "delivered_at", "rejected_at"]
    list_filter = ["partnership", "type"]
    readonly_fields = (
        "partnership",
        "type",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_error",
        "delivered_at",
        "rejected_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
