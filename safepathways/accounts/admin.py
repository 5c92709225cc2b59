from typing import Any

from django import forms
from django.contrib import admin

from safepathways.accounts.models import Membership, Organisation, Team, User


class MembershipInline(admin.TabularInline[Membership, Any]):
    """A user's teams and roles: Membership.clean refuses a council-only role in a partner's team."""

    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    exclude = ["password", "user_permissions", "groups", "last_login"]
    inlines = [MembershipInline]


class OrganisationForm(forms.ModelForm[Organisation]):
    """The codes are taken in capitals without spaces, then checked against their formats (the models' validators)."""

    class Meta:
        model = Organisation
        fields = ["name", "kind", "ons_code", "ods_code", "is_this_council"]

    def clean_ons_code(self) -> str:
        return str(self.cleaned_data["ons_code"]).strip().upper()

    def clean_ods_code(self) -> str:
        return str(self.cleaned_data["ods_code"]).strip().upper()


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    form = OrganisationForm
    list_display = ["name", "kind", "ons_code", "ods_code", "is_this_council"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "slug", "kind", "organisation"]
