"""The gender list is configuration (CLD Gender is UNCONFIRMED): rows seeded by migration, edited in the admin, and
checked by the form, the API and the services alike."""

from typing import Any

import pytest
from django.urls import reverse
from markupsafe import escape
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from safepathways.accounts.models import Organisation
from safepathways.accounts.services import issue_api_token
from safepathways.accounts.tests.admin_site import admin_form_data, signed_in_superuser
from safepathways.audit.models import AccessBasis, AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people import services
from safepathways.people.codes import Gender
from safepathways.people.forms import PersonForm
from safepathways.people.models import GenderCode, Person, Share
from safepathways.people.selectors import resolve_access
from safepathways.people.tests.factories import PersonFactory, person_data
from safepathways.work.models import WorkItem
from safepathways.work.tests.factories import WorkItemFactory

REFUSED = "Choose a gender from the list"


@pytest.fixture
def non_binary(db: None) -> GenderCode:
    """A code a council added in the admin."""
    code: GenderCode = GenderCode.objects.create(code="Non-binary", label="Non-binary", order=10)
    return code


@pytest.fixture
def retired(db: None) -> GenderCode:
    """A seeded code the council stopped using."""
    code = GenderCode.objects.get(code="Other")
    code.is_active = False
    code.save()
    return code


@pytest.fixture
def client_person(social_worker: Persona) -> Person:
    item: WorkItem = WorkItemFactory.create(team=social_worker.team)
    return item.person


def _form(**overrides: Any) -> dict[str, Any]:
    return {
        "given_name": "Mary",
        "family_name": "Smith",
        "nhs_number_status": "03",
        "gender": "Female",
        "ethnicity": "Not known",
        "main_language": "English",
        **overrides,
    }


