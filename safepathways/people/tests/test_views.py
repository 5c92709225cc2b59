from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries

from safepathways.audit.models import AccessBasis, AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.core.clocks import age_on
from safepathways.people.models import AccessGrant, Alert, Person, Risk
from safepathways.people.tests.factories import AlertFactory, ChronologyEntryFactory, PersonFactory, RiskFactory
from safepathways.providers.tests.factories import ServiceFactory
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory


@pytest.fixture
def client_person(social_worker: Persona) -> Person:
    """A person the social worker's team has open work with."""
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    return item.person


def _future(days: int = 30) -> dict[str, int]:
    day = timezone.localdate() + timedelta(days=days)
    return {"review_on_day": day.day, "review_on_month": day.month, "review_on_year": day.year}


def _alert_post(persona: Persona) -> dict[str, Any]:
    return {"kind": "risk_to_staff", "reason": "Dog", "owner": persona.user.pk, **_future()}


# (url name, method, url args builder, valid POST data builder, writes?)
PERSON_VIEWS: list[tuple[str, str, Callable[[Person], list[Any]], Callable[[Persona], dict[str, Any]] | None]] = [
    ("people:detail", "get", lambda p: [p.pk], None),
    ("people:edit", "get", lambda p: [p.pk], None),
    (
        "people:edit",
        "post",
        lambda p: [p.pk],
        lambda u: {
            "given_name": "Mae",
            "family_name": "Smith",
            "nhs_number_status": "03",  # no number posted: "trace required" (01 would need one)
            "gender": "Female",
            "ethnicity": "Not known",
            "main_language": "English",
        },
    ),
    ("people:alert_add", "get", lambda p: [p.pk], None),
    ("people:alert_add", "post", lambda p: [p.pk], _alert_post),
    (
        "people:risk_add",
        "post",
        lambda p: [p.pk],
        lambda u: {
            "title": "Falls",
            "description": "d",
            "likelihood": 3,
            "impact": 3,
            "mitigation": "m",
            "owner": u.user.pk,
            **_future(),
        },
    ),
    ("people:contact_add", "post", lambda p: [p.pk], lambda u: {"kind": "carer", "name": "Jo Smith"}),
    ("people:involvement_add", "post", lambda p: [p.pk], lambda u: {"role": "gp"}),
]
WRITE_VIEWS = [v for v in PERSON_VIEWS if v[0] != "people:detail"]


def _call(client: Client, name: str, method: str, args: list[Any], data: dict[str, Any] | None) -> Any:
    url = reverse(name, args=args)
    return client.post(url, data or {}) if method == "post" else client.get(url)


