from django.contrib import admin

from safepathways.discharges.models import DelayReason, DischargeSettings, HospitalRoute


@admin.register(DischargeSettings)
class DischargeSettingsAdmin(admin.ModelAdmin[DischargeSettings]):
    """The readmission window, office hours for the out-of-hours view and how far ahead it looks."""

    list_display = ["readmission_window_days", "working_day_starts", "working_day_ends", "out_of_hours_horizon_days"]


@admin.register(DelayReason)
class DelayReasonAdmin(admin.ModelAdmin[DelayReason]):
    """Delay reasons: the national wordings seeded, the legacy DTOC categories as local, more to add."""

    list_display = ["label", "is_national", "is_legacy", "is_active", "order"]
    list_editable = ["is_active", "order"]


@admin.register(HospitalRoute)
class HospitalRouteAdmin(admin.ModelAdmin[HospitalRoute]):
    """Which hospital social work team takes each trust's referrals."""

    list_display = ["hospital", "team"]