def _api(persona: Persona) -> APIClient:
    client = APIClient(HTTP_HOST="127.0.0.1")
    _, key = issue_api_token(user=persona.user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# The seed -------------------------------------------------------------------------------------------------------
def test_the_migration_seeds_todays_five_codes_in_order(db: None) -> None:
    rows = list(GenderCode.objects.values_list("code", "label", "is_active"))
    assert rows == [(value, label, True) for value, label in Gender.choices]
    assert Person._meta.get_field("gender").default == "Not known"
    assert not Person._meta.get_field("gender").choices  # a council's own codes are allowed


# The form and its pages -----------------------------------------------------------------------------------------
def test_the_form_offers_the_active_codes_with_their_labels(non_binary: GenderCode, retired: GenderCode) -> None:
    choices = PersonForm().fields["gender"].choices
    assert ("Non-binary", "Non-binary") in choices
    assert ("Not stated", "Not stated (person asked but declined)") in choices
    assert "Other" not in {code for code, _ in choices}


def test_a_code_added_in_the_admin_is_accepted_on_the_create_page(
    social_worker: Persona, non_binary: GenderCode
) -> None:
    response = social_worker.http.post(reverse("people:create"), _form(gender="Non-binary"))
    assert response.status_code == 302
    assert Person.objects.get().gender == "Non-binary"


@pytest.mark.parametrize("code", ["Other", "Martian"], ids=["retired", "unknown"])
def test_a_retired_or_unknown_code_is_refused_on_its_field(
    social_worker: Persona, retired: GenderCode, code: str
) -> None:
    body = social_worker.http.post(reverse("people:create"), _form(gender=code)).content.decode()
    assert REFUSED in body
    assert 'href="#id_gender"' in body
    assert not Person.objects.exists()


def test_a_record_keeps_its_retired_code_when_other_details_change(
    social_worker: Persona, client_person: Person, retired: GenderCode
) -> None:
    Person.objects.filter(pk=client_person.pk).update(gender="Other")
    url = reverse("people:edit", args=[client_person.pk])
    page = social_worker.http.get(url).content.decode()
    assert "Other (not listed) (no longer in use)" in page  # offered, and selected, as the code it holds
    response = social_worker.http.post(url, _form(gender="Other", given_name="Mae"))
    assert response.status_code == 302
    client_person.refresh_from_db()
    assert (client_person.given_name, client_person.gender) == ("Mae", "Other")


def test_the_edit_page_reads_the_codes_in_one_query(
    social_worker: Persona, client_person: Person, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # session, user with memberships, person (with the gender's label), relationship (work), access event,
    # then the form's gender codes (the configurable list, GenderCode): one more than before the list was rows
    with django_assert_num_queries(6):
        response = social_worker.http.get(reverse("people:edit", args=[client_person.pk]))
    assert response.status_code == 200


def test_the_person_page_shows_the_label_an_administrator_gave(
    social_worker: Persona, client_person: Person, non_binary: GenderCode
) -> None:
    GenderCode.objects.filter(code="Female").update(label="Woman (including trans woman)")
    Person.objects.filter(pk=client_person.pk).update(gender="Female")
    body = social_worker.http.get(reverse("people:detail", args=[client_person.pk])).content.decode()
    assert str(escape("Woman (including trans woman)")) in body
    # A code that is not in the list (data from before, or a row removed) shows as stored.
    Person.objects.filter(pk=client_person.pk).update(gender="Legacy code")
    body = social_worker.http.get(reverse("people:detail", args=[client_person.pk])).content.decode()
    assert "Legacy code" in body


def test_a_partner_reads_the_label_too(partner: Persona, social_worker: Persona, non_binary: GenderCode) -> None:
    person: Person = PersonFactory.create(gender="Non-binary")
    organisation: Organisation = partner.team.organisation
    Share.objects.create(person=person, organisation=organisation, purpose="Discharge", shared_by=social_worker.user)
    assert resolve_access(partner.user, person.pk).person.gender_label == "Non-binary"


# The services ---------------------------------------------------------------------------------------------------
def test_the_service_accepts_a_code_added_in_the_admin(social_worker: Persona, non_binary: GenderCode) -> None:
    person = services.create_person(by=social_worker.user, data=person_data(gender="Non-binary"))
    assert person.gender == "Non-binary"


@pytest.mark.parametrize("code", ["Other", "Martian", ""], ids=["retired", "unknown", "blank"])
def test_the_service_refuses_a_retired_or_unknown_code(social_worker: Persona, retired: GenderCode, code: str) -> None:
    with pytest.raises(ApplicationError) as error:
        services.create_person(by=social_worker.user, data=person_data(gender=code))
    assert (error.value.field, error.value.message) == ("gender", REFUSED)
    person: Person = PersonFactory.create(gender="Female")
    with pytest.raises(ApplicationError) as error:
        services.update_person(
            person=person, by=social_worker.user, data={"gender": code}, basis=AccessBasis.RELATIONSHIP
        )
    assert error.value.field == "gender"


def test_the_service_lets_a_record_keep_a_retired_code(social_worker: Persona, retired: GenderCode) -> None:
    person: Person = PersonFactory.create(gender="Other")
    updated = services.update_person(
        person=person, by=social_worker.user, data={"gender": "Other", "town": "Leeds"}, basis=AccessBasis.RELATIONSHIP
    )
    assert (updated.gender, updated.town) == ("Other", "Leeds")


# The API --------------------------------------------------------------------------------------------------------
def test_the_api_accepts_a_code_added_in_the_admin(social_worker: Persona, non_binary: GenderCode) -> None:
    body = {"given_name": "Mary", "family_name": "Smith", "gender": "Non-binary"}
    response = _api(social_worker).post("/api/v1/people/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["gender"] == "Non-binary"


@pytest.mark.parametrize("code", ["Other", "Martian"], ids=["retired", "unknown"])
def test_the_api_refuses_a_retired_or_unknown_code_naming_the_field(
    social_worker: Persona, client_person: Person, retired: GenderCode, code: str
) -> None:
    client = _api(social_worker)
    response = client.post("/api/v1/people/", {"given_name": "A", "family_name": "B", "gender": code}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "gender", "message": REFUSED}]
    response = client.patch(f"/api/v1/people/{client_person.pk}/", {"gender": code}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "gender", "message": REFUSED}]


def test_the_api_lets_a_record_keep_a_retired_code(
    social_worker: Persona, client_person: Person, retired: GenderCode
) -> None:
    Person.objects.filter(pk=client_person.pk).update(gender="Other")
    body = {"gender": "Other", "town": "Leeds"}
    response = _api(social_worker).patch(f"/api/v1/people/{client_person.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["gender"], response.json()["town"]) == ("Other", "Leeds")


# The admin ------------------------------------------------------------------------------------------------------
def test_an_administrator_adds_a_code_and_it_is_audited(db: None) -> None:
    admin, client = signed_in_superuser()
    response = client.post(
        reverse("admin:people_gendercode_add"),
        {"code": "Non-binary", "label": "Non-binary", "is_active": "on", "order": "10"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert GenderCode.objects.get(code="Non-binary").is_active
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_id) == (admin, "admin.added", "Non-binary")


def test_a_code_is_retired_not_renamed_or_deleted_in_the_admin(db: None) -> None:
    _, client = signed_in_superuser()
    url = reverse("admin:people_gendercode_change", args=["Other"])
    page = client.get(url)
    assert 'name="code"' not in page.content.decode()  # records hold the code's text: it cannot change
    response = client.post(url, {**admin_form_data(page), "is_active": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not GenderCode.objects.get(code="Other").is_active
    assert client.post(reverse("admin:people_gendercode_delete", args=["Other"]), {"post": "yes"}).status_code == 403
    assert GenderCode.objects.filter(code="Other").exists()