@pytest.mark.parametrize(("name", "method", "args", "data"), PERSON_VIEWS)
def test_anonymous_is_sent_to_sign_in(
    anonymous: Client, client_person: Person, name: str, method: str, args: Any, data: Any
) -> None:
    response = _call(anonymous, name, method, args(client_person), None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


@pytest.mark.parametrize(("name", "method", "args", "data"), PERSON_VIEWS)
def test_partner_organisation_gets_404_and_nothing_changes(
    partner: Persona, client_person: Person, name: str, method: str, args: Any, data: Any
) -> None:
    audit_before = AuditEvent.objects.count()
    response = _call(partner.http, name, method, args(client_person), data(partner) if data else None)
    assert response.status_code in (403, 404)  # write roles are refused before scope: partners never write
    if name == "people:detail":
        assert response.status_code == 404
    assert AuditEvent.objects.count() == audit_before
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize(("name", "method", "args", "data"), PERSON_VIEWS)
def test_other_team_must_declare_a_relationship_and_nothing_changes(
    other_team_worker: Persona, client_person: Person, name: str, method: str, args: Any, data: Any
) -> None:
    audit_before = AuditEvent.objects.count()
    response = _call(
        other_team_worker.http, name, method, args(client_person), data(other_team_worker) if data else None
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:declare", args=[client_person.pk]))
    assert AuditEvent.objects.count() == audit_before
    assert not Alert.objects.exists()


@pytest.mark.parametrize(("name", "method", "args", "data"), WRITE_VIEWS)
def test_wrong_role_gets_403_and_nothing_changes(
    director: Persona, client_person: Person, name: str, method: str, args: Any, data: Any
) -> None:
    audit_before = AuditEvent.objects.count()
    response = _call(director.http, name, method, args(client_person), data(director) if data else None)
    assert response.status_code == 403
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize(("name", "method", "args", "data"), PERSON_VIEWS)
def test_permitted_worker_succeeds(
    social_worker: Persona, client_person: Person, name: str, method: str, args: Any, data: Any
) -> None:
    response = _call(social_worker.http, name, method, args(client_person), data(social_worker) if data else None)
    if method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert response["Location"].startswith(reverse("people:detail", args=[client_person.pk]))


def test_director_can_read_the_record_of_a_person_their_team_works_with(
    director: Persona, client_person: Person
) -> None:
    body = director.http.get(reverse("people:detail", args=[client_person.pk])).content.decode()
    assert escape(client_person.full_name) in body
    assert "Add an alert" not in body


def test_viewing_a_record_writes_an_access_event(social_worker: Persona, client_person: Person) -> None:
    social_worker.http.get(reverse("people:detail", args=[client_person.pk]))
    event = AccessEvent.objects.get()
    assert (event.user, event.person_id, event.basis, event.what) == (
        social_worker.user,
        client_person.pk,
        AccessBasis.RELATIONSHIP,
        "person page",
    )


def test_declaring_a_relationship_opens_the_record_and_logs_the_basis(
    other_team_worker: Persona, client_person: Person
) -> None:
    url = reverse("people:declare", args=[client_person.pk])
    page = other_team_worker.http.get(url)
    assert "You do not currently work with this person" in page.content.decode()
    missing = other_team_worker.http.post(url, {"reason": "covering_duty", "reason_detail": ""})
    assert "Explain why you need to see this record" in missing.content.decode()
    response = other_team_worker.http.post(url, {"reason": "covering_duty", "reason_detail": "Covering duty today"})
    assert response.status_code == 302
    assert other_team_worker.http.get(reverse("people:detail", args=[client_person.pk])).status_code == 200
    grant = AccessGrant.objects.get()
    event = AccessEvent.objects.get()
    assert event.basis == AccessBasis.DECLARED and event.grant_id == grant.pk


def test_declare_ignores_an_offsite_next(other_team_worker: Persona, client_person: Person) -> None:
    url = reverse("people:declare", args=[client_person.pk]) + "?next=https://evil.example/"
    response = other_team_worker.http.post(url, {"reason": "other", "reason_detail": "Checking"})
    assert response["Location"] == reverse("people:detail", args=[client_person.pk])


def test_restricted_record_asks_for_break_glass(other_team_worker: Persona) -> None:
    person = PersonFactory(is_restricted=True)
    page = other_team_worker.http.get(reverse("people:declare", args=[person.pk])).content.decode()
    assert "This record is restricted" in page
    other_team_worker.http.post(
        reverse("people:declare", args=[person.pk]), {"reason": "emergency", "reason_detail": "Police at door"}
    )
    assert AccessGrant.objects.get().kind == "break_glass"


def test_partners_cannot_declare_relationships(partner: Persona, client_person: Person) -> None:
    assert partner.http.get(reverse("people:declare", args=[client_person.pk])).status_code == 403


def test_add_alert_shows_errors_for_each_field(social_worker: Persona, client_person: Person) -> None:
    body = social_worker.http.post(reverse("people:alert_add", args=[client_person.pk]), {}).content.decode()
    assert "There is a problem" in body
    assert "Enter why this alert is needed" in body
    assert "Enter review date" in body
    assert not Alert.objects.exists()


def test_added_alert_appears_on_the_person_page_and_in_the_chronology(
    social_worker: Persona, client_person: Person
) -> None:
    social_worker.http.post(reverse("people:alert_add", args=[client_person.pk]), _alert_post(social_worker))
    body = social_worker.http.get(reverse("people:detail", args=[client_person.pk])).content.decode()
    assert "Risk to visiting staff" in body
    assert "Alert added: Risk to visiting staff" in body


def test_end_alert_and_close_risk(social_worker: Persona, client_person: Person) -> None:
    alert = AlertFactory(person=client_person, owner=social_worker.user, raised_by=social_worker.user)
    risk = RiskFactory(person=client_person, owner=social_worker.user, recorded_by=social_worker.user)
    social_worker.http.post(reverse("people:alert_end", args=[client_person.pk, alert.pk]), {"reason": "Resolved"})
    social_worker.http.post(reverse("people:risk_close", args=[client_person.pk, risk.pk]))
    assert Alert.objects.get().ended_at is not None
    assert Risk.objects.get().closed_at is not None
    assert social_worker.http.get(reverse("people:risk_close", args=[client_person.pk, risk.pk])).status_code == 405


def test_create_person_refuses_a_duplicate_nhs_number_with_a_link(social_worker: Persona) -> None:
    existing = PersonFactory(nhs_number="9990000018")
    data = {
        "given_name": "Mary",
        "family_name": "Smith",
        "nhs_number": "999 000 0018",
        "nhs_number_status": "01",
        "gender": "Female",
        "ethnicity": "Not known",
        "main_language": "English",
    }
    body = social_worker.http.post(reverse("people:create"), data).content.decode()
    assert reverse("people:detail", args=[existing.pk]) in body
    assert Person.objects.count() == 1


def test_create_person_answers_bad_input_field_by_field(social_worker: Persona) -> None:
    data = {
        "given_name": "",
        "family_name": "Smith",
        "nhs_number": "9990000019",
        "postcode": "nowhere",
        "date_of_birth_day": "1",
        "date_of_birth_month": "1",
        "date_of_birth_year": str(timezone.localdate().year + 1),
        "nhs_number_status": "01",
        "gender": "Female",
        "ethnicity": "Not known",
        "main_language": "English",
    }
    body = social_worker.http.post(reverse("people:create"), data).content.decode()
    assert "Enter the first name" in body
    assert "correct check digit" in body
    assert "Enter a real UK postcode" in body
    assert "Date of birth must be today or in the past" in body
    assert 'href="#date_of_birth_day"' in body
    assert "This field is required" not in body and "is not one of the available choices" not in body
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "943 476 5918"}, "That NHS number is not valid: check the 10 digits"),
        ({"postcode": "XX"}, "Enter a real postcode, or the first part of one, like NW1"),
        (
            {"date_of_birth_day": "1", "date_of_birth_month": "1", "date_of_birth_year": "2999"},
            "Date of birth must be today or in the past",
        ),
    ],
)
def test_a_search_that_cannot_find_anyone_is_answered_on_its_field(
    social_worker: Persona, params: dict[str, str], message: str
) -> None:
    body = social_worker.http.get(reverse("people:search"), params).content.decode()
    assert "There is a problem" in body
    assert message in body
    assert "No one found" not in body


