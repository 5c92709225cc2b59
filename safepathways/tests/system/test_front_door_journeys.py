"""Front-door journeys in Chromium: contact → match → correction → triage (one route or several) → waiting list
→ keep in touch → allocation; and look-alike records recorded as different people.

axe-core's WCAG 2.2 A and AA rules run on every page visited (the helper of test_journeys.py).
Run apart from the rest of the suite: `pytest -m e2e` (SQLite), or with DATABASE_URL set for PostgreSQL.
"""

import importlib
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import BrowserContext, Locator, Page, expect

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.core.formatting import format_date
from safepathways.notifications.models import Notification
from safepathways.people.models import Neighbourhood, Person, PostcodeArea
from safepathways.people.tests.factories import PersonFactory
from safepathways.referrals import services as front_door
from safepathways.referrals.models import Contact, ContactStatusName
from safepathways.referrals.tests.factories import MARY_NHS_NUMBER
from safepathways.tests.system.test_journeys import (
    assert_accessible,
    expect_axe_to_catch_a_violation,
    expect_error_links_reach_fields,
    sign_in,
    tab_to,
)
from safepathways.work import services as work
from safepathways.work.models import Handoff, WorkItem

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # pytest-playwright's own base_url fixture (not ours) trips a pytest 9 deprecation.
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

# The rows the data migrations seed (routes, screening timescales, risk matrix, flags, policies).
SEED_MIGRATIONS = (
    "safepathways.referrals.migrations.0002_seed_front_door_settings",
    "safepathways.work.migrations.0003_seed_policies",
)
MARY_BORN = date(1941, 3, 27)
OT_ROUTE_LABEL = "Occupational therapy assessment"
CARERS_ROUTE_LABEL = "Carer's assessment"


# --- fixtures -------------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _seeded_settings(transactional_db: None) -> None:
    """A transactional test ends by emptying every table, seeded ones included: seed them again (idempotent)."""
    for name in SEED_MIGRATIONS:
        importlib.import_module(name).seed(apps, None)


@pytest.fixture
def front_door_team(council: Organisation) -> Team:
    """The slug is the front door settings' default team (migration referrals/0002)."""
    return Team.objects.create(organisation=council, name="Front door", slug="front-door", kind=TeamKind.FRONT_DOOR)


@pytest.fixture
def ot_team(council: Organisation) -> Team:
    """The team the occupational therapy route sends work to (slug "ot-duty", migration referrals/0002)."""
    return Team.objects.create(
        organisation=council, name="Occupational therapy duty", slug="ot-duty", kind=TeamKind.OT_DUTY
    )


@pytest.fixture
def officer(make_persona: Callable[..., Persona], front_door_team: Team) -> Persona:
    return make_persona(front_door_team, Role.FRONT_DOOR_OFFICER, name="Farah Khan")


@pytest.fixture
def ot_manager(make_persona: Callable[..., Persona], ot_team: Team) -> Persona:
    return make_persona(ot_team, Role.TEAM_MANAGER, name="Morgan Reid")


@pytest.fixture
def second_ot_manager(make_persona: Callable[..., Persona], ot_team: Team) -> Persona:
    return make_persona(ot_team, Role.TEAM_MANAGER, name="Priya Shah")


@pytest.fixture
def ot_worker(make_persona: Callable[..., Persona], ot_team: Team) -> Persona:
    return make_persona(ot_team, Role.OCCUPATIONAL_THERAPIST, name="Olu Adebayo")


@pytest.fixture
def neighbourhood(team: Team) -> Neighbourhood:
    """NW5 belongs to the North West neighbourhood team (the `team` fixture)."""
    area = Neighbourhood.objects.create(name="North West", team=team)
    PostcodeArea.objects.create(prefix="NW5", neighbourhood=area)
    return area


@pytest.fixture
def mary(neighbourhood: Neighbourhood) -> Person:
    """Someone already known to the council, whom a GP rings the front door about."""
    person: Person = PersonFactory.create(
        given_name="Mary",
        family_name="Smith",
        date_of_birth=MARY_BORN,
        nhs_number=MARY_NHS_NUMBER,
        address_line_1="12 Leighton Road",
        town="London",
        postcode="NW5 1AB",
        neighbourhood=neighbourhood,
    )
    return person


def _gp_contact(officer: Persona, person: Person | None, **overrides: Any) -> Contact:
    details: dict[str, Any] = {
        "referrer_type": "gp",
        "referrer_name": "Dr Asha Rao",
        "channel": "phone",
        "reason": "Two falls on the stairs this month; struggling to get in and out of the bath",
        "persons_wishes": "I want to stay in my own home",
        "urgency": "soon",
        "consent": "yes",
        "given_name": "Mary",
        "family_name": "Smith",
        "date_of_birth": MARY_BORN,
        "postcode": "NW5 1AB",
    }
    return front_door.take_contact(
        by=officer.user, details=front_door.ContactDetails(**(details | overrides)), person=person
    )


