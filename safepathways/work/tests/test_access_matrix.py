"""Who may use each work URL, web and API: anonymous, a partner, another team's worker, the team's social worker,
its team manager and a director. Every URL of work.urls and work.api_urls is here (the first test checks)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from rest_framework.test import APIClient

from safepathways.accounts.models import Team
from safepathways.conftest import Persona
from safepathways.people.tests.factories import PersonFactory
from safepathways.tests.access_matrix import DECLARE, SIGN_IN, api_client, check, web_client
from safepathways.work import api_urls, services, urls
from safepathways.work.models import KeepInTouch, WorkItem

PERSONAS = ["anonymous", "partner", "other_team_worker", "social_worker", "team_manager", "director"]

# Web pages read with GET: the status for each persona, with the item waiting on the shared list.
WEB_PAGES = [
    "waiting_list",
    "duty",
    "reassign",
    "detail",
    "keep_in_touch",
    "retriage",
    "return",
    "close",
    "letter",
    "transfer",
    "transfer_team",
]
READERS: dict[str, int | str] = {"anonymous": SIGN_IN, "partner": 403, "other_team_worker": 200, "social_worker": 200}
GET_EXPECTED: dict[str, dict[str, int | str]] = {
    # Council practitioners and directors read the central list, the duty view and a waiting item.
    "waiting_list": READERS | {"team_manager": 200, "director": 200},
    "duty": READERS | {"team_manager": 200, "director": 200},
    "detail": READERS | {"team_manager": 200, "director": 200},
    # Only the team's managers reassign its caseloads, or move a piece of its work to another team.
    **{
        page: {
            "anonymous": SIGN_IN,
            "partner": 403,
            "other_team_worker": 403,
            "social_worker": 403,
            "team_manager": 200,
            "director": 403,
        }
        for page in ("transfer", "transfer_team")
    },
    "reassign": {
        "anonymous": SIGN_IN,
        "partner": 403,
        "other_team_worker": 403,
        "social_worker": 403,
        "team_manager": 200,
        "director": 403,
    },
    # Working on an item is for practitioners: a director reads but does not work cases.
    **{
        page: READERS | {"team_manager": 200, "director": 403}
        for page in ("keep_in_touch", "retriage", "return", "close", "letter")
    },
}
# Once the work is allocated, another team's worker must declare a relationship with the person first.
ITEM_PAGES = ["detail", "keep_in_touch", "retriage", "return", "close", "letter", "transfer"]


def _item(team: Team) -> WorkItem:
    return services.open_work(person=PersonFactory(), kind="assessment", team=team, title="Assessment", by=None)


def _web(name: str, request: pytest.FixtureRequest) -> Client:
    return web_client(name, request)


def _api(name: str, request: pytest.FixtureRequest) -> APIClient:
    return api_client(name, request)


def _web_url(page: str, item: WorkItem) -> str:
    if page in ("waiting_list", "duty"):
        return reverse(f"work:{page}")
    if page in ("reassign", "transfer_team"):
        return reverse(f"work:{page}", args=[item.team.slug])
    return reverse(f"work:{page}", args=[item.pk])


def test_every_work_url_is_in_the_matrix() -> None:
    web = {p.name for p in urls.urlpatterns if isinstance(p, URLPattern)}
    api = {p.name for p in api_urls.urlpatterns if isinstance(p, URLPattern)}
    assert web == set(WEB_PAGES) | set(WEB_ACTIONS)
    assert api == set(API_EXPECTED)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", WEB_PAGES)
def test_web_pages_of_waiting_work(page: str, persona: str, team: Team, request: pytest.FixtureRequest) -> None:
    item = _item(team)
    check(_web(persona, request).get(_web_url(page, item)), GET_EXPECTED[page][persona])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ITEM_PAGES)
def test_web_pages_of_allocated_work(
    page: str, persona: str, team: Team, social_worker: Persona, request: pytest.FixtureRequest
) -> None:
    item = _item(team)
    services.allocate(work_item=item, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    expected = GET_EXPECTED[page][persona]
    if persona == "other_team_worker" and expected == 200:
        expected = DECLARE
    check(_web(persona, request).get(_web_url(page, item)), expected)


# Web actions (POST): what is sent, whether the work is allocated first, and how to tell it was done.
def _allocated_to(name: str) -> Callable[[WorkItem, dict[str, Persona]], bool]:
    return lambda item, people: item.allocated_to_id == people[name].user.pk


WEB_ACTIONS: dict[str, tuple[dict[str, Any], bool, Callable[[WorkItem, dict[str, Persona]], bool]]] = {
    "take": ({"expected_owner": ""}, False, lambda item, people: item.allocated_to_id is not None),
    "allocate": ({"expected_owner": ""}, False, _allocated_to("social_worker")),
    "keep_in_touch": ({"method": "phone", "summary": "Coping"}, False, lambda item, _: item.keep_in_touch.exists()),
    "retriage": ({"likelihood": 5, "impact": 5, "why": "Fell"}, False, lambda item, _: item.priority == "red"),
    "return": ({"reason": "Long-term absence"}, True, lambda item, _: item.allocated_to_id is None),
    "close": ({"outcome": "Assessed"}, False, lambda item, _: item.closed_at is not None),
    "letter_sent": ({}, False, lambda item, _: item.keep_in_touch.filter(method="letter").exists()),
    "transfer": ({"reason": "Moved home"}, True, lambda item, people: item.team_id != people["team_manager"].team.pk),
}
REFUSED: dict[str, tuple[int | str, bool]] = {
    "anonymous": (SIGN_IN, False),
    "partner": (403, False),
    "director": (403, False),
}
# (status, done) for those the permission layer lets through: the services' own rules decide the rest.
POST_EXPECTED: dict[str, dict[str, tuple[int | str, bool]]] = {
    # Self-allocation is for members of the team: another team's worker is told no (a message, then the page).
    "take": REFUSED | {"other_team_worker": (302, False), "social_worker": (302, True), "team_manager": (302, True)},
    # Allocating to the team's social worker: themself, or by their manager. Only a team manager allocates to
    # someone else: another team's worker sees the form again with the error.
    "allocate": REFUSED
    | {"other_team_worker": (200, False), "social_worker": (302, True), "team_manager": (302, True)},
    # Returning allocated work: its worker or a manager; another team's worker must declare a relationship first.
    "return": REFUSED
    | {"other_team_worker": (DECLARE, False), "social_worker": (302, True), "team_manager": (302, True)},
    # Only a manager of the team holding the work moves it to another team.
    "transfer": REFUSED
    | {"other_team_worker": (403, False), "social_worker": (403, False), "team_manager": (302, True)},
    # Waiting work is worked from the shared list by any council practitioner (ADR-011).
    **{
        action: REFUSED | {"other_team_worker": (302, True), "social_worker": (302, True), "team_manager": (302, True)}
        for action in ("keep_in_touch", "retriage", "close", "letter_sent")
    },
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(WEB_ACTIONS))
def test_web_actions(
    action: str,
    persona: str,
    team: Team,
    other_team: Team,
    social_worker: Persona,
    team_manager: Persona,
    request: pytest.FixtureRequest,
) -> None:
    data, allocated_first, done = WEB_ACTIONS[action]
    item = _item(team)
    if allocated_first:
        services.allocate(work_item=item, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    if action == "allocate":
        data = data | {"to_user": social_worker.user.pk}
    if action == "transfer":
        data = data | {"to_team": other_team.pk}
    status, changed = POST_EXPECTED[action][persona]

    check(_web(persona, request).post(reverse(f"work:{action}", args=[item.pk]), data), status)

    item.refresh_from_db()
    assert done(item, {"social_worker": social_worker, "team_manager": team_manager}) is changed


# The API: the same rules. Reads 200, writes as the web (a refusal by a service is a 400).
API_READERS = {"anonymous": 401, "partner": 403, "other_team_worker": 200, "social_worker": 200, "team_manager": 200}
API_WRITERS = {"anonymous": 401, "partner": 403, "director": 403}
API_EXPECTED: dict[str, dict[str, int]] = {
    "waiting_list": API_READERS | {"director": 200},
    "waiting_list_entry": API_READERS | {"director": 200},
    "waiting_list_rating": API_WRITERS | {"other_team_worker": 200, "social_worker": 200, "team_manager": 200},
    "waiting_list_keep_in_touch": API_WRITERS | {"other_team_worker": 201, "social_worker": 201, "team_manager": 201},
    # Allocating to the team's social worker: themself, or by their manager; another team's worker is refused.
    "waiting_list_allocation": API_WRITERS | {"other_team_worker": 400, "social_worker": 200, "team_manager": 200},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(API_EXPECTED))
def test_api(name: str, persona: str, team: Team, social_worker: Persona, request: pytest.FixtureRequest) -> None:
    item = _item(team)
    client = _api(persona, request)
    url = reverse(f"api:{name}") if name == "waiting_list" else reverse(f"api:{name}", args=[item.pk])
    payload: dict[str, dict[str, Any]] = {
        "waiting_list_rating": {"likelihood": 5, "impact": 5, "why": "Fell"},
        "waiting_list_keep_in_touch": {"method": "phone", "summary": "Coping"},
        "waiting_list_allocation": {"to_user": social_worker.user.pk, "expected_owner": None},
    }
    response = client.post(url, payload[name], format="json") if name in payload else client.get(url)

    assert response.status_code == API_EXPECTED[name][persona]
    item.refresh_from_db()
    written = item.priority == "red" or KeepInTouch.objects.exists() or item.allocated_to_id is not None
    assert written is (response.status_code in (200, 201) and name in payload)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_entry_of_allocated_work(
    persona: str, team: Team, social_worker: Persona, request: pytest.FixtureRequest
) -> None:
    item = _item(team)
    services.allocate(work_item=item, to_user=social_worker.user, by=social_worker.user, expected_owner_id=None)
    expected = API_EXPECTED["waiting_list_entry"][persona]
    if persona == "other_team_worker":
        expected = 403  # no relationship with the person, and the work is no longer on the shared list
    assert _api(persona, request).get(reverse("api:waiting_list_entry", args=[item.pk])).status_code == expected


# Moving a team's work to another team (a change of boundaries): only the team's manager does it.
TRANSFER_TEAM_POST = {
    "anonymous": SIGN_IN,
    "partner": 403,
    "other_team_worker": 403,
    "social_worker": 403,
    "team_manager": 302,
    "director": 403,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_moving_a_teams_work(persona: str, team: Team, other_team: Team, request: pytest.FixtureRequest) -> None:
    item = _item(team)
    url = reverse("work:transfer_team", args=[team.slug])
    response = _web(persona, request).post(url, {"to_team": other_team.pk, "reason": "New boundaries"})
    check(response, TRANSFER_TEAM_POST[persona])
    item.refresh_from_db()
    assert (item.team_id == other_team.pk) is (persona == "team_manager")