def test_create_person_then_open_the_record(social_worker: Persona) -> None:
    data = {
        "given_name": "Mary",
        "family_name": "Smith",
        "nhs_number": "",
        "postcode": "nw5 1ab",
        "nhs_number_status": "03",
        "gender": "Female",
        "ethnicity": "Not known",
        "main_language": "English",
    }
    response = social_worker.http.post(reverse("people:create"), data)
    person = Person.objects.get()
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    # The creator holds a declared relationship from the moment they add someone (IG reviews it).
    assert social_worker.http.get(response["Location"]).status_code == 200
    assert AccessGrant.objects.get(person=person).reason == "new_contact"


def test_create_a_restricted_record_then_open_it(social_worker: Persona, other_team_worker: Persona) -> None:
    data = {
        "given_name": "Mary",
        "family_name": "O'Brien",
        "nhs_number_status": "03",
        "gender": "Female",
        "ethnicity": "Not known",
        "main_language": "English",
        "is_restricted": "on",
    }
    response = social_worker.http.post(reverse("people:create"), data)
    person = Person.objects.get()
    assert person.is_restricted
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    page = social_worker.http.get(response["Location"])
    assert page.status_code == 200
    assert escape(person.full_name) in page.content.decode()
    assert "Restricted record" in page.content.decode()
    # Someone else is still asked to break glass.
    other = other_team_worker.http.get(reverse("people:detail", args=[person.pk]))
    assert other["Location"].startswith(reverse("people:declare", args=[person.pk]))


