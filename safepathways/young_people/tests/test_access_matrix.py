"""Who may use each young people URL, web and API: anonymous, a partner, another team's worker (no relationship with
the young person), the transitions team's worker, its team manager and a director (read only). Every URL of
young_people.urls and young_people.api_urls is here (the first test checks). A refused attempt changes nothing and
writes no audit event; a refused look writes no access event."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from safepathways.accounts.models import Role, Team
from safepathways.audit.models import AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.tests.access_matrix import DECLARE, SIGN_IN, api_client, check, web_client
from safepathways.transitions.models import Plan, PlanKind
from safepathways.young_people import api_urls, services, urls
from safepathways.young_people.milestones import Milestone
from safepathways.young_people.models import Workshop, YoungPerson
from safepathways.young_people.tests.factories import YoungPersonFactory, born

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "partner", "other_team_worker", "transitions_worker", "transitions_manager", "director"]


@pytest.fixture
def transitions_manager(make_persona: Callable[..., Persona], transitions_team: Team) -> Persona:
    return make_persona(transitions_team, Role.TEAM_MANAGER, name="Morgan Hale")


@dataclass
class World:
    """A care leaver of 17 on the tracker, with a planned move next month and a workshop offered to their aunt."""

    young_person: YoungPerson
    workshop: Workshop
    worker: Persona

    def refresh(self) -> None:
        self.young_person.refresh_from_db()
        self.workshop.refresh_from_db()


@pytest.fixture
def world(transitions_worker: Persona) -> World:
    young_person = YoungPersonFactory.create(
        person__date_of_birth=born(17, 3),
        is_care_leaver=True,
        planned_move_on=timezone.localdate() + timedelta(days=30),
    )
    workshop = services.record_workshop(
        young_person=young_person,
        offered_on=timezone.localdate(),
        topic="Money at 18",
        offered_to="Aunt",
        attendance="not_yet",
        by=transitions_worker.user,
    )
    return World(young_person, workshop, transitions_worker)


def _web(name: str, request: pytest.FixtureRequest) -> Client:
    return web_client(name, request)


def _api(name: str, request: pytest.FixtureRequest) -> APIClient:
    return api_client(name, request)


def _web_url(name: str, world: World) -> str:
    if name in ("tracker", "import"):
        return reverse(f"young_people:{name}")
    if name == "workshop_attendance":
        return reverse(f"young_people:{name}", args=[world.young_person.pk, world.workshop.pk])
    return reverse(f"young_people:{name}", args=[world.young_person.pk])


def _date(prefix: str, name: str, day: date) -> dict[str, object]:
    return {f"{prefix}-{name}_day": day.day, f"{prefix}-{name}_month": day.month, f"{prefix}-{name}_year": day.year}


# --- web pages (GET) -------------------------------------------------------------------------------------------------

WEB_PAGES = ["tracker", "import", "detail"]
# Everyone signed in: the base the rows below narrow.
SIGNED_IN: dict[str, int | str] = {**dict.fromkeys(PERSONAS, 200), "anonymous": SIGN_IN}
GET_EXPECTED: dict[str, dict[str, int | str]] = {
    # Council practitioners and oversight read the tracker; partners see nothing here.
    "tracker": SIGNED_IN | {"partner": 403},
    # Only the transitions team imports from children's services.
    "import": {
        "anonymous": SIGN_IN,
        "partner": 403,
        "other_team_worker": 403,
        "transitions_worker": 200,
        "transitions_manager": 200,
        "director": 403,
    },
    # The young person is the transitions team's caseload; anyone else declares a relationship first (ADR-004).
    "detail": {
        "anonymous": SIGN_IN,
        "partner": 403,
        "other_team_worker": DECLARE,
        "transitions_worker": 200,
        "transitions_manager": 200,
        "director": DECLARE,
    },
}


def test_every_young_people_url_is_in_the_matrix() -> None:
    web = {p.name for p in urls.urlpatterns if isinstance(p, URLPattern)}
    api = {p.name for p in api_urls.urlpatterns if isinstance(p, URLPattern)}
    assert web == set(WEB_PAGES) | set(WEB_ACTIONS)
    assert api == {call.split()[1] for call in API_EXPECTED}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", WEB_PAGES)
def test_web_pages(page: str, persona: str, world: World, request: pytest.FixtureRequest) -> None:
    client = _web(persona, request)
    looks, changes = AccessEvent.objects.count(), AuditEvent.objects.count()
    expected = GET_EXPECTED[page][persona]

    check(client.get(_web_url(page, world)), expected)

    if page == "detail":
        assert AccessEvent.objects.count() == looks + (1 if expected == 200 else 0)
    assert AuditEvent.objects.count() == changes


# --- web actions (POST) ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    data: Callable[[World], dict[str, Any]]  # what the page's form sends
    done: Callable[[World], bool]  # whether it was done


def _plan_started(kind: str) -> Callable[[World], bool]:
    return lambda w: Plan.objects.filter(person=w.young_person.person, kind=kind).exists()


def _upload(world: World) -> dict[str, Any]:
    content = (
        f"childrens_reference,given_name,family_name,date_of_birth,care_leaver\nCS-MATRIX,Amira,Hussain,{born(15)},no\n"
    )
    return {"file": SimpleUploadedFile("children.csv", content.encode(), "text/csv")}


ACTIONS: dict[str, Action] = {
    "import": Action(_upload, lambda w: YoungPerson.objects.filter(childrens_reference="CS-MATRIX").exists()),
    "record_milestone": Action(
        lambda w: {
            "milestone-code": Milestone.HEALTH_NOTIFIED,
            "milestone-outcome": "done",
            **_date("milestone", "done_on", timezone.localdate()),
        },
        lambda w: w.young_person.milestone_records.filter(code=Milestone.HEALTH_NOTIFIED).exists(),
    ),
    "allocate": Action(
        lambda w: {"worker-worker": w.worker.user.pk},
        lambda w: w.young_person.transitions_worker_id == w.worker.user.pk,
    ),
    "significant_benefit": Action(
        lambda w: {"benefit-decision": "yes", **_date("benefit", "decided_on", timezone.localdate())},
        lambda w: w.young_person.significant_benefit == "yes",
    ),
    "continuing_healthcare": Action(
        lambda w: {
            "health-decision": "no",
            "health-reason": "No complex health needs",
            **_date("health", "decided_on", timezone.localdate()),
        },
        lambda w: w.young_person.continuing_healthcare == "no",
    ),
    "planning_meeting": Action(
        lambda w: {
            "meeting-took_part": "yes",
            "meeting-attendees": "Amira, her aunt",
            "meeting-agreed": "Visit the college",
            **_date("meeting", "held_on", timezone.localdate()),
        },
        lambda w: w.young_person.planning_meetings.exists(),
    ),
    "workshop": Action(
        lambda w: {
            "workshop-topic": "Living on your own",
            "workshop-offered_to": "Aunt",
            "workshop-attendance": "not_yet",
            **_date("workshop", "offered_on", timezone.localdate()),
        },
        lambda w: w.young_person.workshops.filter(topic="Living on your own").exists(),
    ),
    "workshop_attendance": Action(lambda w: {"attendance": "attended"}, lambda w: w.workshop.attendance == "attended"),
    "care_leaver": Action(
        lambda w: {
            "care_leaver-personal_adviser_name": "Pat Adviser",
            "care_leaver-accommodation_status": "temporary",
            "care_leaver-homelessness_risk": "high",
            **_date("care_leaver", "planned_move_on", timezone.localdate() + timedelta(days=30)),
        },
        lambda w: w.young_person.personal_adviser_name == "Pat Adviser",
    ),
    "housing_referral": Action(
        lambda w: {
            "housing-referred_to": "Camden housing options",
            **_date("housing", "made_on", timezone.localdate()),
        },
        lambda w: w.young_person.housing_referral_to == "Camden housing options",
    ),
    "plan_adult_move": Action(lambda w: {}, _plan_started(PlanKind.CHILD_TO_ADULT)),
    "plan_accommodation_move": Action(lambda w: {}, _plan_started(PlanKind.CARE_LEAVER)),
}
WEB_ACTIONS = list(ACTIONS)
# Recording is for the transitions team and practitioners who work with the young person: another team's worker
# declares a relationship first; a director reads but does not record; partners see nothing here.
RECORDERS: dict[str, int | str] = {
    "anonymous": SIGN_IN,
    "partner": 403,
    "other_team_worker": DECLARE,
    "transitions_worker": 302,
    "transitions_manager": 302,
    "director": 403,
}
POST_EXPECTED: dict[str, dict[str, int | str]] = {
    **dict.fromkeys(ACTIONS, RECORDERS),
    "import": GET_EXPECTED["import"] | {"transitions_worker": 302, "transitions_manager": 302},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", WEB_ACTIONS)
def test_web_actions(action: str, persona: str, world: World, request: pytest.FixtureRequest) -> None:
    spec = ACTIONS[action]
    client = _web(persona, request)
    assert spec.done(world) is False
    changes = AuditEvent.objects.count()
    expected = POST_EXPECTED[action][persona]

    check(client.post(_web_url(action, world), spec.data(world)), expected)

    world.refresh()
    done = expected == 302
    assert spec.done(world) is done
    if done:
        assert AuditEvent.objects.count() > changes
    else:
        assert AuditEvent.objects.count() == changes


# --- the API ---------------------------------------------------------------------------------------------------------

API_EXPECTED: dict[str, dict[str, int]] = {
    # Council practitioners and oversight read the list, as they do the web tracker; it holds only whom they may open
    # (LISTED).
    "GET young_people": dict.fromkeys(PERSONAS, 200) | {"anonymous": 401, "partner": 403},
    "POST young_people": {
        "anonymous": 401,
        "partner": 403,
        "other_team_worker": 403,
        "transitions_worker": 201,
        "transitions_manager": 201,
        "director": 403,
    },
    # Without a relationship with the young person: 403, naming the declaration to make.
    "GET young_person": {
        "anonymous": 401,
        "partner": 403,
        "other_team_worker": 403,
        "transitions_worker": 200,
        "transitions_manager": 200,
        "director": 403,
    },
    "PATCH young_person": {
        "anonymous": 401,
        "partner": 403,
        "other_team_worker": 403,
        "transitions_worker": 200,
        "transitions_manager": 200,
        "director": 403,
    },
}
# Whether the API list holds the young person: the transitions team's caseload and an oversight list do; another
# team's worker, who must declare a relationship to open them, gets an empty list (and no look is logged).
LISTED = {"other_team_worker": False, "transitions_worker": True, "transitions_manager": True, "director": True}
API_WRITES: dict[str, tuple[dict[str, Any], Callable[[World], bool]]] = {
    "POST young_people": (
        {
            "childrens_reference": "CS-API",
            "given_name": "Amira",
            "family_name": "Hussain",
            "date_of_birth": "2010-01-02",
        },
        lambda w: YoungPerson.objects.filter(childrens_reference="CS-API").exists(),
    ),
    "PATCH young_person": (
        {"personal_adviser_name": "Pat Adviser"},
        lambda w: w.young_person.personal_adviser_name == "Pat Adviser",
    ),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("call", list(API_EXPECTED))
def test_api(call: str, persona: str, world: World, request: pytest.FixtureRequest) -> None:
    method, name = call.split()
    url = reverse(f"api:{name}") if name == "young_people" else reverse(f"api:{name}", args=[world.young_person.pk])
    client = _api(persona, request)
    looks, changes = AccessEvent.objects.count(), AuditEvent.objects.count()
    expected = API_EXPECTED[call][persona]
    payload, done = API_WRITES.get(call, (None, None))

    response = getattr(client, method.lower())(url, payload, format="json")

    assert response.status_code == expected, response.content[:500]
    world.refresh()
    if done is None:
        shown = expected == 200
        if call == "GET young_people" and shown:
            shown = LISTED[persona]
            listed = [row["id"] for row in response.json()["results"]]
            assert listed == ([str(world.young_person.pk)] if shown else [])
        assert AuditEvent.objects.count() == changes
        assert (AccessEvent.objects.count() > looks) is shown
        return
    written = expected in (200, 201)
    assert done(world) is written
    if written:
        assert AuditEvent.objects.count() > changes
    else:
        assert AuditEvent.objects.count() == changes


# A read-only role that is a member of the transitions team reads, as elsewhere: it neither records nor imports.
@pytest.mark.parametrize("action", ["record_milestone", "housing_referral", "import"])
def test_a_director_in_the_transitions_team_only_reads(
    action: str, world: World, make_persona: Callable[..., Persona], transitions_team: Team
) -> None:
    director = make_persona(transitions_team, Role.DIRECTOR, name="Dana Ives")
    spec = ACTIONS[action]
    changes = AuditEvent.objects.count()

    response = director.http.post(_web_url(action, world), spec.data(world))

    world.refresh()
    assert (response.status_code, spec.done(world), AuditEvent.objects.count()) == (403, False, changes)
