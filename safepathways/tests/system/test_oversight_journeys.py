"""A provider concern raised, escalated to the level that suspends new placements, and a placement there refused,
in a real browser with axe-core on every page."""

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from safepathways.accounts.models import Organisation, OrganisationKind, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.oversight.models import PlacementSuspension
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Service
from safepathways.providers.tests.factories import LocationFactory, ProviderFactory, ServiceFactory
from safepathways.tests.system.test_journeys import assert_accessible, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture(autouse=True)
def _seeded_levels(transactional_db: None) -> None:
    """A transactional test ends by emptying every table, seeded ones included: seed them again (idempotent)."""
    importlib.import_module("safepathways.oversight.migrations.0002_seed_escalation_levels").seed(apps, None)


def test_a_concern_escalated_to_a_suspension_refuses_a_new_placement(
    page: Page, live_server: Any, social_worker: Persona, council: Organisation, make_persona: Callable[..., Persona]
) -> None:
    quality_team = Team.objects.create(
        organisation=council, name="Provider quality", slug="provider-quality", kind=TeamKind.PROVIDER_QUALITY
    )
    officer = make_persona(quality_team, Role.PROVIDER_QUALITY_OFFICER, name="Pat Singh")
    organisation = Organisation.objects.create(name="Rose Care Ltd", kind=OrganisationKind.CARE_PROVIDER)
    provider = ProviderFactory.create(name="Rose Care Ltd", organisation=organisation)
    LocationFactory.create(provider=provider, name="Rose House", cqc_location_id="1-900000001", registered_places=40)
    person: Person = PersonFactory.create(given_name="Ada", family_name="Lovell")
    ServiceFactory.create(person=person, team=social_worker.team)
    base, today = live_server.url, timezone.localdate()

    # The quality officer raises a concern about Rose House, linking Ada by her council reference.
    sign_in(page, base, officer.user.email)
    page.goto(f"{base}/oversight/")
    expect(page.locator("h1")).to_contain_text("Provider oversight")
    assert_accessible(page)
    page.get_by_role("link", name="Raise a provider concern").click()
    assert_accessible(page)
    page.get_by_label("Provider", exact=True).select_option(label="Rose Care Ltd")
    page.get_by_label("Location (optional)").select_option(label="Rose House (Rose Care Ltd)")
    page.get_by_label("Council staff").check()
    page.get_by_label("What is the concern about?").select_option(label="Medication")
    page.get_by_label("Describe the concern").fill("Medicines missed for three residents this week")
    page.get_by_label("People affected (optional)").fill(person.reference)
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.locator("h1")).to_contain_text("Rose House")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Ada Lovell")
    assert_accessible(page)

    # An empty decision is answered with an error summary.
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("This field is required")
    assert_accessible(page)

    # She escalates it to the provider concerns meeting, the level that suspends new placements.
    page.get_by_label("Level", exact=True).select_option(value="provider_concerns_meeting")
    page.get_by_label("Reason for the decision").fill("Second medication incident in a month")
    page.get_by_label("Actions agreed (optional)").fill("Improvement plan; pharmacist audit")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("New placements at Rose House are suspended")
    expect(page.locator("main")).to_contain_text("Level set: Provider concerns meeting")
    assert_accessible(page)
    assert PlacementSuspension.objects.count() == 1
    page.get_by_role("link", name="Rose House").first.click()
    expect(page.locator("main")).to_contain_text("New placements are suspended")
    assert_accessible(page)
    page.goto(f"{base}/oversight/vacancies/")
    assert_accessible(page)
    page.context.clear_cookies()

    # A social worker tries to place Ada at Rose House: refused with the reason.
    sign_in(page, base, social_worker.user.email)
    page.goto(f"{base}/people/{person.pk}/services/new/")
    page.get_by_label("Type of service (CLD)").select_option(value="Long Term Support: Residential Care")
    page.get_by_label("Location (optional)").select_option(label="Rose House (Rose Care Ltd)")
    page.locator("#start_on_day").fill(str(today.day))
    page.locator("#start_on_month").fill(str(today.month))
    page.locator("#start_on_year").fill(str(today.year))
    page.get_by_role("button", name="Record service").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("New placements at Rose House are suspended")
    assert_accessible(page)
    assert not Service.objects.filter(person=person, location__name="Rose House").exists()