def _triaged_to_ot(officer: Persona, person: Person, *, likelihood: int = 3, impact: int = 3) -> WorkItem:
    """A GP's contact about `person`, triaged to an OT assessment: waiting-list work that carries its story."""
    contact = front_door.triage_contact(
        contact=_gp_contact(officer, person),
        by=officer.user,
        route="ot_assessment",
        reason="Needs an OT assessment for bathing and stairs",
        likelihood=likelihood,
        impact=impact,
        flags=["recent-fall"],
    )
    return contact.routes.get().work_item


# --- helpers --------------------------------------------------------------------------------------------------------


def signed_in(page: Page, base: str, persona: Persona) -> None:
    """Sign in, and check the home page as this persona sees it (its navigation differs by role)."""
    sign_in(page, base, persona.user.email)
    assert_accessible(page)


def choose_by_keyboard(page: Page, name: str, value: str) -> None:
    """Tab into a radio group, select with Space, then arrow down until the option with `value` is chosen."""
    tab_to(page, f'input[type="radio"][name="{name}"]')
    page.keyboard.press("Space")
    target = page.locator(f'input[type="radio"][name="{name}"][value="{value}"]')
    for _ in range(15):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{name}={value} was never chosen by arrow keys on {page.url}")


def tick_by_keyboard(page: Page, name: str, value: str) -> None:
    """Tab to one checkbox and tick it with Space."""
    tab_to(page, f'input[type="checkbox"][name="{name}"][value="{value}"]', limit=120)
    page.keyboard.press("Space")
    expect(page.locator(f'input[type="checkbox"][name="{name}"][value="{value}"]')).to_be_checked()


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def due_text(contact: Contact) -> str:
    """The screening due date as the front door shows it."""
    due = contact.screening_due_on
    return "Today" if due == timezone.localdate() else format_date(due)


def open_by_keyboard(page: Page, href: str) -> None:
    tab_to(page, f'a[href="{href}"]', limit=120)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(href) + "$"))


def in_group(page: Page, legend: str) -> Locator:
    """The fieldset whose legend is `legend`: labels repeat across groups ("Day", "No", "Phone")."""
    return page.get_by_role("group", name=legend, exact=True)


def allocate_with(page: Page, worker: str) -> None:
    # Each option shows the worker's caseload after their name ("Olu Adebayo — 0 open, no cap").
    select = page.get_by_label("Allocate to", exact=True)
    select.select_option(value=select.locator("option", has_text=worker).get_attribute("value"))
    page.get_by_role("button", name="Allocate", exact=True).click()


# --- journeys -------------------------------------------------------------------------------------------------------


