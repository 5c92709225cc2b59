from django.contrib import admin

from safepathways.referrals.models import FrontDoorSettings, RouteSetting


@admin.register(FrontDoorSettings)
class FrontDoorSettingsAdmin(admin.ModelAdmin[FrontDoorSettings]):
    """The screening timescales and the fallback team, edited by administrators."""

    list_display = ["screening_working_days", "urgent_screening_working_days", "default_team_slug"]


@admin.register(RouteSetting)
class RouteSettingAdmin(admin.ModelAdmin[RouteSetting]):
    """Which work each triage route opens, for which team."""

    list_display = ["route", "work_kind", "team_slug", "is_active"]
    list_editable = ["work_kind", "team_slug", "is_active"]
