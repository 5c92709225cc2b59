"""The NHS number verification status must agree with the number: a "present" status needs one, "not present" none."""

from typing import Any

import pytest
from django.urls import reverse
from markupsafe import escape
from rest_framework.test import APIClient

from safepathways.accounts.services import issue_api_token
from safepathways.audit.models import AccessBasis, AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people import services
from safepathways.people.codes import NHSNumberStatus
from safepathways.people.models import Person
from safepathways.people.tests.factories import person_data
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory

NUMBER = "9990000018"


@pytest.mark.parametrize(
    ("number", "status", "message"),
    [
        ("", NHSNumberStatus.VERIFIED, "“Number present and verified” needs an NHS number"),
        ("", NHSNumberStatus.NOT_TRACED, "“Number present but not traced” needs an NHS number"),
        (NUMBER, NHSNumberStatus.NOT_REQUIRED, "“Number not present and trace not required” says there is no NHS"),
    ],
)
def test_create_refuses_a_status_that_contradicts_the_number(
    social_worker: Persona, number: str, status: str, message: str
) -> None:
    with pytest.raises(ApplicationError) as error:
        services.create_person(by=social_worker.user, data=person_data(nhs_number=number, nhs_number_status=status))
    assert error.value.field == "nhs_number_status"
    assert message in error.value.message
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("number", "status"),
    [
        (NUMBER, NHSNumberStatus.VERIFIED),
        (NUMBER, NHSNumberStatus.NOT_TRACED),
        ("", NHSNumberStatus.NOT_REQUIRED),
        ("", NHSNumberStatus.TRACE_REQUIRED),
        (NUMBER, NHSNumberStatus.TRACE_REQUIRED),
        ("", NHSNumberStatus.POSTPONED),
    ],
)
def test_create_accepts_a_status_that_fits_the_number(social_worker: Persona, number: str, status: str) -> None:
    person = services.create_person(
        by=social_worker.user, data=person_data(nhs_number=number, nhs_number_status=status)
    )
    assert (person.nhs_number, person.nhs_number_status) == (number or None, status)


def test_a_status_given_alone_is_checked_against_the_number_held(social_worker: Persona) -> None:
    person = services.create_person(
        by=social_worker.user, data=person_data(nhs_number="", nhs_number_status=NHSNumberStatus.TRACE_REQUIRED)
    )
    with pytest.raises(ApplicationError) as error:
        services.update_person(
            person=person,
            by=social_worker.user,
            data={"nhs_number_status": NHSNumberStatus.VERIFIED},
            basis=AccessBasis.RELATIONSHIP,
        )
    assert error.value.field == "nhs_number_status"


def test_removing_the_number_of_a_verified_record_needs_a_new_status(social_worker: Persona) -> None:
    person = services.create_person(by=social_worker.user, data=person_data(nhs_number_status=NHSNumberStatus.VERIFIED))
    with pytest.raises(ApplicationError) as error:
        services.update_person(
            person=person, by=social_worker.user, data={"nhs_number": ""}, basis=AccessBasis.RELATIONSHIP
        )
    assert error.value.field == "nhs_number_status"
    person.refresh_from_db()
    assert person.nhs_number == NUMBER
    assert not AuditEvent.objects.filter(action="person.updated").exists()
    services.update_person(
        person=person,
        by=social_worker.user,
        data={"nhs_number": "", "nhs_number_status": NHSNumberStatus.TRACE_REQUIRED},
        basis=AccessBasis.RELATIONSHIP,
    )
    person.refresh_from_db()
    assert person.nhs_number is None
    assert person.nhs_number_status == NHSNumberStatus.TRACE_REQUIRED


def test_adding_a_number_to_a_not_present_record_needs_a_new_status(social_worker: Persona) -> None:
    person = services.create_person(
        by=social_worker.user, data=person_data(nhs_number="", nhs_number_status=NHSNumberStatus.NOT_REQUIRED)
    )
    with pytest.raises(ApplicationError) as error:
        services.update_person(
            person=person, by=social_worker.user, data={"nhs_number": NUMBER}, basis=AccessBasis.RELATIONSHIP
        )
    assert error.value.field == "nhs_number_status"


def _form(**overrides: Any) -> dict[str, Any]:
    return {
        "given_name": "Mary",
        "family_name": "Smith",
        "nhs_number": "",
        "nhs_number_status": NHSNumberStatus.VERIFIED,
        "gender": "Female",
        "ethnicity": "Not known",
        "main_language": "English",
        **overrides,
    }


def test_the_create_page_names_the_status_field(social_worker: Persona) -> None:
    body = social_worker.http.post(reverse("people:create"), _form()).content.decode()
    assert "There is a problem" in body
    assert str(escape("“Number present and verified” needs an NHS number")) in body
    assert 'href="#id_nhs_number_status"' in body
    assert not Person.objects.exists()


def test_the_edit_page_names_the_status_field(social_worker: Persona) -> None:
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    person = item.person
    url = reverse("people:edit", args=[person.pk])
    body = social_worker.http.post(
        url, _form(nhs_number=person.nhs_number, nhs_number_status=NHSNumberStatus.NOT_REQUIRED)
    ).content.decode()
    assert "says there is no NHS number" in body
    assert 'href="#id_nhs_number_status"' in body
    person.refresh_from_db()
    assert person.nhs_number_status == NHSNumberStatus.VERIFIED


def test_the_api_names_the_status_field(social_worker: Persona) -> None:
    client = APIClient(HTTP_HOST="127.0.0.1")
    _, key = issue_api_token(user=social_worker.user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(
        "/api/v1/people/",
        {"given_name": "Mary", "family_name": "Smith", "nhs_number_status": NHSNumberStatus.VERIFIED},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "nhs_number_status"
    assert not Person.objects.exists()
