"""Young people in a real browser: a 14th birthday puts someone on the tracker; a care leaver moving soon is flagged.

axe-core runs on every page visited (helpers from test_journeys). Run with `pytest -m e2e`.
"""

import importlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.tests.system.test_journeys import assert_accessible, sign_in
from safepathways.young_people.milestones import Milestone, add_years
from safepathways.young_people.models import AccommodationStatus, MilestoneRecord
from safepathways.young_people.tests.factories import YoungPersonFactory, born

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture(autouse=True)
def _seeded_settings(transactional_db: None) -> None:
    """A transactional test ends by emptying every table, seeded ones included: seed them again (idempotent)."""
    importlib.import_module("safepathways.young_people.migrations.0002_seed_settings").seed(apps, None)


@pytest.fixture
def transitions_worker(make_persona: Callable[..., Persona], council: Organisation) -> Persona:
    team = Team.objects.create(organisation=council, name="Transitions", slug="transitions", kind=TeamKind.TRANSITIONS)
    return make_persona(team, Role.SOCIAL_WORKER, name="Tom Byrne")


def _fill_date(page: Page, name: str, day: Any) -> None:
    page.locator(f"#{name}_day").fill(str(day.day))
    page.locator(f"#{name}_month").fill(str(day.month))
    page.locator(f"#{name}_year").fill(str(day.year))


def test_a_young_person_appears_on_the_tracker_on_their_14th_birthday(
    page: Page, live_server: Any, transitions_worker: Persona
) -> None:
    # Given children's services told us about two young people, one 14 today and one 14 tomorrow.
    today = timezone.localdate()
    young_person = YoungPersonFactory.create(
        person__given_name="Amira", person__family_name="Hussain", person__date_of_birth=add_years(today, -14)
    )
    YoungPersonFactory.create(
        person__given_name="Bilal",
        person__family_name="Tomorrow",
        person__date_of_birth=add_years(today, -14) + timedelta(days=1),
    )
    base = live_server.url

    # When the transitions worker opens the tracker.
    sign_in(page, base, transitions_worker.user.email)
    page.goto(f"{base}/young-people/")
    assert_accessible(page)

    # Then Amira is on it with nothing run, and Bilal is not yet.
    tracker = page.locator("#tracker")
    expect(tracker).to_contain_text("Amira Hussain")
    expect(tracker).not_to_contain_text("Bilal Tomorrow")
    row = tracker.locator("tr", has_text="Amira Hussain")
    expect(row).to_contain_text("14")
    expect(row).to_contain_text("Health (ICB) told of likely continuing healthcare needs")

    # And her page shows the milestones worked out from her date of birth; telling health is recorded.
    page.get_by_role("link", name="Amira Hussain").click()
    expect(page.locator("h1")).to_contain_text("Amira Hussain")
    assert_accessible(page)
    page.get_by_text("Record a milestone").click()
    page.get_by_role("button", name="Save milestone").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Milestone", exact=True).select_option(Milestone.HEALTH_NOTIFIED.value)
    _fill_date(page, "milestone-done_on", today)
    page.get_by_role("button", name="Save milestone").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Milestone recorded")
    assert_accessible(page)
    assert MilestoneRecord.objects.filter(young_person=young_person, code=Milestone.HEALTH_NOTIFIED).exists()


def test_a_care_leaver_moving_in_six_weeks_with_no_settled_home_is_flagged(
    no_js_context: BrowserContext, live_server: Any, transitions_worker: Persona
) -> None:
    # Given a care leaver whose move is in six weeks, with nowhere settled to go; and someone else on the tracker.
    today = timezone.localdate()
    YoungPersonFactory.create(
        person__given_name="Cara",
        person__family_name="Leaver",
        person__date_of_birth=born(19),
        is_care_leaver=True,
        personal_adviser_name="Pat Adviser",
        planned_move_on=today + timedelta(days=42),
        accommodation_status=AccommodationStatus.UNSETTLED,
    )
    YoungPersonFactory.create(person__given_name="Dan", person__family_name="Settled", person__date_of_birth=born(15))
    base = live_server.url
    page = no_js_context.new_page()

    # When the transitions worker filters the tracker to care leavers, without JavaScript.
    sign_in(page, base, transitions_worker.user.email)
    page.goto(f"{base}/young-people/")
    expect(page.locator("#care-leavers-flagged")).to_have_text("1")
    page.get_by_label("Only care leavers").check()
    page.get_by_role("button", name="Filter").click()
    assert_accessible(page)

    # Then she is flagged red and nobody else is listed.
    tracker = page.locator("#tracker")
    row = tracker.locator("tr", has_text="Cara Leaver")
    expect(row.locator(".govuk-tag--red", has_text="Moves in 6 weeks: no settled accommodation")).to_have_count(1)
    expect(tracker).not_to_contain_text("Dan Settled")

    # And her page has the care leaver section, where the worker records the housing referral.
    page.get_by_role("link", name="Cara Leaver").click()
    expect(page.locator("#care-leaver")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("Record a housing duty referral").click()
    page.get_by_label("Housing authority referred to").fill("Camden housing options")
    _fill_date(page, "housing-made_on", today)
    page.get_by_role("button", name="Save referral").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Housing duty referral recorded")
    assert_accessible(page)
