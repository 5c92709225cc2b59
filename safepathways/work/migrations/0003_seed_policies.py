"""Seed the local defaults an administrator can change: timescales, risk matrix and risk flags."""

from django.db import migrations

POLICIES = [("red", 7, 2), ("amber", 14, 10), ("green", 28, 20)]
FLAGS = [
    ("safeguarding", "Safeguarding concern", "red"),
    ("carer-breakdown", "Carer breakdown or at risk of breakdown", "amber"),
    ("recent-fall", "Recent fall", "amber"),
    ("hospital-discharge", "Recently discharged from hospital", "amber"),
    ("lives-alone", "Lives alone with no support", "amber"),
    ("no-heating-or-food", "No heating, food or water", "red"),
    ("end-of-life", "Nearing the end of life", "red"),
]


def seed(apps, schema_editor):
    PriorityPolicy = apps.get_model("work", "PriorityPolicy")
    RiskMatrix = apps.get_model("work", "RiskMatrix")
    RiskFlag = apps.get_model("work", "RiskFlag")
    for priority, contact_days, allocation_days in POLICIES:
        PriorityPolicy.objects.get_or_create(
            priority=priority,
            defaults={"contact_interval_days": contact_days, "allocation_working_days": allocation_days},
        )
    RiskMatrix.objects.get_or_create(id=1, defaults={"amber_from": 8, "red_from": 15})
    for code, label, minimum in FLAGS:
        RiskFlag.objects.get_or_create(code=code, defaults={"label": label, "minimum_priority": minimum})


class Migration(migrations.Migration):
    dependencies = [("work", "0002_waiting_list")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
