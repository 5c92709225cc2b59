"""Seed the front door's local choices an administrator can change: screening timescales and routes.

Team slugs are those of the synthetic borough (borough/reference.py); a council renames them in the
admin. A blank slug sends the work to the person's neighbourhood team, or else the default team.
"""

from django.db import migrations

ROUTES = [
    # route, work kind, team slug
    ("ot_assessment", "ot_assessment", "ot-duty"),
    ("social_work_assessment", "assessment", ""),
    ("review", "review", ""),
    ("carers_assessment", "carers_assessment", ""),
    ("safeguarding", "safeguarding", "safeguarding"),
    ("dols", "dols", "dols"),
    ("hospital_discharge", "discharge", "hospital-royal-free"),
    ("transition", "transition", "transitions"),
    ("out_of_hours", "out_of_hours", "out-of-hours"),
]


def seed(apps, schema_editor):
    FrontDoorSettings = apps.get_model("referrals", "FrontDoorSettings")
    RouteSetting = apps.get_model("referrals", "RouteSetting")
    FrontDoorSettings.objects.get_or_create(
        id=1,
        defaults={"screening_working_days": 1, "urgent_screening_working_days": 0, "default_team_slug": "front-door"},
    )
    for route, work_kind, team_slug in ROUTES:
        RouteSetting.objects.get_or_create(route=route, defaults={"work_kind": work_kind, "team_slug": team_slug})


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_front_door_contacts")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
