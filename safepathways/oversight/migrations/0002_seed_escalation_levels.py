"""Seed the default provider-concerns escalation ladder and the settings row (local choices, not statute).

The ladder is the typical one of local frameworks (domain-reference.md §6.4; level names UNCONFIRMED and vary
by council). Councils rename, re-word or add levels in the admin. `seed` is idempotent so transactional
browser tests can run it again after tables are emptied.
"""

from django.db import migrations

# (order, code, name, actions, suspends new placements by default, review days)
LEVELS = [
    (
        1,
        "routine_monitoring",
        "Routine monitoring",
        "Routine contract monitoring and quality assurance visits. Share low-level intelligence "
        "(Emerging Concerns Protocol).",
        False,
        90,
    ),
    (
        2,
        "emerging_concern",
        "Emerging concern",
        "Contract monitoring visit; the provider agrees an action plan; the quality officer checks progress.",
        False,
        28,
    ),
    (
        3,
        "provider_concerns_meeting",
        "Provider concerns meeting",
        "Multi-agency provider concerns meeting; improvement plan with dates; consider a voluntary or imposed "
        "suspension of new placements; tell commissioners and the ICB.",
        True,
        14,
    ),
    (
        4,
        "large_scale_enquiry",
        "Large-scale enquiry",
        "Large-scale (whole-service) safeguarding enquiry led by the council with CQC, the ICB and the police; "
        "new placements suspended; review of every person placed there; decision by the service director.",
        True,
        7,
    ),
    (
        5,
        "termination_or_closure",
        "Contract termination or closure",
        "Contract termination, or planned or emergency closure; move into the provider failure contingency plan "
        "(Care Act 2014 ss48-52 where the cause is business failure); plan moves for everyone placed there.",
        True,
        7,
    ),
]


def seed(apps, schema_editor):
    EscalationLevel = apps.get_model("oversight", "EscalationLevel")
    OversightSettings = apps.get_model("oversight", "OversightSettings")
    OversightSettings.objects.get_or_create(pk=1)
    for order, code, name, actions, suspends, review_days in LEVELS:
        EscalationLevel.objects.get_or_create(
            code=code,
            defaults={
                "order": order,
                "name": name,
                "actions": actions,
                "suspends_placements_by_default": suspends,
                "review_days": review_days,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("oversight", "EscalationLevel").objects.all().delete()
    apps.get_model("oversight", "OversightSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_escalation_suspensions_and_vacancies")]
    operations = [migrations.RunPython(seed, unseed)]