@pytest.mark.parametrize("persona", ["anonymous_client", "partner", "director", "social_worker"])
def test_create_access_matrix(persona: str, request: pytest.FixtureRequest) -> None:
    client = (
        request.getfixturevalue("anonymous") if persona == "anonymous_client" else request.getfixturevalue(persona).http
    )
    response = client.get(reverse("people:create"))
    expected = {"anonymous_client": 302, "partner": 403, "director": 403, "social_worker": 200}[persona]
    assert response.status_code == expected


@pytest.mark.parametrize("persona", ["anonymous_client", "partner", "ig_officer", "social_worker"])
def test_search_access_matrix(persona: str, request: pytest.FixtureRequest) -> None:
    client = (
        request.getfixturevalue("anonymous") if persona == "anonymous_client" else request.getfixturevalue(persona).http
    )
    response = client.get(reverse("people:search"), {"q": "smith"})
    expected = {"anonymous_client": 302, "partner": 200, "ig_officer": 200, "social_worker": 200}[persona]
    assert response.status_code == expected


def test_search_results_show_identity_only_and_hide_restricted_addresses(social_worker: Persona) -> None:
    PersonFactory(given_name="Mary", family_name="Smith", address_line_1="1 Open Road")
    PersonFactory(given_name="Mark", family_name="Smith", address_line_1="9 Secret Street", is_restricted=True)
    body = social_worker.http.get(reverse("people:search"), {"q": "smith"}).content.decode()
    assert "1 Open Road" in body
    assert "9 Secret Street" not in body
    assert "Restricted record" in body


def test_empty_search_explains_what_to_enter(social_worker: Persona) -> None:
    body = social_worker.http.get(reverse("people:search"), {"q": ""}).content.decode()
    assert "Enter a name, NHS number, reference, date of birth or postcode" in body


