from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from safepathways.accounts.models import Team
from safepathways.accounts.services import issue_api_token
from safepathways.audit.models import AccessBasis, AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.people.tests.factories import PersonFactory
from safepathways.work import services
from safepathways.work.models import KeepInTouch, RiskFlag, WorkItem

URL = "/api/v1/waiting-list/"


def _api(persona: Persona) -> APIClient:
    client = APIClient(HTTP_HOST="127.0.0.1")
    _, key = issue_api_token(user=persona.user, name="t")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _item(team: Team, **kwargs: Any) -> WorkItem:
    defaults: dict[str, Any] = {"kind": "assessment", "title": "Assessment"}
    defaults.update(kwargs)
    return services.open_work(person=PersonFactory(), team=team, by=None, **defaults)


@pytest.mark.parametrize(
    ("persona", "expected"), [("partner", 403), ("ig_officer", 403), ("director", 200), ("social_worker", 200)]
)
def test_list_access_matrix(persona: str, expected: int, team: Team, request: pytest.FixtureRequest) -> None:
    _item(team)
    assert _api(request.getfixturevalue(persona)).get(URL).status_code == expected


def test_anonymous_gets_401(db: None) -> None:
    assert APIClient(HTTP_HOST="127.0.0.1").get(URL).status_code == 401


def test_list_filters_and_orders(social_worker: Persona, team: Team, other_team: Team) -> None:
    _item(team, likelihood=1, impact=1)
    _item(other_team, likelihood=5, impact=5)
    results = _api(social_worker).get(URL).json()["results"]
    assert [r["priority"] for r in results] == ["red", "green"]
    only = _api(social_worker).get(URL, {"team": team.slug}).json()["results"]
    assert [r["team"] for r in only] == [team.slug]


def test_bad_filters_name_the_field(social_worker: Persona) -> None:
    response = _api(social_worker).get(URL, {"priority": "purple", "team": "nowhere"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"priority"}


@pytest.mark.parametrize("rows", [1, 20])
def test_list_query_count_is_constant(
    social_worker: Persona, team: Team, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        _item(team)
    client = _api(social_worker)
    # token, token last-used, memberships, count, page
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert response.json()["count"] == rows


def test_read_logs_access_on_the_shared_list(other_team_worker: Persona, team: Team) -> None:
    item = _item(team, story="Needs a stair rail")
    body = _api(other_team_worker).get(f"{URL}{item.pk}/").json()
    assert body["story"] == "Needs a stair rail"
    assert AccessEvent.objects.get().basis == AccessBasis.WAITING_LIST


def test_keep_in_touch_and_rating(social_worker: Persona, team: Team) -> None:
    item = _item(team)
    client = _api(social_worker)
    response = client.post(
        f"{URL}{item.pk}/keep-in-touch/",
        {"method": "phone", "summary": "Fell again", "situation_changed": True, "likelihood": 4, "impact": 4},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["priority"] == "red"
    assert KeepInTouch.objects.count() == 1
    bad = client.post(f"{URL}{item.pk}/rating/", {"likelihood": 9, "impact": 1, "why": ""}, format="json")
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"likelihood", "why"}


def test_allocation_and_stale_conflict(social_worker: Persona, team_manager: Persona, team: Team) -> None:
    item = _item(team)
    first = _api(social_worker).post(
        f"{URL}{item.pk}/allocation/", {"to_user": social_worker.user.pk, "expected_owner": None}, format="json"
    )
    assert first.status_code == 200
    assert first.json()["allocated_to"] == social_worker.user.pk
    stale = _api(team_manager).post(
        f"{URL}{item.pk}/allocation/", {"to_user": team_manager.user.pk, "expected_owner": None}, format="json"
    )
    # A clash with the record as it now stands is a conflict, as the schema documents; not a bad request.
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["field"] == "to_user"
    assert "Someone else changed this allocation" in stale.json()["detail"]
    # Any other refusal stays a 400: allocating to whoever already holds it.
    again = _api(social_worker).post(
        f"{URL}{item.pk}/allocation/",
        {"to_user": social_worker.user.pk, "expected_owner": social_worker.user.pk},
        format="json",
    )
    assert again.status_code == 400


def test_keep_in_touch_new_risk_flags_re_rate_the_entry(social_worker: Persona, team: Team) -> None:
    item = _item(team)  # 2 × 2: green; carer breakdown is at least amber (seeded, migration 0003)
    response = _api(social_worker).post(
        f"{URL}{item.pk}/keep-in-touch/",
        {"method": "phone", "summary": "Daughter can no longer care", "risk_flags": ["carer-breakdown"]},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["priority"] == "amber"
    assert body["risk_flags"] == ["carer-breakdown"]
    assert (body["likelihood"], body["impact"]) == (2, 2)


def test_keep_in_touch_without_flags_leaves_them_alone(social_worker: Persona, team: Team) -> None:
    item = _item(team, flags=["carer-breakdown"])
    response = _api(social_worker).post(
        f"{URL}{item.pk}/keep-in-touch/", {"method": "phone", "summary": "No change"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["risk_flags"] == ["carer-breakdown"]
    assert item.triages.count() == 1


def test_keep_in_touch_records_when_it_happened_and_refuses_the_future(social_worker: Persona, team: Team) -> None:
    item = _item(team)
    client = _api(social_worker)
    when = timezone.now() - timedelta(days=3)
    response = client.post(
        f"{URL}{item.pk}/keep-in-touch/",
        {"method": "visit", "summary": "Home visit", "contacted_at": when.isoformat()},
        format="json",
    )
    assert response.status_code == 201
    assert KeepInTouch.objects.get().contacted_at == when
    future = client.post(
        f"{URL}{item.pk}/keep-in-touch/",
        {"method": "visit", "summary": "Home visit", "contacted_at": (timezone.now() + timedelta(hours=2)).isoformat()},
        format="json",
    )
    assert future.status_code == 400
    assert future.json()["errors"][0]["field"] == "contacted_at"


@pytest.mark.parametrize(("persona", "expected"), [("partner", 403), ("director", 403)])
def test_writes_refused_change_nothing(persona: str, expected: int, team: Team, request: pytest.FixtureRequest) -> None:
    item = _item(team)
    before = AuditEvent.objects.count()
    client = _api(request.getfixturevalue(persona))
    assert (
        client.post(f"{URL}{item.pk}/keep-in-touch/", {"method": "phone", "summary": "x"}, format="json").status_code
        == expected
    )
    assert (
        client.post(f"{URL}{item.pk}/rating/", {"likelihood": 5, "impact": 5, "why": "x"}, format="json").status_code
        == expected
    )
    assert AuditEvent.objects.count() == before + 1  # only the token issue


def test_re_rating_with_the_entrys_own_flags_tolerates_one_switched_off_since(
    social_worker: Persona, team: Team
) -> None:
    item = _item(team, flags=["lives-alone"])
    RiskFlag.objects.filter(code="lives-alone").update(is_active=False)
    client = _api(social_worker)
    flags = client.get(f"{URL}{item.pk}/").json()["risk_flags"]
    response = client.post(
        f"{URL}{item.pk}/rating/", {"likelihood": 4, "impact": 4, "risk_flags": flags, "why": "Fell"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["priority"], response.json()["risk_flags"]) == ("red", ["lives-alone"])
    # A switched-off flag the entry does not carry is still refused, against its field.
    other = _item(team)
    refused = client.post(
        f"{URL}{other.pk}/rating/", {"likelihood": 1, "impact": 1, "risk_flags": flags, "why": "x"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "risk_flags"
