"""Safeguarding in a real Chromium: concern → s42 decision → enquiry → outcome → closed, axe-checked on every page.

Run apart from the rest of the suite: `pytest -m e2e safepathways/tests/system/test_safeguarding_journeys.py`.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.people.codes import AlertKind
from safepathways.people.models import Alert, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.safeguarding import services
from safepathways.safeguarding.models import Concern, ConcernStatusName
from safepathways.tests.system.test_journeys import assert_accessible, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture
def safeguarding_team(council: Organisation) -> Team:
    return Team.objects.create(
        organisation=council, name="Safeguarding adults", slug="safeguarding", kind=TeamKind.SAFEGUARDING
    )


@pytest.fixture
def lead(make_persona: Callable[..., Persona], safeguarding_team: Team) -> Persona:
    return make_persona(safeguarding_team, Role.SAFEGUARDING_LEAD, name="Sol Reyes")


@pytest.fixture
def concern(social_worker: Persona, safeguarding_team: Team) -> Concern:
    person: Person = PersonFactory.create(given_name="Edith", family_name="Crane", gender="Female")
    return services.raise_concern(
        person=person,
        by=social_worker.user,
        details=services.ConcernDetails(
            summary="Bruises on both arms; says a carer was rough with her",
            abuse_types=["physical"],
            location_of_risk="own_home",
            source_of_risk="known",
            immediate_actions="GP visit arranged today",
        ),
    )


def _fill_date(page: Page, name: str, day: date) -> None:
    page.locator(f"#{name}_day").fill(str(day.day))
    page.locator(f"#{name}_month").fill(str(day.month))
    page.locator(f"#{name}_year").fill(str(day.year))


def test_concern_to_s42_decision_to_enquiry_to_outcome(
    page: Page, live_server: Any, lead: Persona, concern: Concern
) -> None:
    base = live_server.url
    today = timezone.localdate()
    sign_in(page, base, lead.user.email)

    # Given a concern awaiting decision on the dashboard.
    page.goto(f"{base}/safeguarding/")
    expect(page.locator("h1")).to_have_text("Safeguarding adults")
    assert_accessible(page)
    page.get_by_role("link", name=concern.reference).click()
    expect(page.locator("h1")).to_contain_text("Edith Crane")
    assert_accessible(page)

    # When the lead records the s42(1) tests and decides on a section 42 enquiry.
    page.get_by_role("button", name="Decide whether the section 42 duty applies").click()
    assert_accessible(page)
    for name in ("has_care_and_support_needs", "is_experiencing_or_at_risk", "is_unable_to_protect_self"):
        page.locator(f"#id_{name}").check()
    page.locator("#id_care_and_support_needs_reason").fill("Home care twice a day")
    page.locator("#id_experiencing_or_at_risk_reason").fill("Bruising consistent with rough handling")
    page.locator("#id_unable_to_protect_self_reason").fill("Dementia: cannot refuse care")
    page.locator("#id_decision").check()
    page.locator("#id_decision_reason").fill("All three tests met")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Decision recorded")
    expect(page.locator("#decision")).to_have_text("Section 42 decision")
    assert_accessible(page)

    # And opens the enquiry: a start date before the decision is refused, naming the field.
    page.get_by_role("button", name="Open the enquiry").click()
    page.locator("#id_officer").select_option(label="Sol Reyes")
    _fill_date(page, "started_on", date(2000, 1, 3))
    page.get_by_role("button", name="Open enquiry").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot start before the decision")
    assert_accessible(page)
    _fill_date(page, "started_on", today)
    page.get_by_role("button", name="Open enquiry").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Enquiry opened")
    assert_accessible(page)

    # And records Making Safeguarding Personal.
    page.get_by_role("button", name="Making Safeguarding Personal").click()
    assert_accessible(page)
    page.locator("#id_msp_asked").check()
    page.locator("#id_desired_outcomes").fill("To feel safe at home")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Making Safeguarding Personal")

    # And the outcome.
    page.get_by_role("button", name="Record the outcome").click()
    assert_accessible(page)
    page.locator("#id_risk_finding").check()
    page.locator("#id_action_taken").check()
    page.locator("#id_risk_result-2").check()
    page.locator("#id_msp_achieved").check()
    page.locator("#id_outcome_summary").fill("Agency changed the carer; daughter visits daily")
    _fill_date(page, "concluded_on", today)
    page.get_by_role("button", name="Conclude enquiry").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Enquiry concluded")
    expect(page.locator("#outcome")).to_be_visible()
    assert_accessible(page)

    # Then the concern closes and the alert on the person's record ends.
    page.get_by_role("button", name="Close the concern").click()
    page.locator("#id_reason").fill("Risk reduced; plan in place")
    page.get_by_role("button", name="Close concern").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Concern closed")
    assert_accessible(page)
    concern.refresh_from_db()
    assert concern.status == ConcernStatusName.CLOSED
    alert = Alert.objects.get(person=concern.person, kind=AlertKind.SAFEGUARDING_OPEN)
    assert alert.ended_at is not None

    # The Safeguarding Adults Collection page counts the concluded enquiry.
    page.goto(f"{base}/safeguarding/collection/")
    expect(page.locator("h1")).to_contain_text("Safeguarding Adults Collection")
    assert_accessible(page)
