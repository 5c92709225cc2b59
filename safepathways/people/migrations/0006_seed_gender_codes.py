"""Seed the gender codes with the five the record used until now (people.codes.Gender).

The CLD R1 Gender strings are UNCONFIRMED (domain-reference.md §12): these follow the NHS Data Dictionary
"Person stated gender code" wording, and administrators add, relabel or retire codes in the admin. Existing
records hold these strings already, so they stay valid.
"""

from django.db import migrations

GENDERS = [
    # code (stored on the record), label
    ("Male", "Male"),
    ("Female", "Female"),
    ("Other", "Other (not listed)"),
    ("Not known", "Not known"),
    ("Not stated", "Not stated (person asked but declined)"),
]


def seed(apps, schema_editor):
    GenderCode = apps.get_model("people", "GenderCode")
    for order, (code, label) in enumerate(GENDERS):
        GenderCode.objects.get_or_create(code=code, defaults={"label": label, "order": order})


class Migration(migrations.Migration):
    dependencies = [("people", "0005_gender_codes")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
