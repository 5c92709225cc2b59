"""A move planned, made ready, made and checked, in a real browser with axe-core on every page.

Also the continuity view with a gap found by the daily sweep, and the plain-English copy for the family.
"""

import importlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from safepathways.accounts.models import Role
from safepathways.conftest import Persona
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.tests.factories import ServiceFactory
from safepathways.tests.system.test_journeys import assert_accessible, sign_in
from safepathways.transitions import services
from safepathways.transitions.models import ItemStatus, Plan, PlanStatus

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture(autouse=True)
def _seeded_checklists(transactional_db: None) -> None:
    """A transactional test ends by emptying every table, seeded ones included: seed them again (idempotent)."""
    importlib.import_module("safepathways.transitions.migrations.0002_seed_checklists").seed(apps, None)


def _fill_date(page: Page, name: str, day: Any) -> None:
    page.locator(f"#{name}_day").fill(str(day.day))
    page.locator(f"#{name}_month").fill(str(day.month))
    page.locator(f"#{name}_year").fill(str(day.year))


def test_a_move_is_planned_made_ready_made_and_checked(
    page: Page, live_server: Any, social_worker: Persona, make_persona: Callable[..., Persona]
) -> None:
    manager = make_persona(social_worker.team, Role.TEAM_MANAGER, name="Tara Mensah")
    person: Person = PersonFactory.create(given_name="Ada", family_name="Lovell")
    ServiceFactory.create(person=person, team=social_worker.team)
    base, today = live_server.url, timezone.localdate()

    # The social worker plans Ada's move home from the care home.
    sign_in(page, base, social_worker.user.email)
    page.goto(f"{base}/people/{person.pk}/")
    page.get_by_role("link", name="Plan a move").click()
    assert_accessible(page)
    page.get_by_label("Out of a care home").check()
    page.get_by_label("Moving from").fill("Rose House")
    page.get_by_label("Moving to").fill("Home, 12 Leighton Road")
    _fill_date(page, "planned_on", today)
    page.get_by_role("button", name="Start the plan").click()
    expect(page.locator("h1")).to_contain_text("Moving from Rose House to Home, 12 Leighton Road")
    assert_accessible(page)
    plan = Plan.objects.get(person=person)

    # A step with its owner.
    page.get_by_text("Add a step").click()
    page.get_by_label("What will happen").fill("Book the taxi for 11am")
    page.locator("#id_step-owner_name").fill("Jo Bloggs")
    page.locator("#id_step-owner_role").fill("Care home manager")
    page.get_by_role("button", name="Add the step").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Step added")

    # Not ready while essential arrangements are open: the page says which.
    page.get_by_role("button", name="Mark the move ready").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("essential arrangements are still open")
    assert_accessible(page)

    # Every arrangement but one is put in place; the last through its own page.
    arrangements = list(plan.arrangements.order_by("order"))
    for arrangement in arrangements[:-1]:
        services.update_item(
            plan=plan,
            by=social_worker.user,
            kind="arrangement",
            item_id=arrangement.pk,
            owner=services.Owner("Daughter"),
            due_on=None,
            status=ItemStatus.DONE,
        )
    page.goto(f"{base}/transitions/plans/{plan.pk}/")
    page.get_by_role("link", name=f"Update {arrangements[-1].label}").click()
    assert_accessible(page)
    page.get_by_label("Who will do it").fill("Dev Patel")
    page.get_by_label("Done").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Mark the move ready").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The move is ready")

    # The family's copy, printable.
    page.get_by_role("link", name="The plan for Ada Lovell and their family (printable)").click()
    expect(page.locator("h1")).to_contain_text("Your plan for moving, Ada")
    expect(page.locator("body")).to_contain_text("Book the taxi for 11am")
    page.wait_for_url(f"{base}/transitions/plans/{plan.pk}/for-the-person/")
    assert_accessible(page)
    back = page.get_by_role("link", name="Back to the plan")
    pdf = page.get_by_role("link", name="Download as a PDF")
    expect(pdf).to_have_attribute("href", f"/transitions/plans/{plan.pk}/for-the-person.pdf")
    page.emulate_media(media="print")
    expect(back).to_be_hidden()  # the printed copy has no screen-only links
    expect(pdf).to_be_hidden()
    expect(page.locator("body")).to_contain_text("Book the taxi for 11am")
    assert_accessible(page)  # as printed, too
    page.emulate_media(media="screen")
    page.go_back()

    # The move, then the check after it.
    _fill_date(page, "move-moved_on", today)
    page.get_by_role("button", name="Record the move").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Check it went as planned by")
    page.get_by_label("Who did you speak to?").fill("Ada and her daughter")
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Record the check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Describe what did not go as planned")
    page.get_by_label("What did not go as planned").fill("The commode was not delivered")
    page.get_by_label("Who were the problems fed back to").fill("Equipment service")
    page.get_by_role("button", name="Record the check").click()
    expect(page.locator("h1")).to_contain_text("Moved and checked")
    assert_accessible(page)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CHECKED
    assert manager.user.notifications.filter(message__contains="did not go as planned").exists()


def test_the_continuity_view_shows_a_service_that_ended_with_nothing_next(
    page: Page, live_server: Any, social_worker: Persona
) -> None:
    today = timezone.localdate()
    person: Person = PersonFactory.create(given_name="Bert", family_name="Ames")
    ServiceFactory.create(
        person=person, team=social_worker.team, start_on=today - timedelta(days=60), end_on=today - timedelta(days=4)
    )
    services.sweep_gaps(today=today)
    base = live_server.url
    sign_in(page, base, social_worker.user.email)
    page.goto(f"{base}/transitions/continuity/")
    expect(page.locator("table").nth(1)).to_contain_text("Bert Ames")
    assert_accessible(page)
    page.get_by_role("link", name="Explain the gap for Bert Ames").click()
    assert_accessible(page)
    page.get_by_label("Why this is not a gap, or what was done about it").fill("Moved to his son's in Leeds")
    page.get_by_role("button", name="Close the gap with this explanation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Gap explained and closed")
    expect(page.locator("body")).not_to_contain_text("Bert Ames")
