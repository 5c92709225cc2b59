from collections.abc import Callable
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from safepathways.accounts.models import Role, Team
from safepathways.accounts.services import issue_api_token
from safepathways.audit.models import AccessEvent, AccessKind, AuditEvent
from safepathways.conftest import Persona
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.referrals import services
from safepathways.referrals.models import Contact, ContactRevision, ContactStatus
from safepathways.referrals.tests.factories import MARY_NHS_NUMBER, ContactFactory
from safepathways.work.models import WorkItem

CONTACTS = "/api/v1/contacts/"
MATCHES = "/api/v1/matches/"


def _api(persona: Persona | None) -> APIClient:
    client = APIClient(HTTP_HOST="127.0.0.1")
    if persona is not None:
        _, key = issue_api_token(user=persona.user, name="test")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "referrer_type": "hospital",
        "reason": "Medically fit for discharge; needs support at home",
        "urgency": "soon",
        "consent": "yes",
        "persons_wishes": "To go home",
        "given_name": "Mary",
        "family_name": "Smith",
        "date_of_birth": "1941-03-27",
    }
    body.update(overrides)
    return body


@pytest.fixture
def hospital_contact(partner: Persona) -> Contact:
    return services.take_contact(
        by=partner.user,
        details=services.ContactDetails(
            referrer_type="hospital",
            channel="api",
            reason="Discharge",
            urgency="soon",
            consent="yes",
            given_name="Ann",
            family_name="Jones",
        ),
    )


def _state() -> tuple[int, int, int, int, int]:
    return (
        AuditEvent.objects.count(),
        ContactStatus.objects.count(),
        Contact.objects.count(),
        WorkItem.objects.count(),
        ContactRevision.objects.count(),
    )


# (method, path builder, body) for every endpoint
ENDPOINTS: list[tuple[str, str, Any]] = [
    ("get", "list", None),
    ("post", "list", _body()),
    ("get", "detail", None),
    ("post", "link", {"create_person": True}),
    ("post", "triage", {"route": "information_and_advice", "reason": "Advice", "advice_given": "Leaflet"}),
    ("get", "matches", None),
    ("patch", "detail", {"urgency": "urgent", "why": "The ward rang back"}),
]
IDS = [f"{method}-{kind}" for method, kind, _ in ENDPOINTS]


def _path(kind: str, contact: Contact) -> str:
    return {
        "list": CONTACTS,
        "detail": f"{CONTACTS}{contact.pk}/",
        "link": f"{CONTACTS}{contact.pk}/link/",
        "triage": f"{CONTACTS}{contact.pk}/triage/",
        "matches": f"{MATCHES}?family_name=Smith&given_name=Mary",
    }[kind]


def _call(client: APIClient, method: str, kind: str, body: Any, contact: Contact) -> Any:
    path = _path(kind, contact)
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body, format="json")


@pytest.mark.parametrize(("method", "kind", "body"), ENDPOINTS, ids=IDS)
def test_anonymous_gets_401(hospital_contact: Contact, method: str, kind: str, body: Any) -> None:
    client = _api(None)  # issuing a token is itself audited
    before = _state()
    response = _call(client, method, kind, body, hospital_contact)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert _state() == before


@pytest.mark.parametrize(
    ("method", "kind", "body", "expected"),
    [(*endpoint, code) for endpoint, code in zip(ENDPOINTS, [200, 201, 404, 403, 403, 403, 404], strict=True)],
    ids=IDS,
)
def test_partner_of_another_organisation(
    police_partner: Persona, hospital_contact: Contact, method: str, kind: str, body: Any, expected: int
) -> None:
    client = _api(police_partner)  # issuing a token is itself audited
    before = _state()
    response = _call(client, method, kind, body, hospital_contact)
    assert response.status_code == expected
    if kind == "list" and method == "get":
        assert response.json()["results"] == []  # only their own organisation's contacts
    elif expected != 201:
        assert _state() == before


