from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.audit.models import AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.people.models import Person
from safepathways.providers.models import Provider, Service
from safepathways.providers.tests.factories import LocationFactory, ProviderFactory, ServiceFactory
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory


@pytest.fixture
def client_person(social_worker: Persona) -> Person:
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    return item.person


def _service_post() -> dict[str, object]:
    day = timezone.localdate()
    return {
        "service_type": "Long Term Support: Community",
        "delivery_mechanism": "CASSR Commissioned Support",
        "start_on_day": day.day,
        "start_on_month": day.month,
        "start_on_year": day.year,
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous_client", 302),
        ("partner", 403),
        ("other_team_worker", 302),
        ("director", 403),
        ("social_worker", 302),
    ],
)
def test_add_service_access_matrix(
    persona: str, expected: int, client_person: Person, request: pytest.FixtureRequest
) -> None:
    client = (
        request.getfixturevalue("anonymous") if persona == "anonymous_client" else request.getfixturevalue(persona).http
    )
    response = client.post(reverse("providers:service_add", args=[client_person.pk]), _service_post())
    assert response.status_code == expected
    if persona == "social_worker":
        assert Service.objects.filter(person=client_person).count() == 1
    else:
        assert not Service.objects.exists()
        assert not AuditEvent.objects.exists()
    if persona == "other_team_worker":
        assert response["Location"].startswith(reverse("people:declare", args=[client_person.pk]))


def _client(persona: str, request: pytest.FixtureRequest) -> Client:
    if persona == "anonymous_client":
        anonymous: Client = request.getfixturevalue("anonymous")
        return anonymous
    persona_value: Persona = request.getfixturevalue(persona)
    return persona_value.http


END_SERVICE_PERSONAS = ["anonymous_client", "partner", "other_team_worker", "director", "social_worker"]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("persona", END_SERVICE_PERSONAS)
def test_end_service_access_matrix(
    persona: str, method: str, client_person: Person, request: pytest.FixtureRequest
) -> None:
    service = ServiceFactory(person=client_person, start_on=timezone.localdate() - timedelta(days=10))
    url = reverse("providers:service_end", args=[client_person.pk, service.pk])
    day = timezone.localdate()
    data = {"end_on_day": day.day, "end_on_month": day.month, "end_on_year": day.year, "reason": "Moved away"}
    client = _client(persona, request)
    response = client.post(url, data) if method == "post" else client.get(url)
    service.refresh_from_db()
    if persona == "social_worker":
        assert response.status_code == (302 if method == "post" else 200)
        if method == "post":
            assert service.end_on == day
            assert AuditEvent.objects.filter(action="service.ended", person_id=client_person.pk).count() == 1
        else:
            assert AccessEvent.objects.get().person_id == client_person.pk
        return
    expected = {"anonymous_client": 302, "partner": 403, "other_team_worker": 302, "director": 403}[persona]
    assert response.status_code == expected
    if persona == "anonymous_client":
        assert response["Location"].startswith(reverse("accounts:sign_in"))
    if persona == "other_team_worker":
        assert response["Location"].startswith(reverse("people:declare", args=[client_person.pk]))
    assert service.end_on is None
    assert not AuditEvent.objects.exists()
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous_client", 302),
        ("partner", 403),  # the wrong role: the register is for council staff
        ("other_team_worker", 200),  # any council team: the register holds no personal data, so no team scope
        ("director", 200),
        ("social_worker", 200),
    ],
)
def test_provider_detail_access_matrix(db: None, persona: str, expected: int, request: pytest.FixtureRequest) -> None:
    provider: Provider = ProviderFactory.create()
    LocationFactory(provider=provider)
    response = _client(persona, request).get(reverse("providers:detail", args=[provider.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert provider.name in response.content.decode()
    if persona == "anonymous_client":
        assert response["Location"].startswith(reverse("accounts:sign_in"))
    assert not AuditEvent.objects.exists()
    assert not AccessEvent.objects.exists()


def test_an_unknown_provider_is_404(social_worker: Persona, client_person: Person) -> None:
    assert social_worker.http.get(reverse("providers:detail", args=[client_person.pk])).status_code == 404


def test_partner_cannot_see_that_a_person_exists(partner: Persona, client_person: Person) -> None:
    # Partners are refused by role before scope; for readable pages they get 404 (people tests).
    assert partner.http.get(reverse("providers:service_add", args=[client_person.pk])).status_code == 403


def test_end_service_from_the_person_page(social_worker: Persona, client_person: Person) -> None:
    service = ServiceFactory(person=client_person, start_on=timezone.localdate() - timedelta(days=10))
    url = reverse("providers:service_end", args=[client_person.pk, service.pk])
    assert social_worker.http.get(url).status_code == 200
    empty = social_worker.http.post(url, {}).content.decode()
    assert "Enter why the service is ending" in empty
    day = timezone.localdate()
    response = social_worker.http.post(
        url,
        {"end_on_day": day.day, "end_on_month": day.month, "end_on_year": day.year, "reason": "Moved to a care home"},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.end_reason == "Moved to a care home"


def test_service_of_another_person_is_404(social_worker: Persona, client_person: Person) -> None:
    other = ServiceFactory()
    response = social_worker.http.get(reverse("providers:service_end", args=[client_person.pk, other.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(("persona", "expected"), [("anonymous_client", 302), ("partner", 403), ("director", 200)])
def test_register_access_matrix(persona: str, expected: int, request: pytest.FixtureRequest) -> None:
    client: Client = (
        request.getfixturevalue("anonymous") if persona == "anonymous_client" else request.getfixturevalue(persona).http
    )
    assert client.get(reverse("providers:register")).status_code == expected


@pytest.mark.parametrize("rows", [1, 20])
def test_register_query_count_is_constant(
    social_worker: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        LocationFactory(provider=ProviderFactory())
    # session, user with memberships, count, page
    with django_assert_num_queries(4):
        response = social_worker.http.get(reverse("providers:register"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_provider_detail_query_count_is_constant(
    social_worker: Persona, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    provider = ProviderFactory()
    for _ in range(rows):
        LocationFactory(provider=provider)
    # session, user with memberships, provider, locations
    with django_assert_num_queries(4):
        response = social_worker.http.get(reverse("providers:detail", args=[provider.pk]))
    assert response.status_code == 200


def test_a_service_is_recorded_with_its_responsible_team(social_worker: Persona, client_person: Person) -> None:
    url = reverse("providers:service_add", args=[client_person.pk])
    form = social_worker.http.get(url)
    assert f'<option value="{social_worker.team.pk}" selected>' in form.content.decode()  # the recorder's team first
    response = social_worker.http.post(url, {**_service_post(), "team": str(social_worker.team.pk)})
    assert response.status_code == 302
    assert Service.objects.get(person=client_person).team == social_worker.team


def test_a_service_may_be_recorded_with_no_team(social_worker: Persona, client_person: Person) -> None:
    response = social_worker.http.post(reverse("providers:service_add", args=[client_person.pk]), _service_post())
    assert response.status_code == 302
    assert Service.objects.get(person=client_person).team is None


@pytest.mark.parametrize("rows", [1, 20])
def test_add_service_form_query_count_is_constant(
    social_worker: Persona, client_person: Person, rows: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(rows):
        LocationFactory(provider=ProviderFactory())
    # session, user with memberships, person, relationship (work), access event,
    # then the form's choices: service components (the configurable list, ServiceComponentCode), providers,
    # locations with their providers, council teams
    with django_assert_num_queries(9):
        response = social_worker.http.get(reverse("providers:service_add", args=[client_person.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("Rose House") == rows
