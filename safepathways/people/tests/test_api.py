import json
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from safepathways.accounts.services import issue_api_token, revoke_api_token
from safepathways.audit.models import AccessEvent, AccessKind, AuditEvent
from safepathways.conftest import Persona
from safepathways.people.forms import SearchForm
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
    assert {"field": "given_name", "message": "Enter the person's first name"} in response.json()["errors"]
    assert not Person.objects.exists()
    missing = _api(social_worker).post(PEOPLE, {"given_name": "  "}, format="json").json()["errors"]
    assert missing == [
        {"field": "given_name", "message": "Enter the person's first name"},
        {"field": "family_name", "message": "Enter the person's last name"},
    ]


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
        "address_line_1",
        "postcode_outward",
        "is_restricted",
    }


@pytest.mark.parametrize("path", ["search", "list"])
def test_results_show_the_address_as_the_web_does_and_none_of_a_restricted_one(
    social_worker: Persona, path: str
) -> None:
    for given, restricted in (("Mary", False), ("Mark", True)):
        person = PersonFactory(
            given_name=given,
            family_name="Smith",
            address_line_1=f"{given}'s Road",
            postcode="NW10 1AB",
            is_restricted=restricted,
        )
        WorkItemFactory(person=person, team=social_worker.team)  # the list without a search: people worked with
    response = _api(social_worker).get(PEOPLE, {"q": "smith"} if path == "search" else {})
    rows = {r["given_name"]: r for r in response.json()["results"]}
    assert (rows["Mary"]["address_line_1"], rows["Mary"]["postcode_outward"]) == ("Mary's Road", "NW10")
    assert (rows["Mark"]["address_line_1"], rows["Mark"]["postcode_outward"]) == ("", "")
    assert rows["Mark"]["is_restricted"] is True
    # The web search results show the same, and hide the same.
    web = social_worker.http.get(reverse("people:search"), {"q": "smith"}).content.decode()
    assert escape("Mary's Road, NW10") in web
    assert escape("Mark's Road") not in web


def _web_search_errors(**params: str) -> dict[str, list[str]]:
    """What the web search form says about the same search (a date as the day, month and year boxes)."""
    data = dict(params)
    if "date_of_birth" in data:
        year, month, day = data.pop("date_of_birth").split("-")
        data.update(date_of_birth_day=day, date_of_birth_month=month, date_of_birth_year=year)
    form = SearchForm(data)
    assert not form.is_valid()
    return {name: list(messages) for name, messages in form.errors.items()}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "9434765918"}, "q"),  # ten digits, but the check digit is wrong
        ({"q": "943 476 5918"}, "q"),
        ({"postcode": "XX"}, "postcode"),  # no postcode area begins with X
        ({"postcode": "ZZZZZZZ"}, "postcode"),
        ({"postcode": "N1 %"}, "postcode"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
    ],
)
def test_a_search_that_cannot_find_anyone_is_refused_naming_the_field_as_the_web_does(
    social_worker: Persona, params: dict[str, str], field: str
) -> None:
    PersonFactory(family_name="Smith", postcode="NW5 1AB")
    response = _api(social_worker).get(PEOPLE, params)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert {field: [errors[0]["message"]]} == _web_search_errors(**params)


def test_every_problem_with_a_search_is_named_at_once(social_worker: Persona) -> None:
    response = _api(social_worker).get(PEOPLE, {"q": "9434765918", "postcode": "XX", "date_of_birth": "2999-01-01"})
    assert response.status_code == 400
    assert {e["field"]: e["message"] for e in response.json()["errors"]} == {
        "q": "That NHS number is not valid: check the 10 digits",
        "postcode": "Enter a real postcode, or the first part of one, like NW1",
        "date_of_birth": "Date of birth must be today or in the past",
    }


@pytest.mark.parametrize(
    "params", [{"postcode": "NW5"}, {"postcode": "nw"}, {"postcode": "NW5 1"}, {"q": "", "postcode": "NW5 1AB"}]
)
def test_a_postcode_or_part_of_one_is_still_searched(social_worker: Persona, params: dict[str, str]) -> None:
    PersonFactory(family_name="Smith", postcode="NW5 1AB")
    response = _api(social_worker).get(PEOPLE, params)
    assert response.status_code == 200
    assert [r["family_name"] for r in response.json()["results"]] == ["Smith"]


def test_create_names_every_field_at_once_the_dates_included(social_worker: Persona) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = {
        "given_name": "Mary",
        "family_name": "Smith",
        "nhs_number": "9434765918",
        "postcode": "XX",
        "date_of_birth": tomorrow,
        "date_of_death": tomorrow,
    }
    response = _api(social_worker).post(PEOPLE, body, format="json")
    assert response.status_code == 400
    assert {e["field"]: e["message"] for e in response.json()["errors"]} == {
        "nhs_number": "Enter a valid NHS number: 10 digits whose last digit is the check digit",
        "postcode": "Enter a real UK postcode, like NW1 2AB",
        "date_of_birth": "Date of birth must be today or in the past",
        "date_of_death": "Date of death must be today or in the past",
    }
    assert not Person.objects.exists()
    old = _api(social_worker).post(
        PEOPLE,
        {**body, "nhs_number": "", "postcode": "", "date_of_death": None, "date_of_birth": "1890-01-01"},
        format="json",
    )
    assert old.json()["errors"] == [
        {"field": "date_of_birth", "message": "Date of birth must be within the last 130 years"}
    ]


def test_a_change_names_a_future_date_beside_the_other_fields(social_worker: Persona, client_person: Person) -> None:
    body = {"date_of_death": "2999-01-01", "postcode": "XX"}
    response = _api(social_worker).patch(f"{PEOPLE}{client_person.pk}/", body, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"date_of_death", "postcode"}


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