@pytest.mark.parametrize(
    ("method", "kind", "body", "expected"),
    [(*endpoint, code) for endpoint, code in zip(ENDPOINTS, [200, 201, 200, 403, 403, 200, 403], strict=True)],
    ids=IDS,
)
def test_director_reads_and_takes_contacts_but_cannot_otherwise_write(
    director: Persona, hospital_contact: Contact, method: str, kind: str, body: Any, expected: int
) -> None:
    """Any council staff member may take a contact; linking, triage and correction stay with the front door."""
    client = _api(director)  # issuing a token is itself audited
    before = _state()
    response = _call(client, method, kind, body, hospital_contact)
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["person"] is None  # taken unidentified, for the front door to link
    else:
        assert _state() == before


@pytest.fixture(params=["director", "administrator", "ig_officer", "panel_member"])
def non_linking_staff(request: pytest.FixtureRequest, make_persona: Callable[..., Persona], team: Team) -> Persona:
    """Council staff who may take a contact but not link it to a person's record."""
    if request.param == "panel_member":
        return make_persona(team, Role.PANEL_MEMBER, name="Pat Panel")
    persona: Persona = request.getfixturevalue(request.param)
    return persona


def test_any_council_staff_member_takes_a_contact_but_only_the_front_door_links_it(
    non_linking_staff: Persona, mary: Person
) -> None:
    client = _api(non_linking_staff)
    taken = client.post(CONTACTS, _body(channel="phone"), format="json")
    assert taken.status_code == 201, taken.json()
    assert taken.json()["person"] is None and taken.json()["status"] == "received"
    linking = client.post(CONTACTS, _body(person=str(mary.pk)), format="json")
    assert linking.status_code == 400
    assert linking.json()["errors"][0]["field"] == "person"
    assert "cannot link a contact to a person" in linking.json()["errors"][0]["message"]
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "kind", "body", "expected"),
    [(*endpoint, code) for endpoint, code in zip(ENDPOINTS, [200, 201, 200, 200, 200, 200, 200], strict=True)],
    ids=IDS,
)
def test_front_door_officer_succeeds(
    officer: Persona, hospital_contact: Contact, method: str, kind: str, body: Any, expected: int
) -> None:
    response = _call(_api(officer), method, kind, body, hospital_contact)
    assert response.status_code == expected, response.json()


def test_a_partner_reads_its_own_contact_without_council_details(
    partner: Persona, officer: Persona, hospital_contact: Contact, mary: Person, team: Team
) -> None:
    services.link_contact_to_person(contact=hospital_contact, person=mary, by=officer.user)
    services.triage_contact(
        contact=hospital_contact, by=officer.user, route="review", reason="Review", likelihood=2, impact=2
    )
    data = _api(partner).get(f"{CONTACTS}{hospital_contact.pk}/").json()
    assert data["status"] == "triaged"
    assert data["person"] is None
    assert data["routes"] == [{"route": "review", "team": team.name, "work_item": None}]
    assert [s["status"] for s in data["statuses"]] == ["received", "triaged"]
    assert not AccessEvent.objects.exists()
    council = _api(officer).get(f"{CONTACTS}{hospital_contact.pk}/").json()
    assert council["person"]["reference"] == mary.reference
    assert council["routes"][0]["work_item"] == str(WorkItem.objects.get().pk)
    assert AccessEvent.objects.get().kind == AccessKind.API


def test_an_unidentifiable_contact_is_accepted_and_kept(partner: Persona) -> None:
    response = _api(partner).post(
        CONTACTS,
        {"referrer_type": "anonymous", "reason": "Neighbour not seen", "urgency": "urgent", "consent": "not_asked"},
        format="json",
    )
    assert response.status_code == 201
    data = response.json()
    assert data["person"] is None and data["status"] == "received" and data["channel"] == "api"
    assert Contact.objects.get().organisation == partner.team.organisation


def test_errors_name_the_field(officer: Persona, partner: Persona, mary: Person) -> None:
    missing = _api(officer).post(CONTACTS, _body(reason="", urgency="later"), format="json")
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} == {"reason", "urgency"}
    bad_nhs = _api(officer).post(CONTACTS, _body(nhs_number="9990000019"), format="json")
    assert bad_nhs.json()["errors"][0]["field"] == "nhs_number"
    partner_link = _api(partner).post(CONTACTS, _body(person=str(mary.pk)), format="json")
    assert partner_link.status_code == 400 and partner_link.json()["errors"][0]["field"] == "person"
    assert not Contact.objects.exists()


