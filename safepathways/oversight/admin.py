"""The escalation ladder and local settings are configuration: councils edit them in the admin."""

from django.contrib import admin
from django.http import HttpRequest

from safepathways.oversight.models import EscalationLevel, OversightSettings


@admin.register(EscalationLevel)
class EscalationLevelAdmin(admin.ModelAdmin[EscalationLevel]):
    list_display = ["order", "name", "suspends_placements_by_default", "review_days", "is_active"]
    ordering = ["order"]


@admin.register(OversightSettings)
class OversightSettingsAdmin(admin.ModelAdmin[OversightSettings]):
    list_display = ["__str__", "cluster_threshold", "cluster_window_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not OversightSettings.objects.exists()
