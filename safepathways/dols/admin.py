from django.contrib import admin

from safepathways.dols.models import BestInterestsAssessor, DolsSettings, ScreeningCriterion


@admin.register(DolsSettings)
class DolsSettingsAdmin(admin.ModelAdmin[DolsSettings]):
    """The LA (CASSR) code of the return (placeholder 000 until set), the renewal window and reminders."""

    list_display = ["la_code", "renewal_window_days", "conditions_review_days", "court_reminder_days", "team_slug"]


@admin.register(ScreeningCriterion)
class ScreeningCriterionAdmin(admin.ModelAdmin[ScreeningCriterion]):
    """The screening checklist in the style of the ADASS priority tool."""

    list_display = ["label", "level", "weight", "is_active", "order"]
    list_editable = ["level", "weight", "is_active", "order"]


@admin.register(BestInterestsAssessor)
class BestInterestsAssessorAdmin(admin.ModelAdmin[BestInterestsAssessor]):
    """The BIA roster: training, capacity and areas."""

    list_display = ["user", "current_until", "monthly_capacity", "is_active"]
    filter_horizontal = ["neighbourhoods"]
