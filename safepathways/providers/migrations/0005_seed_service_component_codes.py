"""Seed the service components with the list services used until now (providers.codes.ServiceComponent).

The CLD R1 Service_Component list is UNCONFIRMED (domain-reference.md §5.3): these are the V5-derived Interweave
components, and administrators add, relabel or retire them in the admin. Existing services hold these strings
already (or none), so they stay valid.
"""

from django.db import migrations

COMPONENTS = [
    "Reablement",
    "Short Term Nursing Care",
    "Short Term Residential Care",
    "Long Term Nursing Care",
    "Long Term Residential Care",
    "Home Support",
    "Day Support",
    "Meals",
    "Transport",
    "Equipment",
    "Direct Payment",
    "Shared Lives",
    "Community Supported Living",
    "Professional Support",
    "Learning/Education/Employment Support",
    "End of Life Care",
    "Emergency Support",
    "Other Short Term Support",
    "Other Long Term Support",
]


def seed(apps, schema_editor):
    ServiceComponentCode = apps.get_model("providers", "ServiceComponentCode")
    for order, code in enumerate(COMPONENTS):
        ServiceComponentCode.objects.get_or_create(code=code, defaults={"label": code, "order": order})


class Migration(migrations.Migration):
    dependencies = [("providers", "0004_service_component_codes")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
