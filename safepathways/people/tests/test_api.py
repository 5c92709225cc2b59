import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from safepathways.accounts.services import issue_api_token, revoke_api_token
from safepathways.audit.models import AccessEvent, AccessKind, AuditEvent
from safepathways.conftest import Persona
from safepathways.people.models import Person, Share
from safepathways.people.tests.factories import PersonFactory
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory

PEOPLE = "/api/v1/people/"


def _api(persona: Persona | None) -> APIClient:
    client = APIClient(HTTP_HOST="127.0.0.1")
    if persona is not None:
        _, key = issue_api_token(user=persona.user, name="test")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def client_person(social_worker: Persona) -> Person:
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    return item.person


def test_anonymous_gets_401_with_a_json_error(db: None) -> None:
    response = _api(None).get(PEOPLE)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoked_token_is_refused(social_worker: Persona) -> None:
    token, key = issue_api_token(user=social_worker.user, name="x")
    revoke_api_token(token=token, by=None)
    client = APIClient(HTTP_HOST="127.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(PEOPLE).status_code == 401


def test_read_person_logs_an_api_access_event(social_worker: Persona, client_person: Person) -> None:
    response = _api(social_worker).get(f"{PEOPLE}{client_person.pk}/")
    assert response.status_code == 200
    assert response.json()["reference"] == client_person.reference
    event = AccessEvent.objects.get()
    assert event.kind == AccessKind.API
    assert event.person_id == client_person.pk


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("partner", 404), ("other_team_worker", 403), ("director", 200), ("social_worker", 200)],
)
def test_read_access_matrix(persona: str, expected: int, client_person: Person, request: pytest.FixtureRequest) -> None:
    response = _api(request.getfixturevalue(persona)).get(f"{PEOPLE}{client_person.pk}/")
    assert response.status_code == expected
    if expected != 200:
        assert not AccessEvent.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("partner", 404), ("other_team_worker", 403), ("director", 403), ("social_worker", 200)],
)
def test_update_access_matrix(
    persona: str, expected: int, client_person: Person, request: pytest.FixtureRequest
) -> None:
    response = _api(request.getfixturevalue(persona)).patch(
        f"{PEOPLE}{client_person.pk}/", {"preferred_name": "Peg"}, format="json"
    )
    assert response.status_code == expected
    client_person.refresh_from_db()
    assert (client_person.preferred_name == "Peg") is (expected == 200)
    assert AuditEvent.objects.filter(action="person.updated").exists() is (expected == 200)


@pytest.mark.parametrize(("persona", "expected"), [("partner", 403), ("director", 403), ("social_worker", 201)])
def test_create_access_matrix(persona: str, expected: int, request: pytest.FixtureRequest) -> None:
    body = {"given_name": "Mary", "family_name": "Smith", "date_of_birth": "1941-03-27"}
    response = _api(request.getfixturevalue(persona)).post(PEOPLE, body, format="json")
    assert response.status_code == expected
    assert Person.objects.exists() is (expected == 201)


def test_create_a_restricted_record_then_read_it(social_worker: Persona, other_team_worker: Persona) -> None:
    client = _api(social_worker)
    body = {"given_name": "Mary", "family_name": "Smith", "is_restricted": True}
    response = client.post(PEOPLE, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["is_restricted"] is True
    url = f"{PEOPLE}{response.json()['id']}/"
    assert client.get(url).status_code == 200
    assert _api(other_team_worker).get(url).status_code == 403


def test_create_errors_name_each_field(social_worker: Persona) -> None:
    body = {"given_name": "", "family_name": "Smith", "nhs_number": "9990000019", "postcode": "nope", "gender": "x"}
    response = _api(social_worker).post(PEOPLE, body, format="json")
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"given_name", "nhs_number", "postcode", "gender"}
    assert not Person.objects.exists()


def test_create_refuses_a_future_date_of_birth_naming_the_field(social_worker: Persona) -> None:
    body = {"given_name": "Mary", "family_name": "Smith", "date_of_birth": "2999-01-01"}
    response = _api(social_worker).post(PEOPLE, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "date_of_birth", "message": "Date of birth must be today or in the past"}
    ]


def test_duplicate_nhs_number_is_a_409_pointing_at_the_existing_record(social_worker: Persona) -> None:
    existing = PersonFactory(nhs_number="9990000018")
    response = _api(social_worker).post(
        PEOPLE, {"given_name": "A", "family_name": "B", "nhs_number": "9990000018"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["existing"]["reference"] == existing.reference


def test_search_returns_identity_only(social_worker: Persona) -> None:
    PersonFactory(given_name="Mary", family_name="Smith")
    results = _api(social_worker).get(PEOPLE, {"q": "smyth"}).json()["results"]
    assert [r["family_name"] for r in results] == ["Smith"]
    assert set(results[0]) == {
        "id",
        "reference",
        "given_name",
        "family_name",
        "preferred_name",
        "date_of_birth",
        "is_restricted",
    }


def test_bad_date_of_birth_filter_names_the_field(social_worker: Persona) -> None:
    response = _api(social_worker).get(PEOPLE, {"date_of_birth": "27/03/1941"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "date_of_birth"


def test_partner_lists_only_people_shared_with_it(partner: Persona, social_worker: Persona) -> None:
    shared = PersonFactory()
    PersonFactory()
    Share.objects.create(
        person=shared, organisation=partner.team.organisation, purpose="Discharge", shared_by=social_worker.user
    )
    results = _api(partner).get(PEOPLE).json()["results"]
    assert [r["id"] for r in results] == [str(shared.pk)]


@pytest.mark.parametrize("rows", [1, 20])
def test_list_query_count_is_constant(
    social_worker: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        WorkItemFactory(team=social_worker.team)
    client = _api(social_worker)
    # token, token last-used update, memberships, count, page
    with django_assert_num_queries(5):
        response = client.get(PEOPLE)
    assert response.json()["count"] == rows


def test_schema_is_served(social_worker: Persona) -> None:
    response = _api(social_worker).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/people/" in paths


@pytest.mark.django_db(transaction=True)
def test_over_real_http(live_server: Any, social_worker: Persona) -> None:
    _, key = issue_api_token(user=social_worker.user, name="EPR")
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    request = urllib.request.Request(
        f"{live_server.url}{PEOPLE}{item.person.pk}/", headers={"Authorization": f"Token {key}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["id"] == str(item.person.pk)
    body = json.dumps({"given_name": "", "family_name": "Smith"}).encode()
    bad = urllib.request.Request(
        f"{live_server.url}{PEOPLE}",
        data=body,
        method="POST",
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(bad, timeout=10)
    assert error.value.code == 400
    assert json.load(error.value)["errors"][0]["field"] == "given_name"


@pytest.mark.parametrize("rows", [1, 20])
def test_search_query_count_is_constant(
    social_worker: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        PersonFactory(family_name="Smith")
    PersonFactory(family_name="Jones")
    client = _api(social_worker)
    # token, token last-used update, memberships, candidates (the page is cut from them: no count query)
    with django_assert_num_queries(4):
        response = client.get(PEOPLE, {"q": "smith"})
    assert response.json()["count"] == rows
    assert {r["family_name"] for r in response.json()["results"]} == {"Smith"}
