"""Seed the local safeguarding timescales an administrator can change (2 working days to decide).

The team slug is the synthetic borough's (borough/reference.py); a council renames it in the admin.
"""

from django.db import migrations


def seed(apps, schema_editor):
    SafeguardingSettings = apps.get_model("safeguarding", "SafeguardingSettings")
    SafeguardingSettings.objects.get_or_create(
        id=1, defaults={"decision_working_days": 2, "alert_review_days": 28, "team_slug": "safeguarding"}
    )


class Migration(migrations.Migration):
    dependencies = [("safeguarding", "0001_safeguarding_concerns_and_enquiries")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