def test_a_front_door_officer_takes_a_contact_by_keyboard_and_triages_it_to_the_waiting_list(
    page: Page, live_server: Any, officer: Persona, ot_team: Team, mary: Person
) -> None:
    base = live_server.url
    signed_in(page, base, officer)

    open_by_keyboard(page, "/front-door/")
    expect(page.locator("h1")).to_have_text("Front door: contacts awaiting triage")
    expect(page.locator("main")).to_contain_text("No contacts are waiting for triage.")
    assert_accessible(page)
    open_by_keyboard(page, "/front-door/contacts/new/")
    expect(page.locator("h1")).to_have_text("Take a contact")
    assert_accessible(page)

    # Who, how and why, by keyboard alone: radios by Space and arrow keys, text as typed.
    choose_by_keyboard(page, "referrer_type", "gp")
    type_into(page, "#id_referrer_name", "Dr Asha Rao")
    type_into(page, "#id_referrer_organisation", "Kentish Town Health Centre")
    choose_by_keyboard(page, "channel", "phone")
    type_into(page, "#id_reason", "Two falls on the stairs this month; struggling to get in and out of the bath")
    type_into(page, "#id_persons_wishes", "I want to stay in my own home")
    choose_by_keyboard(page, "urgency", "soon")
    choose_by_keyboard(page, "has_immediate_risk", "no")
    choose_by_keyboard(page, "consent", "yes")
    # Who it is about, with the surname misheard on the phone.
    type_into(page, "#id_given_name", "Mary")
    type_into(page, "#id_family_name", "Smyth")
    type_into(page, "#date_of_birth_day", "27")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("1941")
    type_into(page, "#id_postcode", "nw5 1ab")
    tab_to(page, 'button[value="check"]')
    page.keyboard.press("Enter")

    # The likely match, with why it matched; nothing is saved yet and the answers are kept.
    matches = page.locator("#matches")
    person_choice = f"This is the person: Mary Smith ({mary.reference})"
    expect(matches).to_contain_text(person_choice)
    expect(matches).to_contain_text("Matched on: similar name and same date of birth, same postcode")
    expect(matches).to_contain_text("None of these – create a new record")
    expect(matches).to_contain_text("Keep as unidentified for now")
    expect(page.locator("#id_reason")).to_have_value(re.compile(r"^Two falls on the stairs"))
    assert not Contact.objects.exists()
    assert_accessible(page)
    tab_to(page, 'input[name="match"]', limit=120)  # the group's first option: the likely match
    page.keyboard.press("Space")
    expect(page.get_by_label(person_choice)).to_be_checked()
    tab_to(page, 'button[value="save"]')
    page.keyboard.press("Enter")

    # The contact awaits triage, linked to Mary, with its screening due date.
    page.wait_for_url(re.compile(r"/front-door/contacts/[0-9a-f-]{36}/$"))
    contact = Contact.objects.get()
    assert page.url == f"{base}/front-door/contacts/{contact.pk}/"
    assert (contact.person, contact.status) == (mary, ContactStatusName.RECEIVED)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Contact {contact.reference} saved")
    expect(page.locator("h1")).to_contain_text("Mary Smith")
    expect(page.locator("h1")).to_contain_text("Awaiting triage")
    triage_due = page.locator(".govuk-summary-list__row", has_text="Triage due")
    expect(triage_due).to_contain_text(due_text(contact))
    assert_accessible(page)

    # Triage to an OT assessment: likelihood and impact rate it, a risk flag is ticked.
    tick_by_keyboard(page, "routes", "ot_assessment")
    type_into(page, "#id_reason", "Needs an OT assessment for bathing and stairs")
    choose_by_keyboard(page, "likelihood", "3")
    choose_by_keyboard(page, "impact", "3")
    tab_to(page, 'input[name="risk_flags"][value="recent-fall"]')
    page.keyboard.press("Space")
    tab_to(page, 'form[action$="/triage/"] button')
    page.keyboard.press("Enter")

    # The form posts to /triage/ and comes back to the contact: wait for the answer before reading the database.
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Contact {contact.reference} triaged")
    expect(page.locator("h1")).to_contain_text("Triaged")
    item = WorkItem.objects.get()
    work_opened = page.locator("table", has_text="Work opened")
    expect(work_opened).to_contain_text(item.title)
    expect(work_opened).to_contain_text("Occupational therapy duty")
    expect(work_opened).to_contain_text("Amber – medium risk")
    assert_accessible(page)

    # The work carries the story, so nobody asks Mary again.
    open_by_keyboard(page, f"/work/items/{item.pk}/")
    expect(page.locator("h1")).to_have_text(item.title)
    story = page.locator(".govuk-inset-text")
    expect(story).to_contain_text(f"Front-door contact {contact.reference}")
    expect(story).to_contain_text("Two falls on the stairs this month")
    expect(story).to_contain_text("I want to stay in my own home")
    priority = page.locator(".govuk-summary-list__row", has_text="Priority")
    expect(priority).to_contain_text("Amber")
    expect(priority).to_contain_text("Likelihood 3 × impact 3 = 9 (amber)")
    expect(priority).to_contain_text("Recent fall")
    assert_accessible(page)

    # And it is on the central waiting list with its priority.
    open_by_keyboard(page, "/work/waiting-list/")
    row = page.locator("tbody tr", has_text="Mary Smith")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(OT_ROUTE_LABEL)
    expect(row).to_contain_text("Occupational therapy duty")
    expect(row.locator(".govuk-tag")).to_have_text("Amber")
    assert_accessible(page)
    assert (item.team, item.person, item.priority, item.risk_flags) == (ot_team, mary, "amber", ["recent-fall"])


def test_likely_matches_appear_as_the_details_are_typed(
    page: Page, live_server: Any, officer: Persona, mary: Person
) -> None:
    """With JavaScript the officer need not press "Check for existing records": the matches come as they type."""
    signed_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/front-door/contacts/new/")
    expect(page.locator("#matches")).to_have_count(0)
    type_into(page, "#id_given_name", "Mary")
    type_into(page, "#id_family_name", "Smyth")
    type_into(page, "#date_of_birth_day", "27")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("1941")
    matches = page.locator("#matches-region #matches")
    expect(matches).to_contain_text(f"This is the person: Mary Smith ({mary.reference})")
    expect(matches).to_contain_text("Matched on: similar name and same date of birth")
    expect(page).to_have_url(re.compile(r"/front-door/contacts/new/$"))  # the page itself never left
    expect(page.locator("#id_family_name")).to_have_value("Smyth")
    assert not Contact.objects.exists()
    assert_accessible(page)