def test_search_with_htmx_returns_only_the_results_fragment(social_worker: Persona) -> None:
    PersonFactory(given_name="Mary", family_name="Smith")
    response = social_worker.http.get(reverse("people:search"), {"q": "smith"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="search-results">')
    assert "<html" not in body


def _grow_record(person: Person, persona: Persona, n: int) -> None:
    for i in range(n):
        AlertFactory(person=person, owner=persona.user, raised_by=persona.user)
        RiskFactory(person=person, owner=persona.user, recorded_by=persona.user)
        ServiceFactory(person=person, team=persona.team)
        WorkItemFactory(person=person, team=persona.team, allocated_to=persona.user if i % 2 else None)
        ChronologyEntryFactory(person=person, category=f"cat{i % 3}")


@pytest.mark.parametrize("rows", [1, 20])
def test_person_page_query_count_does_not_grow_with_the_record(
    social_worker: Persona, client_person: Person, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _grow_record(client_person, social_worker, rows)
    # session, user with memberships, person, relationship (work), access event insert,
    # chronology, alerts, services, work items, risks, contacts, involvements, categories,
    with django_assert_num_queries(13):
        response = social_worker.http.get(reverse("people:detail", args=[client_person.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 30])
def test_search_query_count_does_not_grow_with_results(
    social_worker: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        PersonFactory(family_name="Smith")
    # session, user with memberships, candidates
    with django_assert_num_queries(3):
        response = social_worker.http.get(reverse("people:search"), {"q": "smith"})
    assert response.status_code == 200


def test_a_merged_record_sends_staff_to_the_record_it_was_merged_into(
    social_worker: Persona, client_person: Person
) -> None:
    old = PersonFactory(merged_into=client_person)
    response = social_worker.http.get(reverse("people:detail", args=[old.pk]))
    assert response["Location"] == reverse("people:detail", args=[client_person.pk])


def _identity(body: str) -> str:
    """The Identity summary list of the person page."""
    start = body.index(">Identity</h2>")
    return body[start : body.index("</dl>", start)]


def test_person_page_shows_the_date_of_death_and_the_age_at_death(
    social_worker: Persona, client_person: Person
) -> None:
    client_person.date_of_birth = date(1940, 1, 10)
    client_person.date_of_death = date(2020, 6, 1)
    client_person.save()
    body = social_worker.http.get(reverse("people:detail", args=[client_person.pk])).content.decode()
    identity = _identity(body)
    assert "Date of death" in identity
    assert "1 June 2020 (aged 80)" in identity
    assert "10 January 1940" in identity
    assert "(age " not in identity  # no current age for someone who has died
    assert "Died 1 June 2020" in body


def test_person_page_shows_the_current_age_of_someone_alive(social_worker: Persona, client_person: Person) -> None:
    client_person.date_of_birth = date(1940, 1, 10)
    client_person.save()
    identity = _identity(social_worker.http.get(reverse("people:detail", args=[client_person.pk])).content.decode())
    assert f"(age {age_on(date(1940, 1, 10), timezone.localdate())})" in identity
    assert "Date of death" not in identity


def test_date_of_death_without_a_date_of_birth_shows_no_age(social_worker: Persona, client_person: Person) -> None:
    client_person.date_of_birth = None
    client_person.date_of_death = date(2020, 6, 1)
    client_person.save()
    identity = _identity(social_worker.http.get(reverse("people:detail", args=[client_person.pk])).content.decode())
    assert "1 June 2020" in identity
    assert "(age" not in identity and "(aged" not in identity


@pytest.mark.parametrize("before", ["2024-02-30T10:00", "2024-13-01T10:00", "yesterday", "2024-02-01T25:00:00+00:00"])
def test_a_malformed_chronology_cursor_shows_the_newest_entries(
    social_worker: Persona, client_person: Person, before: str
) -> None:
    ChronologyEntryFactory(person=client_person, summary="The newest entry")
    response = social_worker.http.get(reverse("people:detail", args=[client_person.pk]), {"before": before})
    assert response.status_code == 200
    assert "The newest entry" in response.content.decode()


def test_the_chronology_cursor_shows_only_older_entries(social_worker: Persona, client_person: Person) -> None:
    now = timezone.now()
    ChronologyEntryFactory(person=client_person, summary="Last week", occurred_at=now - timedelta(days=7))
    ChronologyEntryFactory(person=client_person, summary="Today", occurred_at=now)
    cursor = (now - timedelta(days=1)).isoformat()
    body = social_worker.http.get(reverse("people:detail", args=[client_person.pk]), {"before": cursor}).content
    assert b"Last week" in body
    assert b"Today" not in body
    # A cursor without a time zone is read as local time, not refused.
    naive = timezone.localtime(now - timedelta(days=1)).replace(tzinfo=None).isoformat()
    body = social_worker.http.get(reverse("people:detail", args=[client_person.pk]), {"before": naive}).content
    assert b"Last week" in body
    assert b"Today" not in body


def test_chronology_entries_link_to_where_they_happened(social_worker: Persona, client_person: Person) -> None:
    ChronologyEntryFactory(person=client_person, summary="Contact taken", link="/front-door/contacts/1/")
    ChronologyEntryFactory(person=client_person, summary="Odd link", link="javascript:alert(1)")
    ChronologyEntryFactory(person=client_person, summary="Offsite link", link="//evil.example/")
    body = social_worker.http.get(reverse("people:detail", args=[client_person.pk])).content.decode()
    assert '<a class="govuk-link" href="/front-door/contacts/1/">Contact taken</a>' in body
    assert "javascript:alert" not in body
    assert "evil.example" not in body
    assert "Odd link" in body and "Offsite link" in body


def test_chronology_categories_have_readable_labels(social_worker: Persona, client_person: Person) -> None:
    for category in ("front_door", "dols", "young_people", "something_new"):
        ChronologyEntryFactory(person=client_person, category=category)
    body = social_worker.http.get(reverse("people:detail", args=[client_person.pk])).content.decode()
    assert '<option value="front_door" >Front door</option>' in body
    assert '<option value="dols" >DoLS</option>' in body
    assert '<option value="young_people" >Young people</option>' in body
    assert '<option value="something_new" >Something new</option>' in body
    assert '<span class="govuk-tag govuk-tag--grey">DoLS</span>' in body
    assert "Front_door" not in body and "Dols" not in body
