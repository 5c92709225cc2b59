"""Seed the one settings row and a practical-arrangements checklist for each kind of move (local choices)."""

from django.db import migrations

# (code, label, essential) per kind of move. Councils edit these in the admin; they are practice, not statute.
CHECKLISTS = {
    "hospital_discharge": [
        ("transport", "Transport home arranged", True),
        ("medication", "Medication to take home and the medicines chart", True),
        ("equipment", "Equipment and adaptations in place", True),
        ("keys", "Keys or key safe code with the carers", True),
        ("care_start", "Care or reablement start time confirmed with the provider", True),
        ("gp", "GP sent the discharge summary", True),
        ("district_nurse", "District nurse informed", False),
        ("family", "Family or carer told the day and time", True),
        ("food_heating", "Food in and heating on at home", True),
    ],
    "child_to_adult": [
        ("assessment", "Care Act (transition) assessment completed", True),
        ("funding", "Adult support agreed at panel", True),
        ("health", "Health (continuing care) notified and screened", True),
        ("adult_worker", "Adult services worker allocated", True),
        ("young_person", "Young person told who their adult worker is", True),
        ("family", "Family or carers involved", True),
        ("education", "College or training provider informed", False),
    ],
    "care_leaver": [
        ("accommodation", "Settled accommodation confirmed", True),
        ("personal_adviser", "Personal adviser informed of the move", True),
        ("money", "Benefits, rent and setting-up money in place", True),
        ("utilities", "Gas, electricity and furniture arranged", True),
        ("gp", "Registered with a GP near the new home", False),
    ],
    "between_providers": [
        ("care_plan", "New provider has the care and support plan", True),
        ("handover", "Handover between the old and new provider", True),
        ("medication", "Medication and records transferred", True),
        ("care_start", "First visit or start time confirmed", True),
        ("family", "Family or carer told", True),
    ],
    "between_areas": [
        ("receiving_council", "Receiving council notified (Care Act s37)", True),
        ("assessment_sent", "Assessment and care plan sent to the receiving council", True),
        ("care_start", "Services in the new area start on the day of the move", True),
        ("gp", "Registered with a GP in the new area", True),
        ("transport", "Transport arranged", True),
        ("family", "Family or carer told", True),
    ],
    "into_care_home": [
        ("placement", "Care home has confirmed the room and the date", True),
        ("funding", "Funding agreed", True),
        ("medication", "Medication and records transferred", True),
        ("belongings", "Personal belongings packed and labelled", False),
        ("transport", "Transport arranged", True),
        ("gp", "GP informed", True),
        ("dols", "Deprivation of liberty considered", True),
        ("family", "Family or carer told", True),
    ],
    "out_of_care_home": [
        ("home_ready", "Home ready: heating, food and keys", True),
        ("equipment", "Equipment and adaptations in place", True),
        ("care_start", "Care start time confirmed with the provider", True),
        ("medication", "Medication and the medicines chart", True),
        ("gp", "GP and district nurse informed", True),
        ("family", "Family or carer told", True),
    ],
    "emergency_move": [
        ("safe_now", "Immediate safety confirmed", True),
        ("placement", "Placement confirmed for tonight", True),
        ("transport", "Transport arranged", True),
        ("medication", "Medication and records go with the person", True),
        ("family", "Family or carer told", True),
        ("day_team", "Day team handed over the next working day", True),
    ],
}


def seed(apps, schema_editor):
    TransitionSettings = apps.get_model("transitions", "TransitionSettings")
    ArrangementTemplate = apps.get_model("transitions", "ArrangementTemplate")
    TransitionSettings.objects.get_or_create(pk=1)
    for kind, rows in CHECKLISTS.items():
        for order, (code, label, essential) in enumerate(rows, start=1):
            ArrangementTemplate.objects.get_or_create(
                kind=kind, code=code, defaults={"label": label, "is_essential": essential, "order": order}
            )


def unseed(apps, schema_editor):
    apps.get_model("transitions", "ArrangementTemplate").objects.all().delete()
    apps.get_model("transitions", "TransitionSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("transitions", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
