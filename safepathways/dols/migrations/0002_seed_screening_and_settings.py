"""Seed the DoLS settings row and the screening checklist in the style of the ADASS priority tool.

The criteria wording of the revised ADASS tool (11 April 2024) was not retrieved (domain-reference §1.6,
UNCONFIRMED); these are the typical triggers it and council versions use. Administrators edit them.
"""

from django.db import migrations

CRITERIA = [
    # code, label, level, weight
    ("person_objects", "The person objects or is trying to leave", "high", 5),
    ("family_objects", "Family or friends object, or a s21A challenge is likely", "high", 4),
    ("restraint_or_covert_medication", "Physical restraint, sedation or covert medication is used", "high", 5),
    ("new_placement", "New placement or recent move", "high", 3),
    ("safeguarding_concern", "A safeguarding concern is open", "high", 4),
    ("urgent_expiring", "An urgent authorisation is about to expire", "high", 5),
    ("contact_restricted", "Restrictions on contact with family or friends", "medium", 3),
    ("change_in_restrictions", "Restrictions have increased since the last authorisation", "medium", 2),
    ("settled_no_objection", "Settled placement with no objection", "low", 1),
    ("end_of_life", "The person is at the end of life or immobile", "low", 1),
]


def seed(apps, schema_editor):
    DolsSettings = apps.get_model("dols", "DolsSettings")
    ScreeningCriterion = apps.get_model("dols", "ScreeningCriterion")
    DolsSettings.objects.get_or_create(id=1)
    for order, (code, label, level, weight) in enumerate(CRITERIA):
        ScreeningCriterion.objects.get_or_create(
            code=code, defaults={"label": label, "level": level, "weight": weight, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("dols", "0001_dols_requests_and_court_cases")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
