"""End-to-end journeys in a real Chromium, with axe-core's WCAG 2.2 A and AA rules run on every page visited.

Run apart from the rest of the suite: `pytest -m e2e` (SQLite), or with DATABASE_URL set for PostgreSQL.
"""

import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from safepathways.conftest import Persona
from safepathways.core.identifiers import nhs_number_in_test_range
from safepathways.people import services
from safepathways.people.codes import AccessReason
from safepathways.people.models import AccessGrantKind, Alert, ChronologyEntry, Person

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # pytest-playwright's own base_url fixture (not ours) trips a pytest 9 deprecation.
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

PASSWORD = "correct-horse-battery"
SCREENSHOT = Path(tempfile.gettempdir()) / "person-page.png"  # /tmp/person-page.png here

# --- axe-core -------------------------------------------------------------------------------------------------------

AXE_SOURCE = (Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# With JavaScript turned off Playwright can still evaluate code, but the page's timers never fire and axe's
# scheduler would wait for ever; these stand-ins run its callbacks as microtasks instead.
_INJECT_AXE = """([source, shimTimers]) => {
  if (shimTimers) {
    window.setTimeout = (fn, ms, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
    window.clearTimeout = () => {};
    window.requestAnimationFrame = (fn) => { Promise.resolve().then(() => fn(performance.now())); return 0; };
  }
  if (typeof window.axe === "undefined") { (0, eval)(source); }
}"""
_RUN_AXE = "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {' '.join(map(str, node['target']))}" for node in violation["nodes"][:10])
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Run axe on the page as it now stands and fail listing each violation's rule and elements."""
    page.wait_for_load_state("load")
    javascript_ran = page.evaluate("() => document.body.classList.contains('js-enabled')")
    page.evaluate(_INJECT_AXE, [AXE_SOURCE, not javascript_ran])
    violations = page.evaluate(_RUN_AXE, AXE_TAGS)["violations"]
    assert violations == [], f"axe: WCAG violations on {page.url}\n{_describe(violations)}"


# --- navigation helpers ---------------------------------------------------------------------------------------------


def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus, proving it can be reached by keyboard."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector):
            return
    raise AssertionError(f"{selector} never had focus after {limit} presses of Tab on {page.url}")


