"""The flood story in a real browser, with axe-core on every page: a 40-bed home floods at night; everyone is
listed, families contacted, people placed and welfare-checked, the incident closed and the review written."""

import importlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.continuity import services
from safepathways.continuity.models import AffectedPerson, Incident, IncidentStep, ProtocolStep
from safepathways.oversight import services as oversight
from safepathways.people.models import Contact, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Location
from safepathways.providers.tests.factories import LocationFactory, ServiceFactory
from safepathways.tests.system.test_journeys import assert_accessible, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

SEEDS = [
    "safepathways.transitions.migrations.0002_seed_checklists",
    "safepathways.continuity.migrations.0002_seed_protocol",
]


@pytest.fixture(autouse=True)
def _seeded(transactional_db: None) -> None:
    """A transactional test empties every table, seeded ones included: seed them again (idempotent)."""
    for name in SEEDS:
        importlib.import_module(name).seed(apps, None)
    for name in ("safepathways.oversight.migrations.0002_seed_escalation_levels",):
        module = importlib.import_module(name)
        if hasattr(module, "seed"):
            module.seed(apps, None)


def test_a_flooded_home_at_night(
    page: Page, live_server: Any, council: Organisation, social_worker: Persona, make_persona: Callable[..., Persona]
) -> None:
    contingency = Team.objects.create(
        organisation=council, name="Contingency planning", slug="contingency", kind=TeamKind.CONTINGENCY
    )
    lead = make_persona(contingency, Role.CONTINGENCY_LEAD, name="Cal Murray")
    home: Location = LocationFactory.create(
        name="Rose House", postcode="NW5 1AB", registered_places=40, location_type="care_home"
    )
    today = timezone.localdate()
    residents = []
    for n in range(40):
        person: Person = PersonFactory.create(
            given_name=f"Resident{n:02d}", family_name="Flood" if n else "Ames", postcode="NW5 1AB"
        )
        ServiceFactory.create(
            person=person,
            service_type="Long Term Support: Residential Care",
            provider=home.provider,
            location=home,
            team=social_worker.team,
            start_on=today - timedelta(days=200),
        )
        Contact.objects.create(
            person=person,
            kind="family",
            name=f"Family {n}",
            relationship="son",
            phone="020 7946 0100",
            address="1 Road, London N6 5AA",
            is_main_contact=True,
        )
        residents.append(person)
    for name, postcode, beds in (
        ("Heath View", "N6 4AA", 20),
        ("Covent Court", "WC2 8AB", 15),
        ("Primrose Lodge", "NW1 7AA", 10),
    ):
        location = LocationFactory.create(name=name, postcode=postcode, registered_places=30, cqc_rating="good")
        oversight.record_vacancy(
            location=location, bed_type="residential", available=beds, by=lead.user, source="staff"
        )
    base = live_server.url

    # 23:40: the contingency lead opens the incident; all 40 residents are listed at once.
    sign_in(page, base, lead.user.email)
    page.goto(f"{base}/continuity/incidents/new/")
    assert_accessible(page)
    page.get_by_label("Flood or severe weather").check()
    page.get_by_label("Short title").fill("Flood at Rose House")
    page.get_by_label("Location affected (optional for an area or a whole provider)").select_option(
        label=f"Rose House ({home.provider.name}, NW5 1AB)"
    )
    page.get_by_label("What happened").fill("Heavy rain; water through the ground floor at 23:40")
    started = timezone.localtime() - timedelta(minutes=20)
    page.locator("#started_on_day").fill(str(started.day))
    page.locator("#started_on_month").fill(str(started.month))
    page.locator("#started_on_year").fill(str(started.year))
    page.get_by_label("Time it started (24-hour clock, e.g. 23:40)").fill(started.strftime("%H:%M"))
    page.get_by_role("button", name="Open the incident").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("everyone affected is listed below")
    expect(page.locator("body")).to_contain_text("40, of whom 40 have no confirmed outcome yet")
    assert_accessible(page)
    incident = Incident.objects.get()

    # Everyone's immediate safety confirmed.
    page.get_by_role("button", name=re.compile(r"Mark done\W+Confirm\ everyone's\ immediate\ safety")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Done: Confirm everyone's immediate safety")

    # The first resident: family contacted, a bed held near the family, moved, welfare-checked.
    page.get_by_role("link", name="Resident00 Ames").click()
    assert_accessible(page)
    page.get_by_role(
        "button", name=re.compile(r"Mark done\W+Contact\ the\ person's\ family\ or\ next\ of\ kin")
    ).click()
    page.get_by_role("button", name=re.compile(r"Hold this bed\W+at Heath View")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Bed held at Heath View")
    page.get_by_label("Moved to a new placement").check()
    page.get_by_role("button", name="Confirm the outcome").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Outcome confirmed for Resident00 Ames")
    page.get_by_role("button", name=re.compile(r"Mark done\W+Welfare\ check\ after\ the\ move")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Done: Welfare check after the move")
    assert_accessible(page)

    # The other 39 are placed by the rest of the team overnight (through the same services).
    first = AffectedPerson.objects.get(incident=incident, person=residents[0])
    assert first.transition_plan is not None
    others = list(AffectedPerson.objects.filter(incident=incident).exclude(pk=first.pk).order_by("name"))
    homes = list(Location.objects.filter(name__in=["Heath View", "Covent Court", "Primrose Lodge"]).order_by("name"))
    for index, affected in enumerate(others):
        if index < 38:
            target = next(h for h in homes if h.vacancies.get(bed_type="residential").available > 0)
            services.reserve_bed(affected=affected, location=target, bed_type="residential", by=lead.user)
            services.record_outcome(affected=affected, by=lead.user, outcome="moved")
        else:
            services.record_outcome(affected=affected, by=lead.user, outcome="family", detail="With her son in N6")

    # The incident closes now nobody is without an outcome; then the review changes the protocol.
    page.goto(f"{base}/continuity/incidents/{incident.pk}/")
    page.get_by_role("button", name="Close the incident").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("closed")
    page.get_by_role("link", name="Write or read the post-incident review").click()
    assert_accessible(page)
    page.get_by_label("What happened").fill("A 40-bed home flooded at night; everyone was moved by 6am")
    page.get_by_label("What worked").fill("Vacancies were current; families were called within two hours")
    page.get_by_label("What to change").fill("Check flood defences at homes on low ground every autumn")
    page.get_by_text("Change the emergency placement protocol now (optional)").click()
    page.locator("#id_change-code").fill("flood_defences")
    page.locator("#id_change-title").fill("Check the provider's flood defences")
    page.get_by_label("Once for the incident").check()
    page.locator("#id_change-owner_role").fill("Provider quality officer")
    page.locator("#id_change-clock_hours").fill("168")
    page.get_by_label("From the start of the incident").check()
    page.locator("#id_change-after").select_option("review")
    page.locator("#id_change-reason").fill("Learning from the Rose House flood")
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Review saved and the protocol changed")
    assert ProtocolStep.objects.filter(code="flood_defences").exists()
    page.goto(f"{base}/continuity/protocol/")
    expect(page.locator("body")).to_contain_text("Check the provider's flood defences")
    assert_accessible(page)
    assert IncidentStep.objects.filter(incident=incident, code="welfare_check", done_at__isnull=False).count() == 1
