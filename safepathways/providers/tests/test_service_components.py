"""The Service_Component list is configuration (the R1 list is UNCONFIRMED): rows seeded by migration, edited in the
admin, and checked by the service form and record_service alike."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.tests.admin_site import signed_in_superuser
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers import services
from safepathways.providers.codes import ServiceComponent
from safepathways.providers.forms import ServiceForm
from safepathways.providers.models import Service, ServiceComponentCode
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory

REFUSED = "Choose a service component from the list"


@pytest.fixture
def telecare(db: None) -> ServiceComponentCode:
    """A component a council added in the admin."""
    code: ServiceComponentCode = ServiceComponentCode.objects.create(code="Telecare", label="Telecare", order=30)
    return code


@pytest.fixture
def retired(db: None) -> ServiceComponentCode:
    code = ServiceComponentCode.objects.get(code="Meals")
    code.is_active = False
    code.save()
    return code


@pytest.fixture
def client_person(social_worker: Persona) -> Person:
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    return item.person


def _post(**overrides: object) -> dict[str, object]:
    day = timezone.localdate()
    return {
        "service_type": "Long Term Support: Community",
        "delivery_mechanism": "CASSR Commissioned Support",
        "start_on_day": day.day,
        "start_on_month": day.month,
        "start_on_year": day.year,
        **overrides,
    }


def _data(**overrides: object) -> dict[str, object]:
    return {"service_type": "Long Term Support: Community", "start_on": date(2026, 1, 5), **overrides}


def test_the_migration_seeds_todays_components_in_order(db: None) -> None:
    rows = list(ServiceComponentCode.objects.values_list("code", "label", "is_active"))
    assert rows == [(value, value, True) for value in ServiceComponent.values]
    assert not Service._meta.get_field("service_component").choices  # a council's own components are allowed


def test_the_form_offers_the_active_components(telecare: ServiceComponentCode, retired: ServiceComponentCode) -> None:
    choices = ServiceForm().fields["service_component"].choices
    assert choices[0] == ("", "Choose")
    assert ("Telecare", "Telecare") in choices
    assert "Meals" not in {code for code, _ in choices}


def test_a_component_added_in_the_admin_is_accepted_by_the_form(
    social_worker: Persona, client_person: Person, telecare: ServiceComponentCode
) -> None:
    url = reverse("providers:service_add", args=[client_person.pk])
    response = social_worker.http.post(url, _post(service_component="Telecare"))
    assert response.status_code == 302
    assert Service.objects.get(person=client_person).service_component == "Telecare"


@pytest.mark.parametrize("code", ["Meals", "Astrology"], ids=["retired", "unknown"])
def test_the_form_refuses_a_retired_or_unknown_component_on_its_field(
    social_worker: Persona, client_person: Person, retired: ServiceComponentCode, code: str
) -> None:
    url = reverse("providers:service_add", args=[client_person.pk])
    body = social_worker.http.post(url, _post(service_component=code)).content.decode()
    assert REFUSED in body
    assert 'href="#id_service_component"' in body
    assert not Service.objects.exists()


def test_record_service_accepts_an_added_component_or_none(
    social_worker: Persona, telecare: ServiceComponentCode
) -> None:
    person = PersonFactory()
    added = services.record_service(person=person, by=social_worker.user, data=_data(service_component="Telecare"))
    assert added.service_component == "Telecare"
    none = services.record_service(person=person, by=social_worker.user, data=_data(service_component=""))
    assert none.service_component == ""


@pytest.mark.parametrize("code", ["Meals", "Astrology"], ids=["retired", "unknown"])
def test_record_service_refuses_a_retired_or_unknown_component(
    social_worker: Persona, retired: ServiceComponentCode, code: str
) -> None:
    with pytest.raises(ApplicationError) as error:
        services.record_service(person=PersonFactory(), by=social_worker.user, data=_data(service_component=code))
    assert (error.value.field, error.value.message) == ("service_component", REFUSED)
    assert not Service.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_administrator_adds_a_component_and_cannot_delete_one(db: None) -> None:
    admin, client = signed_in_superuser()
    response = client.post(
        reverse("admin:providers_servicecomponentcode_add"),
        {"code": "Telecare", "label": "Telecare", "is_active": "on", "order": "30"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_id) == (admin, "admin.added", "Telecare")
    page = client.get(reverse("admin:providers_servicecomponentcode_change", args=["Telecare"])).content.decode()
    assert 'name="code"' not in page  # services hold the component's text: it cannot change
    url = reverse("admin:providers_servicecomponentcode_delete", args=["Telecare"])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert ServiceComponentCode.objects.filter(code="Telecare").exists()
