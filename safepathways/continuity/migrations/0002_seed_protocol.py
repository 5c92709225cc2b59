"""Seed the emergency placement protocol (a council changes it without code) and postcode district centres.

The steps follow the seed's account (Camden's flow chart after a care home flooded: keep residents safe, find
solutions for displaced residents quickly) and the local contingency procedures in domain-reference §6.3; the
clocks are local practice, not statute, and are meant to be edited.
"""

from django.db import migrations

# (code, title, scope, owner role, hours, clock from, after, guidance)
STEPS = [
    ("safe_now", "Confirm everyone's immediate safety", "incident", "Contingency lead", 1, "start", None,
     "Account for every resident or person receiving care; call 999 where anyone is in danger."),
    ("list_people", "List everyone affected, with needs, risks and next of kin", "incident", "Contingency lead", 2,
     "start", "safe_now", "Include self-funders and people funded by other councils."),
    ("contact_family", "Contact the person's family or next of kin", "person", "Duty social worker", 4, "start",
     "list_people", "Tell them what happened, where the person is now and who to call."),
    ("find_placement", "Find a placement", "person", "Duty social worker", 12, "start", "list_people",
     "Use the ranked options from current vacancies; reserve the bed."),
    ("transport", "Arrange transport", "person", "Duty social worker", 24, "start", "find_placement", ""),
    ("medication_records", "Transfer medication and records", "person", "Care provider", 24, "start",
     "find_placement", "Medication, MAR charts, care plans and equipment go with the person."),
    ("welfare_check", "Welfare check after the move", "person", "Social worker", 24, "move", "transport",
     "Visit or call within 24 hours of the move and record how the person is."),
    ("notify_cqc", "Notify the Care Quality Commission", "incident", "Provider quality officer", 24, "start",
     "safe_now", ""),
    ("notify_home_councils", "Notify the councils that fund people affected", "incident", "Contingency lead", 24,
     "start", "list_people", ""),
    ("review", "Hold the post-incident review", "incident", "Head of service", 672, "start", "welfare_check",
     "What happened, what worked, what to change; update this protocol."),
]

# Approximate centres (latitude, longitude) of north and central London postcode districts, for ranking only.
DISTRICTS = {
    "NW1": (51.535, -0.145), "NW2": (51.562, -0.217), "NW3": (51.553, -0.174), "NW5": (51.553, -0.143),
    "NW6": (51.542, -0.196), "NW8": (51.531, -0.170), "NW10": (51.541, -0.247), "NW11": (51.577, -0.196),
    "N1": (51.537, -0.098), "N2": (51.588, -0.165), "N3": (51.600, -0.193), "N4": (51.570, -0.104),
    "N5": (51.553, -0.099), "N6": (51.572, -0.147), "N7": (51.553, -0.117), "N8": (51.584, -0.118),
    "N10": (51.594, -0.145), "N16": (51.561, -0.077), "N19": (51.564, -0.130), "N22": (51.600, -0.110),
    "WC1": (51.522, -0.122), "WC2": (51.512, -0.123), "EC1": (51.524, -0.100), "W1": (51.515, -0.145),
}


def seed(apps, schema_editor):
    ProtocolStep = apps.get_model("continuity", "ProtocolStep")
    PostcodeDistrict = apps.get_model("continuity", "PostcodeDistrict")
    for order, (code, title, scope, role, hours, clock_from, after, guidance) in enumerate(STEPS, start=1):
        ProtocolStep.objects.get_or_create(
            code=code,
            defaults={
                "title": title, "scope": scope, "owner_role": role, "clock_hours": hours, "clock_from": clock_from,
                "after_id": after, "guidance": guidance, "order": order,
            },
        )
    for district, (latitude, longitude) in DISTRICTS.items():
        PostcodeDistrict.objects.get_or_create(district=district, defaults={"latitude": latitude, "longitude": longitude})


def unseed(apps, schema_editor):
    apps.get_model("continuity", "ProtocolStep").objects.all().delete()
    apps.get_model("continuity", "PostcodeDistrict").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("continuity", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
