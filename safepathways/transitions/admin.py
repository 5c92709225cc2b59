"""Transition settings and the checklists per kind of move are configuration: councils edit them in the admin.

A change to a checklist applies to plans started afterwards; plans already under way keep their own copy (ADR-014).
"""

from django.contrib import admin
from django.http import HttpRequest

from safepathways.transitions.models import ArrangementTemplate, TransitionSettings


@admin.register(TransitionSettings)
class TransitionSettingsAdmin(admin.ModelAdmin[TransitionSettings]):
    """The hours after a move before it is checked (default 72), and how the continuity sweep looks at services."""

    list_display = ["__str__", "post_move_check_hours", "service_gap_lookback_days", "next_service_grace_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not TransitionSettings.objects.exists()


@admin.register(ArrangementTemplate)
class ArrangementTemplateAdmin(admin.ModelAdmin[ArrangementTemplate]):
    """The practical arrangements each kind of move needs; essential ones hold readiness until they are in place,
    unless they are done after the move."""

    list_display = ["label", "kind", "code", "is_essential", "after_move", "order", "is_active"]
    list_editable = ["is_essential", "after_move", "order", "is_active"]
    list_filter = ["kind", "is_essential", "after_move", "is_active"]
    search_fields = ["label", "code"]
    ordering = ["kind", "order", "label"]
