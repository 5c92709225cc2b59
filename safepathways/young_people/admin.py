from django.contrib import admin

from safepathways.young_people.models import YoungPeopleSettings


@admin.register(YoungPeopleSettings)
class YoungPeopleSettingsAdmin(admin.ModelAdmin[YoungPeopleSettings]):
    """Local timescales: tracker age, allocation, assessment, panel, the 17½ alarm and the care-leaver move window."""

    list_display = [
        "tracker_from_age",
        "allocation_from_months",
        "allocation_by_months",
        "assessment_by_months",
        "panel_months_before_18",
        "adult_plan_alarm_months",
        "care_leaver_move_window_months",
        "team_slug",
    ]
