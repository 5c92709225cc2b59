from django.contrib import admin

from safepathways.safeguarding.models import SafeguardingSettings


@admin.register(SafeguardingSettings)
class SafeguardingSettingsAdmin(admin.ModelAdmin[SafeguardingSettings]):
    """The local decision timescale, the alert review interval and the team that takes concerns."""

    list_display = ["decision_working_days", "alert_review_days", "team_slug"]

    def has_add_permission(self, request: object) -> bool:
        return not SafeguardingSettings.objects.exists()

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
