"""Hospital discharge in a real browser: a ward nurse refers, the hospital social worker plans the discharge from
the board, the out-of-hours worker records the weekend reablement start, and recording the discharge moves the
transition plan on to the check after the move.

axe-core runs on every page visited (helpers from test_journeys). Run with `pytest -m e2e`.
"""

import importlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.discharges.models import Referral, ReferralStatusName
from safepathways.tests.system.test_journeys import assert_accessible, sign_in
from safepathways.transitions import services as transitions
from safepathways.transitions.models import ItemStatus

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

# The rows the data migrations seed: a transactional test empties every table, so they are seeded again.
SEED_MIGRATIONS = (
    "safepathways.transitions.migrations.0002_seed_checklists",
    "safepathways.discharges.migrations.0002_seed_delay_reasons_and_settings",
)
EDITH_NHS_NUMBER = "9996543218"


@pytest.fixture(autouse=True)
def _seeded_settings(transactional_db: None) -> None:
    for name in SEED_MIGRATIONS:
        importlib.import_module(name).seed(apps, None)


def _fill_date(page: Page, name: str, day: date) -> None:
    page.locator(f"#{name}_day").fill(str(day.day))
    page.locator(f"#{name}_month").fill(str(day.month))
    page.locator(f"#{name}_year").fill(str(day.year))


def _next_saturday(today: date) -> date:
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


def _switch_user(page: Page, base: str, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, base, email)


