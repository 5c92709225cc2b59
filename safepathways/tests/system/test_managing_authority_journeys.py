"""A care home (DoLS managing authority) asks for a standard authorisation on the web and follows its clock.

With JavaScript turned off (the journey must work without it), and axe-core on every page. Run with `pytest -m e2e`.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from safepathways.accounts.models import Organisation, OrganisationKind, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.dols.models import DolsRequest, RequestType
from safepathways.people.models import Person, Share
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.tests.factories import LocationFactory, ProviderFactory
from safepathways.tests.system.test_journeys import assert_accessible, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


def _fill_date(page: Page, name: str, day: date) -> None:
    page.locator(f"#{name}_day").fill(str(day.day))
    page.locator(f"#{name}_month").fill(str(day.month))
    page.locator(f"#{name}_year").fill(str(day.year))


def test_a_care_home_makes_an_urgent_request_and_sees_its_clock_without_javascript(
    no_js_context: BrowserContext,
    live_server: Any,
    council: Organisation,
    make_persona: Callable[..., Persona],
) -> None:
    # Given a care provider whose home is registered with the council, and a resident whose record is shared with it.
    dols_team = Team.objects.create(organisation=council, name="DoLS team", slug="dols", kind=TeamKind.DOLS)
    dols_lead = make_persona(dols_team, Role.DOLS_LEAD, name="Dana Lewis")
    provider_org = Organisation.objects.create(name="Rosewood Care Ltd", kind=OrganisationKind.CARE_PROVIDER)
    office = Team.objects.create(
        organisation=provider_org, name="Rosewood House office", slug="rosewood", kind=TeamKind.PARTNER
    )
    manager = make_persona(office, Role.PARTNER, name="Maria Lopez")
    LocationFactory.create(name="Rosewood House", provider=ProviderFactory.create(organisation=provider_org))
    resident: Person = PersonFactory.create(given_name="Edna", family_name="Pole", date_of_birth=date(1936, 5, 2))
    Share.objects.create(person=resident, organisation=provider_org, purpose="DoLS", shared_by=dols_lead.user)
    page = no_js_context.new_page()
    base, today = live_server.url, timezone.localdate()
    started = today - timedelta(days=1)

    # When the registered manager opens their DoLS requests: none yet.
    sign_in(page, base, manager.user.email)
    page.goto(f"{base}/dols/your-requests/")
    expect(page.locator("h1")).to_have_text("Your DoLS requests")
    expect(page.locator("tbody")).to_contain_text("not made any DoLS requests yet")
    assert_accessible(page)

    # And says they gave an urgent authorisation but forgets when it started.
    page.get_by_role("button", name="Make a DoLS request").click()
    assert_accessible(page)
    page.get_by_label("Who is the request for?").select_option(
        label=f"Edna Pole, born 2 May 1936 ({resident.reference})"
    )
    page.get_by_label("Care home or hospital").select_option(label="Rosewood House")
    page.locator("#id_is_urgent").check()  # "Yes"
    page.get_by_label("Purpose of the authorisation").fill("Locked front door; tries to leave at night")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date the urgent authorisation started")
    assert_accessible(page)
    assert not DolsRequest.objects.exists()

    # Then, with the date, the council receives it today and the clock runs to the urgent authorisation's end.
    _fill_date(page, "urgent_starts_on", started)
    page.get_by_label("Days the urgent authorisation lasts (1 to 7)").fill("7")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("sent to the council")
    expect(page.locator("h1")).to_contain_text("Edna Pole")
    expect(page.locator("main")).to_contain_text("Due in 6 days")
    assert_accessible(page)
    dols_request = DolsRequest.objects.get()
    assert (dols_request.request_type, dols_request.received_on) == (RequestType.URGENT, today)
    assert dols_request.assessments_due_on == started + timedelta(days=7)

    # And their list shows it with its clock.
    page.get_by_role("link", name="Back to your DoLS requests").click()
    expect(page.locator("tbody")).to_contain_text(dols_request.reference)
    expect(page.locator("tbody")).to_contain_text("Due in 6 days")
    assert_accessible(page)
