"""DoLS in a real browser: an urgent request from the front door, extended, then a standard authorisation.

axe-core runs on every page visited (helpers from test_journeys). Run with `pytest -m e2e`.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.dols import services
from safepathways.dols.models import BestInterestsAssessor, DolsRequest, RequestStatusName
from safepathways.people.models import Alert, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.tests.factories import LocationFactory
from safepathways.tests.system.test_journeys import assert_accessible, sign_in
from safepathways.work import services as work_services

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


def _fill_date(page: Page, name: str, day: Any) -> None:
    page.locator(f"#{name}_day").fill(str(day.day))
    page.locator(f"#{name}_month").fill(str(day.month))
    page.locator(f"#{name}_year").fill(str(day.year))


def test_urgent_request_is_extended_then_a_standard_authorisation_granted(
    page: Page, live_server: Any, council: Organisation, make_persona: Callable[..., Persona]
) -> None:
    # Given the front door has opened DoLS work for the DoLS team, and a BIA is on the roster.
    dols_team = Team.objects.create(organisation=council, name="DoLS team", slug="dols", kind=TeamKind.DOLS)
    lead = make_persona(dols_team, Role.DOLS_LEAD, name="Dana Lewis")
    bia = make_persona(dols_team, Role.BEST_INTERESTS_ASSESSOR, name="Bea Ingram")
    BestInterestsAssessor.objects.create(user=bia.user, current_until=timezone.localdate() + timedelta(days=300))
    person: Person = PersonFactory.create(given_name="Edna", family_name="Pole")
    LocationFactory.create(name="Rose House", cqc_location_id="1-999000001")
    work = work_services.open_work(
        person=person, kind="dols", team=dols_team, title="DoLS", by=None, story="Tries to leave; locked door"
    )
    base, today = live_server.url, timezone.localdate()

    # When the DoLS lead receives the urgent request from that work.
    sign_in(page, base, lead.user.email)
    page.goto(f"{base}/dols/people/{person.pk}/requests/new/?work={work.pk}")
    assert_accessible(page)
    page.get_by_label("Managing authority (care home or hospital)").select_option(label="Rose House")
    page.get_by_label("Urgent authorisation with a standard request").check()
    _fill_date(page, "received_on", today)
    page.locator("#id_is_urgent").check()
    _fill_date(page, "urgent_starts_on", today)
    page.get_by_label("Days the urgent authorisation lasts (1 to 7)").fill("7")
    page.get_by_role("button", name="Save request").click()
    expect(page.locator("h1")).to_contain_text("Edna Pole")
    assert_accessible(page)
    dols_request = DolsRequest.objects.get()
    assert dols_request.assessments_due_on == today + timedelta(days=7)

    # And extends the urgent authorisation by 7 days.
    page.get_by_label("Extend by how many days (1 to 7)").fill("7")
    page.locator("#id_extend-reason").fill("BIA visit booked for next week")
    page.get_by_role("button", name="Extend").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("extended")
    assert_accessible(page)
    dols_request.refresh_from_db()
    assert dols_request.assessments_due_on == today + timedelta(days=14)

    # Then, once assessed and signed off, grants a standard authorisation.
    services.screen_request(dols_request=dols_request, criteria=["person_objects"], by=lead.user)
    services.allocate_request(dols_request=dols_request, assessor=bia.user, by=lead.user)
    for assessment in dols_request.assessments.all():
        services.record_assessment(assessment=assessment, outcome=1, completed_on=today, by=bia.user)
    page.reload()
    _fill_date(page, "sign_off-signed_off_on", today)
    page.get_by_role("button", name="Sign off").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("signed off")
    assert_accessible(page)
    _fill_date(page, "grant-starts_on", today)
    _fill_date(page, "grant-ends_on", today + timedelta(days=400))
    page.get_by_label("Relevant person's representative").fill("June Pole")
    page.get_by_role("button", name="Grant authorisation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("at most 12 months")
    assert_accessible(page)
    _fill_date(page, "grant-ends_on", today + timedelta(days=300))
    page.get_by_role("button", name="Grant authorisation").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("granted")
    assert_accessible(page)
    dols_request.refresh_from_db()
    assert dols_request.status == RequestStatusName.GRANTED
    assert Alert.objects.filter(person=person, kind="dols_in_place").exists()

    # And the tracker shows it.
    page.goto(f"{base}/dols/")
    assert_accessible(page)