def test_council_staff_can_link_on_creation_and_triage(officer: Persona, mary: Person, team: Team) -> None:
    created = _api(officer).post(CONTACTS, _body(person=str(mary.pk), channel="phone"), format="json").json()
    assert created["person"]["id"] == str(mary.pk)
    refused = _api(officer).post(
        f"{CONTACTS}{created['id']}/triage/", {"route": "social_work_assessment", "reason": "Assess"}, format="json"
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "likelihood"
    response = _api(officer).post(
        f"{CONTACTS}{created['id']}/triage/",
        {
            "route": "social_work_assessment",
            "reason": "Assess",
            "likelihood": 4,
            "impact": 4,
            "risk_flags": ["lives-alone"],
        },
        format="json",
    )
    assert response.status_code == 200
    item = WorkItem.objects.get()
    assert response.json()["routes"][0]["work_item"] == str(item.pk)
    assert (item.team, item.priority) == (team, "red")
    assert "To go home" in item.story


def test_link_endpoint_links_or_creates(officer: Persona, hospital_contact: Contact, mary: Person) -> None:
    client = _api(officer)
    assert client.post(f"{CONTACTS}{hospital_contact.pk}/link/", {}, format="json").status_code == 400
    linked = client.post(f"{CONTACTS}{hospital_contact.pk}/link/", {"person": str(mary.pk)}, format="json")
    assert linked.json()["person"]["reference"] == mary.reference


def test_triage_names_open_work_of_the_same_kind_until_another_is_confirmed(
    officer: Persona, hospital_contact: Contact, mary: Person, ot_team: Team
) -> None:
    first = services.take_contact(
        by=officer.user,
        details=services.ContactDetails(
            referrer_type="gp", channel="phone", reason="Stairs", urgency="soon", consent="yes"
        ),
        person=mary,
    )
    services.triage_contact(contact=first, by=officer.user, route="ot_assessment", reason="x", likelihood=2, impact=2)
    existing = WorkItem.objects.get()
    client = _api(officer)
    client.post(f"{CONTACTS}{hospital_contact.pk}/link/", {"person": str(mary.pk)}, format="json")
    url = f"{CONTACTS}{hospital_contact.pk}/triage/"
    decision = {"reason": "Fell again", "likelihood": 3, "impact": 3}
    for given, field in (({"route": "ot_assessment"}, "route"), ({"routes": ["ot_assessment"]}, "routes")):
        refused = client.post(url, decision | given, format="json")
        assert refused.status_code == 400
        error = refused.json()["errors"][0]
        assert error["field"] == field and f"“{existing.title}” for OT duty" in error["message"]
    assert WorkItem.objects.count() == 1
    confirmed = client.post(url, decision | {"routes": ["ot_assessment"], "open_another": True}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "triaged"
    assert WorkItem.objects.filter(person=mary, kind="ot_assessment").count() == 2


def test_triage_to_an_unknown_team_names_the_field(officer: Persona, hospital_contact: Contact) -> None:
    response = _api(officer).post(
        f"{CONTACTS}{hospital_contact.pk}/triage/",
        {"route": "review", "reason": "x", "likelihood": 1, "impact": 1, "team": "nowhere"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "team"


def test_matches_return_identity_scores_and_reasons(officer: Persona, mary: Person) -> None:
    restricted = PersonFactory(
        given_name="Mary", family_name="Smith", date_of_birth=mary.date_of_birth, is_restricted=True
    )
    data = (
        _api(officer)
        .get(
            MATCHES,
            {
                "given_name": "Mary",
                "family_name": "Smith",
                "nhs_number": MARY_NHS_NUMBER,
                "date_of_birth": "1941-03-27",
            },
        )
        .json()
    )
    assert data["count"] == 2
    first = data["results"][0]
    assert first == {
        "id": str(mary.pk),
        "reference": mary.reference,
        "given_name": "Mary",
        "family_name": "Smith",
        "date_of_birth": "1941-03-27",
        "postcode_district": "NW5",
        "score": first["score"],
        "reasons": ["same NHS number", "same name and same date of birth"],
    }
    assert data["results"][1]["id"] == str(restricted.pk) and data["results"][1]["postcode_district"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_of_birth": "27/03/1941"}, "date_of_birth"),
        ({"nhs_number": "9990000019"}, "nhs_number"),
        ({"postcode": "nowhere"}, "postcode"),
        ({"family_name": "Smith", "limit": "500"}, "limit"),
    ],
)
def test_bad_match_queries_name_the_field(officer: Persona, params: dict[str, str], field: str) -> None:
    response = _api(officer).get(MATCHES, params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize("params", [{}, {"phone": "020 7946 0000", "address_line": "12 Leighton Road"}])
def test_a_match_query_without_identity_names_each_field_that_would_do(
    officer: Persona, params: dict[str, str]
) -> None:
    response = _api(officer).get(MATCHES, params)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["family_name", "given_name", "date_of_birth", "nhs_number", "postcode"]
    assert all(e["message"].startswith("Give at least a name, date of birth, NHS number or postcode") for e in errors)
    assert ("alone is not enough" in errors[0]["message"]) is bool(params)


@pytest.mark.parametrize("rows", [1, 20])
def test_council_list_query_count_is_constant(
    officer: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        ContactFactory(organisation=officer.team.organisation, taken_by=officer.user, person=PersonFactory())
    client = _api(officer)
    # token, token last used, memberships, count, page (person, organisation), statuses, routes
    with django_assert_num_queries(7):
        response = client.get(CONTACTS)
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_partner_list_query_count_is_constant(
    partner: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        ContactFactory(organisation=partner.team.organisation, taken_by=partner.user)
    client = _api(partner)
    # token, token last used, memberships, count, page, statuses, routes
    with django_assert_num_queries(7):
        response = client.get(CONTACTS)
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_matches_query_count_is_constant(
    officer: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        PersonFactory(given_name="Mary", family_name="Smith", postcode="NW5 1AB", nhs_number=None)
    client = _api(officer)
    # token, token last used, memberships, then one indexed block each: postcode, phonetic names
    with django_assert_num_queries(5):
        response = client.get(
            MATCHES, {"given_name": "Mary", "family_name": "Smith", "postcode": "NW5 1AB", "limit": 20}
        )
    assert response.json()["count"] == rows


# Several routes from one triage -------------------------------------------------------------------


def _linked(officer: Persona, contact: Contact, person: Person) -> str:
    services.link_contact_to_person(contact=contact, person=person, by=officer.user)
    return f"{CONTACTS}{contact.pk}/triage/"


def test_triage_with_a_list_of_routes_opens_work_for_each(
    officer: Persona, hospital_contact: Contact, mary: Person, team: Team, ot_team: Team
) -> None:
    response = _api(officer).post(
        _linked(officer, hospital_contact, mary),
        {"routes": ["carers_assessment", "ot_assessment"], "reason": "Both", "likelihood": 2, "impact": 3},
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "triaged" and data["route"] == "ot_assessment"
    assert [(r["route"], r["team"]) for r in data["routes"]] == [
        ("ot_assessment", ot_team.name),
        ("carers_assessment", team.name),
    ]
    assert {str(i.pk) for i in WorkItem.objects.all()} == {r["work_item"] for r in data["routes"]}
    assert {(i.likelihood, i.impact) for i in WorkItem.objects.all()} == {(2, 3)}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"route": "review", "routes": ["review"]}, "routes"),
        ({}, "routes"),
        ({"routes": []}, "routes"),
        ({"routes": ["review", "nowhere"]}, "routes.1"),
        ({"routes": ["information_and_advice", "review"]}, "routes"),
        ({"routes": ["review", "carers_assessment"], "team": "nw"}, "team"),
        ({"routes": ["review", "dols"]}, "routes"),  # no DoLS team is set up: nothing opens
        ({"route": "dols"}, "route"),  # named as the client sent it
    ],
)
def test_bad_route_lists_name_the_field_and_write_nothing(
    officer: Persona, hospital_contact: Contact, mary: Person, team: Team, body: dict[str, Any], field: str
) -> None:
    path = _linked(officer, hospital_contact, mary)
    client = _api(officer)  # issuing a token is itself audited
    before = _state()
    response = client.post(path, {"reason": "x", "likelihood": 1, "impact": 1, **body}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert _state() == before


# Correcting a contact -------------------------------------------------------------------------------


def test_patch_corrects_only_what_is_sent_and_keeps_the_revision(officer: Persona, hospital_contact: Contact) -> None:
    Contact.objects.filter(pk=hospital_contact.pk).update(has_immediate_risk=True, immediate_risk_details="No heat")
    response = _api(officer).patch(
        f"{CONTACTS}{hospital_contact.pk}/",
        {"urgency": "urgent", "persons_wishes": "Home today", "why": "Ward rang back"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["urgency"], data["persons_wishes"], data["has_immediate_risk"]) == ("urgent", "Home today", True)
    assert data["identity_changed"] is False and data["matches"] is None
    [revision] = data["revisions"]
    assert revision["changed_by"] == officer.user.full_name and revision["reason"] == "Ward rang back"
    assert revision["changes"]["urgency"] == {"from": "soon", "to": "urgent"}
    assert "screening_due_on" in revision["changes"]
    assert data["screening_due_on"] == revision["changes"]["screening_due_on"]["to"]


def test_patch_with_new_identity_offers_the_matches_again(
    officer: Persona, partner: Persona, hospital_contact: Contact, mary: Person
) -> None:
    body = {"family_name": "Smith", "given_name": "Mary", "nhs_number": MARY_NHS_NUMBER, "why": "Right name"}
    data = _api(officer).patch(f"{CONTACTS}{hospital_contact.pk}/", body, format="json").json()
    assert data["identity_changed"] is True
    assert [m["id"] for m in data["matches"]] == [str(mary.pk)]
    assert data["matches"][0]["reasons"][0] == "same NHS number"
    # The partner who made it sees what changed, but not who changed it, why, or any council record.
    partner_view = _api(partner).patch(
        f"{CONTACTS}{hospital_contact.pk}/", {"phone": "020 7946 0000", "why": "Her number"}, format="json"
    )
    assert partner_view.status_code == 200
    seen = partner_view.json()
    assert seen["matches"] is None and seen["person"] is None
    assert [r["changed_by"] for r in seen["revisions"]] == [None, None]
    assert [r["reason"] for r in seen["revisions"]] == [None, None]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"urgency": "urgent"}, "why"),
        ({"urgency": "later", "why": "x"}, "urgency"),
        ({"nhs_number": "9990000019", "why": "x"}, "nhs_number"),
        ({"urgency": "soon", "why": "x"}, ""),  # nothing has changed
    ],
)
def test_a_bad_patch_names_the_field_and_changes_nothing(
    officer: Persona, hospital_contact: Contact, body: dict[str, Any], field: str
) -> None:
    client = _api(officer)  # issuing a token is itself audited
    before = _state()
    response = client.patch(f"{CONTACTS}{hospital_contact.pk}/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert _state() == before


def test_a_closed_contact_cannot_be_patched(officer: Persona, hospital_contact: Contact) -> None:
    services.triage_contact(
        contact=hospital_contact, by=officer.user, route="information_and_advice", reason="x", advice_given="Leaflet"
    )
    response = _api(officer).patch(
        f"{CONTACTS}{hospital_contact.pk}/", {"urgency": "urgent", "why": "Later call"}, format="json"
    )
    assert response.status_code == 400
    assert "is closed, so it can no longer be changed" in response.json()["detail"]
    assert not ContactRevision.objects.exists()


def test_a_partner_colleague_who_did_not_refer_cannot_patch(
    make_persona: Any, ward_team: Team, hospital_contact: Contact
) -> None:
    colleague = make_persona(ward_team, "partner", name="Another Nurse")
    response = _api(colleague).patch(
        f"{CONTACTS}{hospital_contact.pk}/", {"urgency": "urgent", "why": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not ContactRevision.objects.exists()


@pytest.mark.parametrize("rows", [1, 10])
def test_detail_query_count_is_constant(
    officer: Persona, hospital_contact: Contact, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(rows):
        services.update_contact(
            contact=hospital_contact, by=officer.user, changes={"referrer_name": f"Nurse {n}"}, why="x"
        )
    client = _api(officer)
    # token, token last used, memberships, contact (joined), statuses, routes, revisions (by)
    with django_assert_num_queries(7):
        response = client.get(f"{CONTACTS}{hospital_contact.pk}/")
    assert len(response.json()["revisions"]) == rows
