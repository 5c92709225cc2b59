"""Browser journeys in Debian's Chromium through Playwright, with axe-core on every page (STACK.md §8).

Run them apart from the rest of the suite: `pytest -m e2e`. NEVER `playwright install`: the system Chromium is used.
"""

import importlib
import os
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import BrowserContext

from safepathways.accounts.models import Role, Team
from safepathways.conftest import Persona
from safepathways.people.codes import ContactKind
from safepathways.people.models import Contact, Person
from safepathways.people.tests.factories import AlertFactory, ChronologyEntryFactory, PersonFactory, RiskFactory
from safepathways.work.tests.factories import WorkItemFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # no refused outbound connections
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in the test thread, and the ORM refuses to run under one.

    Set only while browser tests run (not at import), so the rest of the suite keeps Django's check.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _seeded_rows(request: pytest.FixtureRequest) -> None:
    """A transactional test ends by emptying every table, the rows data migrations seed included, so a later
    journey would find no settings or code lists. Seed them again before each journey (each seed is idempotent)."""
    if "transactional_db" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db")
    for module in sorted(Path(settings.BASE_DIR, "safepathways").glob("*/migrations/0*_seed_*.py")):
        app = module.parent.parent.name
        importlib.import_module(f"safepathways.{app}.migrations.{module.stem}").seed(django_apps, None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # bypass_csp lets axe be injected past the service's Content-Security-Policy.
    return {**browser_context_args, "bypass_csp": True, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture
def context(context: BrowserContext) -> BrowserContext:
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def no_js_context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    """A browser with JavaScript turned off: every journey must still work (progressive enhancement)."""
    context = new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def colleague(make_persona: Callable[..., Persona], team: Team) -> Persona:
    """A second member of the social worker's team, to own an alert."""
    return make_persona(team, Role.TEAM_MANAGER, name="Taylor Green")


@pytest.fixture
def client_person(social_worker: Persona, colleague: Persona) -> Person:
    """Someone the social worker's team works with, with enough on the record to exercise the whole person page."""
    person: Person = PersonFactory.create(
        given_name="Winifred",
        family_name="Ashworth",
        preferred_name="Winnie",
        postcode="NW5 1AB",
        phone="020 7946 0000",
        communication_needs="Hard of hearing: face her when speaking",
        about_me="I have lived on this street for 50 years and want to stay here.",
    )
    WorkItemFactory(team=social_worker.team, person=person, allocated_to=social_worker.user, due_on=_in_days(14))
    worker = social_worker.user
    AlertFactory(person=person, owner=colleague.user, raised_by=worker, reason="Dog in the home: ask to shut it away")
    AlertFactory(
        person=person, owner=worker, raised_by=worker, kind="fire_risk", reason="Smokes in bed", review_on=_in_days(-3)
    )
    RiskFactory(person=person, owner=worker, recorded_by=worker, persons_view="She says the pendant is enough.")
    Contact.objects.create(
        person=person,
        kind=ContactKind.FAMILY,
        name="June Ashworth",
        relationship="daughter",
        phone="07700 900123",
        is_main_contact=True,
    )
    ChronologyEntryFactory(person=person, summary="Phone call with daughter", detail="June is worried about falls.")
    # A namesake, so the search has more than one row and the journey has to pick the right one.
    PersonFactory(given_name="Walter", family_name="Ashworth", postcode="N19 3AA")
    return person


def _in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)