def test_a_ward_referral_is_planned_from_the_board_and_the_weekend_start_recorded(
    page: Page,
    live_server: Any,
    council: Organisation,
    hospital: Organisation,
    partner: Persona,
    make_persona: Callable[..., Persona],
) -> None:
    hospital_team = Team.objects.create(
        organisation=council,
        name="Hospital social work",
        slug="hospital-royal-free",
        kind=TeamKind.HOSPITAL_SOCIAL_WORK,
    )
    ooh_team = Team.objects.create(
        organisation=council, name="Emergency duty", slug="out-of-hours", kind=TeamKind.OUT_OF_HOURS
    )
    hana = make_persona(hospital_team, Role.SOCIAL_WORKER, name="Hana Ito")
    owen = make_persona(ooh_team, Role.DUTY_WORKER, name="Owen Hale")
    base, today = live_server.url, timezone.localdate()
    saturday = _next_saturday(today)

    # Given a ward nurse of the trust refers Edith through the web form.
    sign_in(page, base, partner.user.email)
    page.goto(f"{base}/discharge/referrals/new/")
    assert_accessible(page)
    page.get_by_label("Ward", exact=True).fill("Ward 8 North")
    page.get_by_label("NHS number").fill(EDITH_NHS_NUMBER)
    page.get_by_label("First name").fill("Edith")
    page.get_by_label("Last name").fill("Cole")
    _fill_date(page, "date_of_birth", date(1938, 4, 2))
    _fill_date(page, "admitted_on", today - timedelta(days=6))
    _fill_date(page, "discharge_ready_on", today - timedelta(days=7))
    page.get_by_label("Pathway 1: home with support").check()
    page.get_by_label("Needs on discharge").fill("Lives alone; needs help to wash and dress after a fall")
    page.get_by_role("button", name="Send referral").click()
    # Dates out of order are refused with a message that names the field.
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot be before the admission date")
    assert_accessible(page)
    _fill_date(page, "discharge_ready_on", today - timedelta(days=2))
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("sent to the hospital social work")
    expect(page.locator("h1")).to_contain_text("Edith Cole")
    assert_accessible(page)
    referral = Referral.objects.get()

    # When the hospital social worker opens the board and the referral.
    _switch_user(page, base, hana.user.email)
    page.goto(f"{base}/discharge/")
    assert_accessible(page)
    expect(page.get_by_role("table", name="Open referrals")).to_contain_text("2 days")
    page.get_by_role("link", name="Edith Cole").click()
    assert_accessible(page)

    # And agrees pathway 1 with a discharge on Saturday, sets the next action and the reablement start.
    page.get_by_label("Pathway 1: home with support").check()
    _fill_date(page, "pathway-planned_discharge_on", saturday)
    page.get_by_role("button", name="Agree pathway").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Pathway agreed")
    assert_accessible(page)
    page.get_by_label("Next action").fill("Confirm the reablement start with the provider")
    page.get_by_role("button", name="Save next action").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter who owns the next action")
    assert_accessible(page)
    page.get_by_label("Who owns it").fill("Hana Ito")
    _fill_date(page, "action-next_action_due", today)
    page.get_by_role("button", name="Save next action").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Next action recorded")
    page.get_by_label("Reablement at home").check()
    page.get_by_label("Who provides it").fill("Camden reablement service")
    _fill_date(page, "support-support_start_on", saturday)
    page.get_by_label("Start time (optional)").fill("08:00")
    page.get_by_role("button", name="Save support start").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Support start recorded")
    # Not ready yet: the transition plan's essential arrangements (keys, medication, ...) are not in place.
    expect(page.locator("h1")).not_to_contain_text("Ready to go")
    assert_accessible(page)
    referral.refresh_from_db()
    assert referral.status == ReferralStatusName.ASSESSING
    plan = referral.plan
    assert plan is not None
    essentials = list(plan.arrangements.filter(is_essential=True, status=ItemStatus.OPEN).order_by("order"))
    assert essentials

    # Then the transition plan opens, shared with the trust, with the discharge checklist; the hospital social
    # worker puts the first essential arrangement in place from it.
    page.get_by_role("link", name="Put the arrangements in place").click()
    expect(page.locator("h1")).to_contain_text("Moving from")
    assert_accessible(page)
    first, others = essentials[0], essentials[1:]
    page.get_by_role("link", name=f"Update {first.label}").click()
    assert_accessible(page)
    page.get_by_label("Who will do it").fill("Ward 8 nurse")
    page.get_by_label("Done", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("Moving from")
    # The ward nurse and the family put the others in place (the same service the page calls).
    for arrangement in others:
        transitions.update_item(
            plan=plan,
            by=hana.user,
            kind="arrangement",
            item_id=arrangement.pk,
            owner=transitions.Owner("Ward 8 nurse"),
            due_on=None,
            status=ItemStatus.DONE,
        )
    # Then the referral is ready to go, at once.
    page.goto(f"{base}/discharge/referrals/{referral.pk}/")
    expect(page.locator("h1")).to_contain_text("Ready to go")
    assert_accessible(page)
    referral.refresh_from_db()
    assert referral.status == ReferralStatusName.READY

    # And the out-of-hours worker sees the Saturday start, and records it once the weekend comes.
    _switch_user(page, base, owen.user.email)
    page.goto(f"{base}/discharge/out-of-hours/")
    expect(page.get_by_role("table")).to_contain_text("Out of hours")
    assert_accessible(page)
    Referral.objects.filter(pk=referral.pk).update(support_start_on=today)  # the weekend comes
    page.reload()
    page.get_by_role("link", name="Record the start for Edith Cole").click()
    assert_accessible(page)
    page.get_by_label("Yes, it started").check()
    _fill_date(page, "started_on", today)
    page.get_by_label("Time it started").fill("00:00")
    page.get_by_label("Who confirmed it").fill("The reablement carer on the first visit")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Support start recorded")
    assert_accessible(page)
    referral.refresh_from_db()
    assert referral.support_started_by == owen.user

    # And the hospital social worker records the discharge: that records the move on the transition plan (nobody
    # records it twice), and the check after the move falls due.
    _switch_user(page, base, hana.user.email)
    page.goto(f"{base}/discharge/referrals/{referral.pk}/")
    page.get_by_text("Record the discharge", exact=True).click()
    _fill_date(page, "outcome-discharged_on", today)
    page.get_by_label("Usual place of residence", exact=True).check()
    page.get_by_role("button", name="Record discharge").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Discharge recorded")
    assert_accessible(page)
    plan.refresh_from_db()
    assert plan.moved_on == today
    assert plan.check_due_at is not None

    # Then the plan shows the move, and the hospital social worker records the check after it. (The plan is their
    # team's; the referral's work closed with the discharge, so the person's record now asks them to declare.)
    page.goto(f"{base}/transitions/plans/{plan.pk}/")
    expect(page.locator("h1")).to_contain_text("Moved, check due")
    assert_accessible(page)
    page.get_by_label("Who did you speak to?").fill("Edith and the reablement carer")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Record the check").click()
    expect(page.locator("h1")).to_contain_text("Moved and checked")
    assert_accessible(page)