def sign_in(page: Page, base: str, user_email: str) -> None:
    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("Email address").fill(user_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    expect(page.locator("h1")).to_contain_text("Hello")


def error_links(page: Page) -> list[str]:
    hrefs: list[str] = page.locator(".govuk-error-summary a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return hrefs


def expect_error_links_reach_fields(page: Page, expected: list[str]) -> None:
    assert error_links(page) == expected
    for href in expected:
        expect(page.locator(href)).to_have_count(1)


def expect_axe_to_catch_a_violation(page: Page) -> None:
    """Control: an image without alternative text must be reported, so a clean run is not vacuous."""
    page.evaluate("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/nothing.png\">')")
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


def _review_date() -> Any:
    return timezone.localdate() + timedelta(days=60)


# --- journeys -------------------------------------------------------------------------------------------------------


def test_social_worker_finds_a_person_and_adds_an_alert_by_keyboard(
    page: Page, live_server: Any, social_worker: Persona, colleague: Persona, client_person: Person
) -> None:
    base, pk = live_server.url, client_person.pk

    # Sign in with the keyboard alone.
    page.goto(f"{base}/account/sign-in/")
    assert_accessible(page)
    tab_to(page, "#id_email")
    page.keyboard.type(social_worker.user.email)
    tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))
    assert_accessible(page)

    # Find the person from the service navigation.
    tab_to(page, '.govuk-service-navigation a[href="/people/"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/people/")
    assert_accessible(page)
    tab_to(page, "#id_q")
    page.keyboard.type("Ashworth")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/people/\?q=Ashworth"))
    expect(page.locator("#search-results h2")).to_have_text("2 people found")
    assert_accessible(page)

    # Open the record from the results.
    tab_to(page, f'#search-results a[href="/people/{pk}/"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/people/{pk}/")
    expect(page.locator("h1")).to_contain_text("Winifred Ashworth")
    assert_accessible(page)

    # Add an alert: radios by arrow keys, owner by typing in the select, the review date box by box, Enter to send.
    tab_to(page, f'a[href="/people/{pk}/alerts/new/"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/people/{pk}/alerts/new/")
    assert_accessible(page)
    tab_to(page, "#id_kind")
    page.keyboard.press("Space")
    expect(page.get_by_label("Risk to visiting staff")).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Safeguarding enquiry open")).to_be_checked()
    tab_to(page, "#id_reason")
    page.keyboard.type("Section 42 enquiry opened after a referral from the GP")
    tab_to(page, "#id_owner")
    expect(page.locator("#id_owner")).to_have_value(str(social_worker.user.pk))  # the worker by default
    page.keyboard.type("Taylor")
    expect(page.locator("#id_owner")).to_have_value(str(colleague.user.pk))
    review = _review_date()
    tab_to(page, "#review_on_day")
    page.keyboard.type(str(review.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(review.month))
    page.keyboard.press("Tab")
    expect(page.locator("#review_on_year")).to_be_focused()
    page.keyboard.type(str(review.year))
    page.keyboard.press("Enter")

    # Back on the record: the alert, its owner, and the chronology entry.
    page.wait_for_url(f"{base}/people/{pk}/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Alert added")
    alerts = page.locator("#alerts")
    expect(alerts).to_contain_text("Safeguarding enquiry open")
    expect(alerts).to_contain_text("Section 42 enquiry opened after a referral from the GP")
    expect(alerts.locator("li", has_text="Section 42")).to_contain_text("Owner Taylor Green")
    expect(page.locator("#chronology .moj-timeline__title").first).to_have_text(
        "Alert added: Safeguarding enquiry open"
    )
    assert_accessible(page)
    alert = Alert.objects.get(person=client_person, kind="safeguarding_open")
    assert (alert.owner, alert.raised_by, alert.review_on) == (colleague.user, social_worker.user, review)


def test_an_empty_alert_form_is_answered_with_an_error_summary_that_leads_to_each_field(
    page: Page, live_server: Any, social_worker: Persona, client_person: Person
) -> None:
    base, pk = live_server.url, client_person.pk
    sign_in(page, base, social_worker.user.email)
    page.goto(f"{base}/people/{pk}/alerts/new/")
    page.get_by_role("button", name="Add alert").click()

    expect(page).to_have_title(re.compile(r"^Error: Add an alert"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(summary).to_contain_text("There is a problem")
    expect_error_links_reach_fields(page, ["#id_kind", "#id_reason", "#review_on_day"])
    expect(page.locator("#id_reason")).to_have_attribute("aria-describedby", re.compile(r"\bid_reason-error\b"))
    expect(page.locator("#id_reason-error")).to_contain_text("Enter why this alert is needed")
    expect(page.locator("#review_on-error")).to_contain_text("Enter review date")
    assert_accessible(page)

    # From the summary, Tab and Enter move focus to the first field in error.
    page.keyboard.press("Tab")
    expect(summary.locator("a").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_kind")).to_be_focused()
    summary.get_by_role("link", name="Enter why this alert is needed").click()
    expect(page.locator("#id_reason")).to_be_focused()
    assert (
        not Alert.objects.filter(person=client_person)
        .exclude(reason__startswith="Dog")
        .exclude(reason="Smokes in bed")
        .exists()
    )


def test_everything_works_without_javascript(
    no_js_context: BrowserContext, live_server: Any, social_worker: Persona, client_person: Person
) -> None:
    page = no_js_context.new_page()
    base, pk = live_server.url, client_person.pk
    page.goto(f"{base}/account/sign-in/")
    expect(page.locator("body")).not_to_have_class(re.compile(r"js-enabled"))
    assert_accessible(page)
    sign_in(page, base, social_worker.user.email)
    assert_accessible(page)

    page.get_by_role("link", name="Find a person").click()
    page.get_by_label("Name, NHS number or council reference").fill("Ashworth")
    page.get_by_label("Postcode").fill("NW5")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-results h2")).to_have_text("1 person found")
    assert_accessible(page)
    page.get_by_role("link", name="ASHWORTH, Winifred").click()
    page.wait_for_url(f"{base}/people/{pk}/")
    assert_accessible(page)

    # The chronology filter is a plain GET form.
    page.get_by_label("Show").select_option("people")
    page.get_by_role("button", name="Filter chronology").click()
    page.wait_for_url(re.compile(r"category=people"))
    expect(page.locator("#chronology")).to_contain_text("Phone call with daughter")

    page.get_by_role("link", name="Add an alert").click()
    page.wait_for_url(f"{base}/people/{pk}/alerts/new/")
    # A first attempt without a reason: the summary is there (not focused, no JavaScript) and its links are anchors.
    page.get_by_label("Hoarding").check()
    page.get_by_role("button", name="Add alert").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect_error_links_reach_fields(page, ["#id_reason", "#review_on_day"])
    expect(page.get_by_label("Hoarding")).to_be_checked()  # answers are kept
    assert_accessible(page)
    page.locator(".govuk-error-summary").get_by_role("link", name="Enter why this alert is needed").click()
    expect(page).to_have_url(re.compile(r"#id_reason$"))

    review = _review_date()
    page.get_by_label("Why is this alert needed?").fill("Papers stacked by the boiler")
    page.get_by_label("Who owns this alert?").select_option(label="Sam Okafor")
    page.get_by_label("Day").fill(str(review.day))
    page.get_by_label("Month").fill(str(review.month))
    page.get_by_label("Year").fill(str(review.year))
    page.get_by_role("button", name="Add alert").click()
    # The browser carries the #id_reason fragment across the redirect.
    page.wait_for_url(re.compile(rf"/people/{pk}/(#id_reason)?$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Alert added")
    expect(page.locator("#alerts")).to_contain_text("Papers stacked by the boiler")
    expect(page.locator("#chronology")).to_contain_text("Alert added: Hoarding")
    assert_accessible(page)
    assert ChronologyEntry.objects.filter(person=client_person, summary="Alert added: Hoarding").count() == 1
    expect_axe_to_catch_a_violation(page)


def test_a_worker_from_another_team_declares_why_they_need_the_record(
    page: Page, live_server: Any, other_team_worker: Persona, client_person: Person
) -> None:
    base, pk = live_server.url, client_person.pk
    sign_in(page, base, other_team_worker.user.email)
    page.goto(f"{base}/people/?q=Winifred+Ashworth")
    page.get_by_role("link", name="ASHWORTH, Winifred").click()

    page.wait_for_url(f"{base}/people/{pk}/declare/?next=/people/{pk}/")
    expect(page.locator("h1")).to_have_text("You do not currently work with this person")
    assert_accessible(page)
    page.get_by_role("button", name="Open the record").click()
    expect_error_links_reach_fields(page, ["#id_reason", "#id_reason_detail"])
    assert_accessible(page)

    page.get_by_label("A safeguarding concern").check()
    page.get_by_label("Give details").fill("Duty call from a neighbour about Winifred")
    page.get_by_role("button", name="Open the record").click()
    page.wait_for_url(f"{base}/people/{pk}/")
    expect(page.locator("h1")).to_contain_text("Winifred Ashworth")
    expect(page.locator(".govuk-warning-text")).to_contain_text("declared working relationship")
    assert_accessible(page)
    grant = client_person.access_grants.get(user=other_team_worker.user)
    assert (grant.kind, grant.reason) == (AccessGrantKind.DECLARED, AccessReason.SAFEGUARDING)


def test_adding_a_person_answers_bad_input_field_by_field_then_saves(
    page: Page, live_server: Any, social_worker: Persona
) -> None:
    base = live_server.url
    good_nhs_number = next(n for s in range(424_242, 424_300) if (n := nhs_number_in_test_range(s)))
    bad_nhs_number = good_nhs_number[:9] + str((int(good_nhs_number[9]) + 1) % 10)
    sign_in(page, base, social_worker.user.email)

    page.get_by_role("link", name="Find a person").click()
    page.get_by_label("Name, NHS number or council reference").fill("Zebedee Quint")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-results h2")).to_have_text("No one found")
    assert_accessible(page)
    page.get_by_role("link", name="Add a new person").click()
    page.wait_for_url(f"{base}/people/new/")
    assert_accessible(page)

    next_year = str(timezone.localdate().year + 1)
    page.get_by_label("First name").fill("Zebedee")
    page.get_by_label("Last name").fill("Quint")
    dob = page.get_by_role("group", name="Date of birth")
    dob.get_by_label("Day").fill("27")
    dob.get_by_label("Month").fill("3")
    dob.get_by_label("Year").fill(next_year)
    page.get_by_label("NHS number (optional)").fill(bad_nhs_number)
    page.get_by_label("Postcode").fill("XY1 ZZZ")
    page.get_by_role("button", name="Add person").click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect_error_links_reach_fields(page, ["#date_of_birth_day", "#id_nhs_number", "#id_postcode"])
    expect(page.locator("#date_of_birth-error")).to_contain_text("Date of birth must be today or in the past")
    expect(page.locator("#id_nhs_number-error")).to_contain_text("correct check digit")
    expect(page.locator("#id_postcode-error")).to_contain_text("Enter a real UK postcode")
    expect(page.get_by_label("First name")).to_have_value("Zebedee")  # what was typed is kept
    assert_accessible(page)
    assert not Person.objects.filter(family_name="Quint").exists()

    dob.get_by_label("Year").fill("1947")
    page.get_by_label("NHS number (optional)").fill(good_nhs_number)
    page.get_by_label("Postcode").fill("nw5 1ab")
    page.get_by_role("button", name="Add person").click()

    # The creator holds a declared relationship from the moment they add someone: the record opens.
    person = Person.objects.get(family_name="Quint")
    page.wait_for_url(re.compile(rf"/people/{person.pk}/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Zebedee Quint has been added ({person.reference})"
    )
    assert_accessible(page)
    assert (person.nhs_number, person.postcode, str(person.date_of_birth)) == (good_nhs_number, "NW5 1AB", "1947-03-27")


def test_every_other_page_passes_axe(
    page: Page,
    new_context: Any,
    live_server: Any,
    social_worker: Persona,
    other_team_worker: Persona,
    ig_officer: Persona,
    client_person: Person,
) -> None:
    base, pk = live_server.url, client_person.pk
    response = page.goto(f"{base}/accessibility/")
    assert response is not None and response.ok
    assert_accessible(page)  # the statement, signed out
    sign_in(page, base, social_worker.user.email)
    expect(page.locator("main")).to_contain_text("Care Act assessment")  # home lists open work and alerts due
    expect(page.locator("main")).to_contain_text("Fire risk")
    assert_accessible(page)

    # Every page in the service navigation, whatever it holds today.
    navigation = page.locator(".govuk-service-navigation__list a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert {"/", "/people/", "/account/"} <= set(navigation)
    for path in navigation:
        response = page.goto(base + path)
        assert response is not None and response.ok, path
        assert_accessible(page)

    pages = {
        "/people/": "Find a person",
        "/people/?q=Ashworth": "Find a person",
        "/people/?q=&date_of_birth_day=31&date_of_birth_month=2&date_of_birth_year=1950": "Find a person",
        f"/people/{pk}/": "Winifred Ashworth",
        f"/people/{pk}/edit/": "Edit details",
        f"/people/{pk}/risks/new/": "Record a risk",
        f"/people/{pk}/contacts/new/": "Add someone in their network",
        "/account/": "",
        "/accessibility/": "Accessibility",
        "/api/v1/docs/": "Safe Pathways API",
    }
    for path, heading in pages.items():
        response = page.goto(base + path)
        assert response is not None and response.ok, path
        expect(page.locator("h1").first).to_contain_text(heading)
        assert_accessible(page)
        if path == f"/people/{pk}/":
            page.screenshot(path=str(SCREENSHOT), full_page=True)

    for path in ("/no-such-page/", "/people/00000000-0000-0000-0000-000000000000/"):
        response = page.goto(base + path)
        assert response is not None and response.status == 404, path
        expect(page.locator("h1")).to_have_text("Page not found")
        assert_accessible(page)

    # Information governance, with a declared relationship waiting for review.
    services.grant_access(
        person=client_person,
        user=other_team_worker.user,
        kind=AccessGrantKind.DECLARED,
        reason=AccessReason.COVERING_DUTY,
        reason_detail="Covering duty for the North West team",
    )
    ig_page = new_context().new_page()
    sign_in(ig_page, base, ig_officer.user.email)
    ig_page.get_by_role("link", name="Information governance").click()
    ig_page.wait_for_url(f"{base}/governance/")
    expect(ig_page.locator("main")).to_contain_text("Covering duty for the North West team")
    assert_accessible(ig_page)
    ig_page.get_by_role("link", name=re.compile(r"^Review")).click()
    expect(ig_page.locator("h1")).to_be_visible()
    assert_accessible(ig_page)
    ig_page.goto(f"{base}/governance/people/{pk}/")
    assert_accessible(ig_page)
    expect_axe_to_catch_a_violation(ig_page)