def test_a_worker_keeps_in_touch_re_rates_and_prints_a_waiting_letter(
    page: Page, live_server: Any, officer: Persona, ot_worker: Persona, mary: Person
) -> None:
    base = live_server.url
    item = _triaged_to_ot(officer, mary)
    signed_in(page, base, ot_worker)
    page.goto(f"{base}/work/items/{item.pk}/")
    expect(page.locator("main")).to_contain_text("No keep-in-touch contact yet.")
    assert_accessible(page)

    page.get_by_role("link", name="Record a keep-in-touch contact").click()
    page.wait_for_url(f"{base}/work/items/{item.pk}/keep-in-touch/")
    assert_accessible(page)
    in_group(page, "How did you keep in touch?").get_by_label("Phone call").check()
    page.get_by_label("What was said, and has anything changed?").fill(
        "Daughter says Mary fell again last night and is now sleeping downstairs"
    )
    page.get_by_label("Their situation has changed: re-rate the risk").check()
    page.get_by_label("New likelihood (if changed)").select_option("4")
    page.get_by_label("New impact (if changed)").select_option("4")
    page.get_by_role("button", name="Record contact").click()

    page.wait_for_url(f"{base}/work/items/{item.pk}/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Keep-in-touch contact recorded")
    contacts = page.locator("table", has_text="What was said")
    expect(contacts).to_contain_text("Olu Adebayo, phone call")
    expect(contacts).to_contain_text("Situation changed")
    priority = page.locator(".govuk-summary-list__row", has_text="Priority")
    expect(priority.locator(".govuk-tag")).to_have_text("Red")
    expect(priority).to_contain_text("Likelihood 4 × impact 4 = 16 (red)")
    # The rating history, newest first: the re-rating and why, then the rating at triage.
    history = page.locator("h2:has-text('Rating history') + table tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("Red 4 × 4")
    expect(history.nth(0)).to_contain_text("Situation changed at keep-in-touch contact")
    expect(history.nth(0)).to_contain_text("Olu Adebayo")
    expect(history.nth(1)).to_contain_text("Amber 3 × 3")
    expect(history.nth(1)).to_contain_text("Farah Khan")
    assert_accessible(page)

    page.get_by_role("link", name="Print a waiting letter").click()
    page.wait_for_url(f"{base}/work/items/{item.pk}/letter/")
    expect(page.locator("h1")).to_have_text("You are on our waiting list")
    expect(page.locator("main")).to_contain_text("Dear Mary,")
    expect(page.locator("main")).to_contain_text("12 Leighton Road")
    expect(page.locator("main")).to_contain_text(f"Tell us your reference: {mary.reference}")
    expect(page.locator("main")).to_contain_text("every 7 days")  # red: the local keep-in-touch interval
    assert_accessible(page)
    back = page.get_by_role("link", name="Back to the work")
    sent = page.get_by_role("button", name="Record that the letter was sent")
    expect(back).to_be_visible()
    expect(sent).to_be_visible()
    page.emulate_media(media="print")
    expect(back).to_be_hidden()  # the printed letter has no screen-only links
    expect(sent).to_be_hidden()
    page.emulate_media(media="screen")

    # Once posted, the letter is recorded as a keep-in-touch contact by letter.
    sent.click()
    page.wait_for_url(f"{base}/work/items/{item.pk}/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Letter recorded as sent")
    expect(page.locator("table", has_text="What was said")).to_contain_text("Olu Adebayo, letter")
    assert_accessible(page)
    item.refresh_from_db()
    assert (item.priority, item.likelihood, item.impact) == ("red", 4, 4)
    assert item.keep_in_touch.filter(method="letter").count() == 1


def test_a_manager_allocates_and_a_stale_allocation_form_is_refused(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_server: Any,
    officer: Persona,
    ot_manager: Persona,
    second_ot_manager: Persona,
    ot_worker: Persona,
    mary: Person,
) -> None:
    base = live_server.url
    item = _triaged_to_ot(officer, mary)
    url = f"{base}/work/items/{item.pk}/"

    # A second manager opens the work first, and leaves the page open.
    stale = new_context().new_page()
    signed_in(stale, base, second_ot_manager)
    stale.goto(url)
    assert_accessible(stale)
    expect(stale.locator(".govuk-summary-list__row", has_text="Worker")).to_contain_text("Not allocated – waiting")

    signed_in(page, base, ot_manager)
    page.goto(url)
    assert_accessible(page)
    allocate_with(page, "Olu Adebayo")
    page.wait_for_url(url)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Allocated to Olu Adebayo")
    expect(page.locator(".govuk-summary-list__row", has_text="Worker")).to_contain_text("Olu Adebayo")
    handoffs = page.locator("h2:has-text('Hand-offs') + ul li")
    expect(handoffs).to_have_count(1)
    expect(handoffs).to_contain_text("waiting list → Olu Adebayo (Allocated by team manager), by Morgan Reid")
    assert_accessible(page)

    # The stale page still says nobody holds it: its allocation is refused, not written over the first, and the
    # page is shown again as the work now stands, the refusal against the worker chosen.
    allocate_with(stale, "Priya Shah")
    stale.wait_for_url(f"{url}allocate/")
    refusal = (
        "Someone else changed this allocation while you were looking: it is now with Olu Adebayo. "
        "Check the work again before allocating."
    )
    expect(stale.locator(".govuk-error-summary")).to_contain_text(refusal)
    expect(stale.locator("#id_to_user-error")).to_contain_text(refusal)
    expect(stale.locator(".govuk-notification-banner--success")).to_have_count(0)
    expect(stale.locator(".govuk-summary-list__row", has_text="Worker")).to_contain_text("Olu Adebayo")
    assert_accessible(stale)
    item.refresh_from_db()
    assert item.allocated_to == ot_worker.user
    assert Handoff.objects.filter(work_item=item).count() == 1


def test_contact_to_waiting_list_works_without_javascript(
    no_js_context: BrowserContext, live_server: Any, officer: Persona, ot_team: Team, team: Team, mary: Person
) -> None:
    page = no_js_context.new_page()
    base = live_server.url
    signed_in(page, base, officer)
    expect(page.locator("body")).not_to_have_class(re.compile(r"js-enabled"))
    navigation = page.locator(".govuk-service-navigation")
    navigation.get_by_role("link", name="Front door").click()
    page.wait_for_url(f"{base}/front-door/")
    assert_accessible(page)
    page.get_by_role("button", name="Take a contact").click()  # a GOV.UK link styled as a button
    page.wait_for_url(f"{base}/front-door/contacts/new/")
    assert_accessible(page)

    in_group(page, "Who is getting in touch?").get_by_label("Family member or carer").check()
    page.get_by_label("Their name (optional)").fill("June Smith")
    in_group(page, "How did they get in touch?").get_by_label("Phone", exact=True).check()
    page.get_by_label("Why are they getting in touch?").fill("Mum is not managing the stairs and has stopped washing")
    page.get_by_label("What does the person want? (optional)").fill("A rail by the stairs and help in the bathroom")
    in_group(page, "How urgent is it?").get_by_label("Routine").check()
    in_group(page, "Is anyone at immediate risk?").get_by_label("No", exact=True).check()
    in_group(page, "Does the person agree to information being shared?").get_by_label(
        "Yes, they agree to information being shared"
    ).check()
    page.get_by_label("First name (optional)").fill("Mary")
    page.get_by_label("Last name (optional)").fill("Smith")
    born = in_group(page, "Date of birth (optional)")
    born.get_by_label("Day").fill("27")
    born.get_by_label("Month").fill("3")
    born.get_by_label("Year").fill("1941")
    page.get_by_label("Postcode (optional)").fill("NW5 1AB")
    page.get_by_role("button", name="Check for existing records").click()

    expect(page.locator("#matches")).to_contain_text("Matched on: same name and same date of birth, same postcode")
    assert_accessible(page)
    # Saving without saying who it is, when someone likely matches, is answered with an error that leads to the choice.
    page.get_by_role("button", name="Save contact").click()
    expect(page).to_have_title(re.compile(r"^Error: Take a contact"))
    expect_error_links_reach_fields(page, ["#id_match"])
    expect(page.locator("#id_match-error")).to_contain_text("Check whether this is one of the people listed")
    expect(page.get_by_label("Why are they getting in touch?")).to_have_value(re.compile(r"^Mum is not managing"))
    assert_accessible(page)
    assert not Contact.objects.exists()
    page.get_by_label(f"This is the person: Mary Smith ({mary.reference})").check()
    page.get_by_role("button", name="Save contact").click()

    page.wait_for_url(re.compile(r"/front-door/contacts/[0-9a-f-]{36}/$"))
    contact = Contact.objects.get()
    expect(page.locator("h1")).to_contain_text("Mary Smith")
    expect(page.locator("h1")).to_contain_text("Awaiting triage")
    expect(page.locator(".govuk-summary-list__row", has_text="Triage due")).to_contain_text(due_text(contact))
    assert_accessible(page)

    # One decision, two services: an OT assessment for Mary and a carer's assessment for June.
    routes = in_group(page, "Where does this contact go?")
    routes.get_by_label(OT_ROUTE_LABEL).check()
    routes.get_by_label(CARERS_ROUTE_LABEL).check()
    page.get_by_label("Reason for the decision").fill("Equipment and adaptations: OT to assess; June needs support too")
    in_group(page, "How likely is harm while they wait? (for assessments and reviews)").get_by_label(
        "2 – Unlikely"
    ).check()
    in_group(page, "How serious would it be? (for assessments and reviews)").get_by_label("2 – Minor").check()
    page.get_by_label("Lives alone with no support").check()
    page.get_by_role("button", name="Record decision").click()

    expect(page.locator("h1")).to_contain_text("Triaged")
    item = WorkItem.objects.get(kind="ot_assessment")
    carers = WorkItem.objects.get(kind="carers_assessment")
    assert (carers.team, carers.priority, carers.story) == (team, item.priority, item.story)
    expect(page.locator(".govuk-summary-list__row", has_text="Routes")).to_contain_text(
        f"{OT_ROUTE_LABEL}, {CARERS_ROUTE_LABEL}"
    )
    work_opened = page.locator("table", has_text="Work opened")
    expect(work_opened.locator("tbody tr")).to_have_count(2)
    expect(work_opened).to_contain_text("North West neighbourhood team")
    assert_accessible(page)
    page.get_by_role("link", name=item.title).click()
    page.wait_for_url(f"{base}/work/items/{item.pk}/")
    expect(page.locator(".govuk-inset-text")).to_contain_text("A rail by the stairs and help in the bathroom")
    # 2 × 2 is green on the matrix, but living alone with no support raises it to amber.
    priority = page.locator(".govuk-summary-list__row", has_text="Priority")
    expect(priority.locator(".govuk-tag")).to_have_text("Amber")
    expect(priority).to_contain_text("Lives alone with no support: at least amber")
    assert_accessible(page)

    navigation.get_by_role("link", name="Waiting list").click()
    page.wait_for_url(f"{base}/work/waiting-list/")
    rows = page.locator("tbody tr", has_text="Mary Smith")
    expect(rows).to_have_count(2)  # both pieces of work wait on the one central list, rated alike
    row = rows.filter(has_text=OT_ROUTE_LABEL)
    expect(row.locator(".govuk-tag")).to_have_text("Amber")
    expect(rows.filter(has_text="Carer").locator(".govuk-tag")).to_have_text("Amber")
    assert_accessible(page)


def test_a_ward_partner_refers_through_the_web_form_and_cannot_open_the_waiting_list(
    page: Page, live_server: Any, partner: Persona
) -> None:
    base = live_server.url
    signed_in(page, base, partner)
    navigation = page.locator(".govuk-service-navigation")
    expect(navigation.get_by_role("link", name="Waiting list")).to_have_count(0)
    navigation.get_by_role("link", name="Your referrals").click()
    page.wait_for_url(f"{base}/front-door/my-referrals/")
    expect(page.locator("main")).to_contain_text("Your organisation has not made any referrals yet.")
    assert_accessible(page)

    page.get_by_role("button", name="Make a referral").click()  # a GOV.UK start-style link button
    page.wait_for_url(f"{base}/front-door/contacts/new/")
    expect(page.locator("h1")).to_have_text("Make a referral to adult social care")
    expect(page.get_by_role("button", name="Check for existing records")).to_have_count(0)
    expect(page.get_by_label("Their name (optional)")).to_have_value("Nina Patel")
    expect(page.get_by_label("Their organisation (optional)")).to_have_value("Royal Free London NHS Foundation Trust")
    assert_accessible(page)

    in_group(page, "Who is getting in touch?").get_by_label("Hospital", exact=True).check()
    page.get_by_label("Why are they getting in touch?").fill("Medically fit for discharge from Ward 7 on Friday")
    page.get_by_label("What does the person want? (optional)").fill("To go home to her cat")
    in_group(page, "How urgent is it?").get_by_label("Soon – within a few days").check()
    in_group(page, "Is anyone at immediate risk?").get_by_label("No", exact=True).check()
    in_group(page, "Does the person agree to information being shared?").get_by_label(
        "Yes, they agree to information being shared"
    ).check()
    page.get_by_label("First name (optional)").fill("Edith")
    page.get_by_label("Last name (optional)").fill("Crawley")
    page.get_by_role("button", name="Send referral").click()

    page.wait_for_url(re.compile(r"/front-door/contacts/[0-9a-f-]{36}/$"))
    contact = Contact.objects.get()
    assert page.url == f"{base}/front-door/contacts/{contact.pk}/"
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Contact {contact.reference} saved")
    expect(page.locator("h1")).to_have_text(f"Referral {contact.reference}")
    expect(page.locator(".govuk-summary-list__row", has_text="Status")).to_contain_text("Awaiting triage")
    expect(page.locator(".govuk-summary-list__row", has_text="Passed to")).to_contain_text("Not yet decided")
    assert_accessible(page)
    assert (contact.channel, contact.person, contact.organisation) == ("web_form", None, partner.team.organisation)

    page.get_by_role("link", name="Back to your organisation's referrals").click()
    page.wait_for_url(f"{base}/front-door/my-referrals/")
    row = page.locator("tbody tr", has_text=contact.reference)
    expect(row).to_contain_text("Edith Crawley")
    expect(row.locator(".govuk-tag")).to_have_text("Awaiting triage")
    assert_accessible(page)

    # The council's waiting list is not theirs to see.
    response = page.goto(f"{base}/work/waiting-list/")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("You do not have permission to do this")
    assert_accessible(page)


def test_an_officer_corrects_a_contact_by_keyboard_and_the_matches_are_offered_again(
    page: Page, live_server: Any, officer: Persona, mary: Person
) -> None:
    base = live_server.url
    contact = _gp_contact(officer, None, family_name="Smyth", date_of_birth=None, postcode="", urgency="soon")
    signed_in(page, base, officer)
    page.goto(f"{base}/front-door/contacts/{contact.pk}/")
    expect(page.locator("h1")).to_contain_text("Unidentified contact")
    open_by_keyboard(page, f"/front-door/contacts/{contact.pk}/edit/")
    expect(page.locator("h1")).to_have_text("Change the details")
    expect(page.locator("#id_family_name")).to_have_value("Smyth")
    assert_accessible(page)

    # The GP rings back: it is urgent, and the name, date of birth and postcode were misheard.
    choose_by_keyboard(page, "urgency", "urgent")
    tab_to(page, "#id_family_name", limit=120)
    page.keyboard.press("Control+A")
    page.keyboard.type("Smith")
    type_into(page, "#date_of_birth_day", "27")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("1941")
    type_into(page, "#id_postcode", "NW5 1AB")
    tab_to(page, 'main form button[type="submit"]', limit=120)
    page.keyboard.press("Enter")

    # Without saying why, the change is refused and the error leads to the field.
    expect(page).to_have_title(re.compile(r"^Error: Change contact"))
    expect_error_links_reach_fields(page, ["#id_why"])
    assert_accessible(page)
    type_into(page, "#id_why", "The GP rang back: she fell again this morning")
    tab_to(page, 'main form button[type="submit"]', limit=120)
    page.keyboard.press("Enter")

    page.wait_for_url(f"{base}/front-door/contacts/{contact.pk}/#person")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(f"Contact {contact.reference} updated.")
    expect(banner).to_contain_text("check the likely matches")
    expect(page.locator("#link")).to_contain_text(f"This is the person: Mary Smith ({mary.reference})")
    changes = page.locator("table", has_text="Was")
    expect(changes).to_contain_text("Soon – within a few days")
    expect(changes).to_contain_text("Urgent – needs action today")
    expect(changes).to_contain_text("Smyth")
    expect(page.locator("main")).to_contain_text("Why: The GP rang back: she fell again this morning")
    assert_accessible(page)
    contact.refresh_from_db()
    assert (contact.urgency, contact.family_name, contact.revisions.count()) == ("urgent", "Smith", 1)


def test_a_manager_records_two_look_alike_records_as_different_people_and_undoes_it(
    page: Page, live_server: Any, ot_manager: Persona
) -> None:
    base = live_server.url
    born = date(1938, 6, 1)
    for _ in range(2):  # twins: the same name on record, the same birthday
        PersonFactory.create(given_name="Joan", family_name="Oduya", date_of_birth=born, nhs_number=None)
    signed_in(page, base, ot_manager)
    page.goto(f"{base}/front-door/duplicates/")
    expect(page.locator("main")).to_contain_text("1 possible duplicate pair")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Different people")).click()
    page.wait_for_url(re.compile(r"/front-door/duplicates/different-people/\?first="))
    expect(page.locator("h1")).to_have_text("Record that these are different people")
    assert_accessible(page)
    page.get_by_label("Why are these different people?").fill("Twin sisters: the GP practice holds two NHS numbers")
    page.get_by_role("button", name="Record as different people").click()

    page.wait_for_url(f"{base}/front-door/duplicates/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("recorded as different people")
    expect(page.locator("main")).to_contain_text("No likely duplicates found.")
    decisions = page.locator("table", has_text="Why they are different")
    expect(decisions).to_contain_text("Twin sisters: the GP practice holds two NHS numbers")
    assert_accessible(page)

    decisions.get_by_role("button", name=re.compile(r"^Undo")).click()
    page.wait_for_url(f"{base}/front-door/duplicates/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Decision undone")
    expect(page.locator("main")).to_contain_text("1 possible duplicate pair")
    expect(decisions).to_contain_text("Undone by Morgan Reid")
    assert_accessible(page)


def test_every_front_door_waiting_list_dashboard_and_inbox_page_passes_axe(
    page: Page,
    live_server: Any,
    officer: Persona,
    ot_manager: Persona,
    ot_worker: Persona,
    ot_team: Team,
    team: Team,
    mary: Person,
) -> None:
    base = live_server.url
    today = timezone.localdate()
    waiting = _triaged_to_ot(officer, mary)
    harold: Person = PersonFactory.create(given_name="Harold", family_name="Brown", postcode="NW5 3CC")
    work.open_work(person=harold, kind="assessment", team=team, title="Care Act assessment", by=None)  # green
    albert: Person = PersonFactory.create(given_name="Albert", family_name="Jones", postcode="NW5 2BB")
    held = _triaged_to_ot(officer, albert, likelihood=4, impact=4)  # red, and held by the worker
    work.allocate(work_item=held, to_user=ot_worker.user, by=ot_manager.user, expected_owner_id=None)
    identified = _gp_contact(officer, mary, reason="Asking about a blue badge", urgency="routine")
    unidentified = _gp_contact(officer, None, given_name="Mary", family_name="Smith", urgency="urgent")
    born = date(1938, 6, 1)
    twice = [  # one person recorded twice
        PersonFactory.create(given_name="Joan", family_name="Oduya", date_of_birth=born, nhs_number=None)
        for _ in range(2)
    ]
    swept = work.sweep_breaches(today=today + timedelta(days=60))
    assert swept.detected >= 1 and Notification.objects.filter(recipient=ot_manager.user).exists()

    signed_in(page, base, ot_manager)
    pages = {
        "/front-door/": "Front door: contacts awaiting triage",
        f"/front-door/contacts/{identified.pk}/": "Mary Smith",
        f"/front-door/contacts/{unidentified.pk}/": "Unidentified contact",
        f"/front-door/contacts/{identified.pk}/edit/": "Change the details",
        "/front-door/duplicates/": "Possible duplicate records",
        f"/front-door/duplicates/different-people/?first={twice[0].pk}&second={twice[1].pk}": "different people",
        "/work/duty/": "Duty: unallocated work",
        f"/work/items/{waiting.pk}/": waiting.title,
        "/dashboard/": "Whole service",
        "/dashboard/supervision/": "Supervision",
        f"/dashboard/supervision/{ot_worker.user.pk}/": "Olu Adebayo",
        "/inbox/": "Inbox",
    }
    for path, heading in pages.items():
        response = page.goto(base + path)
        assert response is not None and response.ok, path
        expect(page.locator("h1")).to_contain_text(heading)
        main = page.locator("main")
        if path == "/front-door/":
            expect(main.locator("tbody tr")).to_have_count(2)
            expect(main.locator("tbody tr", has_text=unidentified.reference)).to_contain_text("Unidentified")
        elif path == f"/front-door/contacts/{unidentified.pk}/":
            expect(main).to_contain_text(f"This is the person: Mary Smith ({mary.reference})")
        elif path == "/front-door/duplicates/":
            expect(main).to_contain_text("1 possible duplicate pair")
        elif path == "/work/duty/":
            expect(main).to_contain_text("1 unallocated")
        elif path == f"/work/items/{waiting.pk}/":
            expect(page.locator(".govuk-warning-text")).to_contain_text("Waiting past the allocation timescale")
        elif path == f"/dashboard/supervision/{ot_worker.user.pk}/":
            expect(main).to_contain_text("Albert Jones: Occupational therapy assessment")
        elif path == "/inbox/":
            expect(main).to_contain_text("Waiting past the allocation timescale: Mary Smith")
        assert_accessible(page)

    # The waiting list with filters applied, through its form.
    page.goto(f"{base}/work/waiting-list/")
    expect(page.locator("caption")).to_have_text("2 waiting")  # the red item is allocated: off the list
    assert_accessible(page)
    page.get_by_label("Team", exact=True).select_option(label="Occupational therapy duty")
    page.get_by_label("Priority", exact=True).select_option(label="Amber – medium risk")
    page.get_by_label("Type of work").select_option(label=OT_ROUTE_LABEL)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(rf"/work/waiting-list/\?team={ot_team.pk}&.*priority=amber"))
    expect(page.locator("caption")).to_have_text("1 waiting")
    expect(page.locator("tbody tr")).to_contain_text("Mary Smith")
    expect(page.get_by_label("Priority", exact=True)).to_have_value("amber")
    assert_accessible(page)

    # The dashboard for one team, chosen from its form.
    page.goto(f"{base}/dashboard/")
    page.get_by_label("Team", exact=True).select_option(label="Occupational therapy duty")
    page.get_by_role("button", name="Show dashboard").click()
    page.wait_for_url(re.compile(r"/dashboard/\?team=ot-duty"))
    expect(page.locator("h1")).to_have_text("Occupational therapy duty")
    assert_accessible(page)
    expect_axe_to_catch_a_violation(page)
