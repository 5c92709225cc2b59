"""Seed the discharge settings row and the delay reasons.

National: the six wordings confirmed from NHS England's acute discharge sitrep (PA analysis of the June 2023
data, Evening Standard 23 July 2023; domain-reference §3.3). The full list of 37 codes is UNCONFIRMED, so
administrators add the rest. Legacy: the delayed transfers of care (DTOC) categories collected until February
2020 (MTW FOI template citing NHS England), kept as local, editable categories.
"""

from django.db import migrations

SITREP = "NHS England acute discharge sitrep (June 2023 data)"
DTOC = "Legacy DTOC category (NHS England, to February 2020): local, editable"
REASONS = [
    # code, label, is_national, is_legacy, source
    (
        "p3_care_home_bed",
        "Awaiting availability of a bed in a residential or nursing home likely to be a permanent placement",
        True,
        False,
        SITREP,
    ),
    ("p2_rehab_bed", "Awaiting a rehabilitation bed in a community hospital or similar", True, False, SITREP),
    ("p1_care_at_home", "Awaiting resources to assess and start care at home", True, False, SITREP),
    ("medical_decision", "Awaiting a medical decision such as writing the discharge summary", True, False, SITREP),
    ("equipment_housing", "Awaiting community equipment and adaptations to housing", True, False, SITREP),
    ("disagreement", "Disagreement between patient or family and staff", True, False, SITREP),
    ("dtoc_assessment", "Awaiting completion of assessment", False, True, DTOC),
    ("dtoc_public_funding", "Awaiting public funding", False, True, DTOC),
    ("dtoc_nhs_care", "Awaiting further non-acute NHS care", False, True, DTOC),
    ("dtoc_residential_home", "Awaiting residential home placement", False, True, DTOC),
    ("dtoc_care_package", "Awaiting care package in own home", False, True, DTOC),
    ("dtoc_equipment", "Awaiting community equipment and adaptations", False, True, DTOC),
    ("dtoc_choice", "Patient or family choice", False, True, DTOC),
    ("dtoc_disputes", "Disputes", False, True, DTOC),
    ("dtoc_housing", "Housing", False, True, DTOC),
]


def seed(apps, schema_editor):
    DischargeSettings = apps.get_model("discharges", "DischargeSettings")
    DelayReason = apps.get_model("discharges", "DelayReason")
    DischargeSettings.objects.get_or_create(id=1)
    for order, (code, label, is_national, is_legacy, source) in enumerate(REASONS):
        DelayReason.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "is_national": is_national,
                "is_legacy": is_legacy,
                "source": source,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("discharges", "0001_hospital_discharge")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
