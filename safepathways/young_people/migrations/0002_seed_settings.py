"""Seed the young people settings row with the local defaults (domain-reference §4.2: local practice, not statute)."""

from django.db import migrations


def seed(apps, schema_editor):
    YoungPeopleSettings = apps.get_model("young_people", "YoungPeopleSettings")
    YoungPeopleSettings.objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("young_people", "0001_young_people_and_care_leavers")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
