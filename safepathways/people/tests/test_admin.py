"""The Django admin's person pages are read-only and every record opened there is logged (ADR-022)."""

from django.urls import reverse

from safepathways.accounts.tests.admin_site import signed_in_superuser
from safepathways.audit.models import AccessBasis, AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.people.models import Person
from safepathways.people.tests.factories import PersonFactory


def test_the_changelist_searches_and_logs_no_access(db: None) -> None:
    PersonFactory(family_name="Smith", postcode="NW1 2AB")
    PersonFactory(family_name="Smith", postcode="NW5 9ZZ", is_restricted=True)
    PersonFactory(family_name="Jones")
    _, client = signed_in_superuser()
    response = client.get(reverse("admin:people_person_changelist"), {"q": "smith"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 results (" in body  # what the benchmark reads
    assert "NW1 2AB" in body
    assert "NW5 9ZZ" not in body  # a restricted record's address is not shown
    assert "Add person" not in body
    assert not AccessEvent.objects.exists()


def test_the_change_view_is_read_only_and_logs_an_access(db: None) -> None:
    person: Person = PersonFactory.create(given_name="Mary", family_name="Smith")
    admin, client = signed_in_superuser()
    url = reverse("admin:people_person_change", args=[person.pk])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="_save"' not in body
    assert 'name="given_name"' not in body  # shown as text, not as a field to edit
    event = AccessEvent.objects.get()
    assert (event.user, event.person_id, event.basis, event.kind) == (admin, person.pk, AccessBasis.ADMIN, "view")
    refused = client.post(url, {"given_name": "Changed", "family_name": "Smith"})
    assert refused.status_code == 403
    person.refresh_from_db()
    assert person.given_name == "Mary"
    assert AccessEvent.objects.count() == 1  # the refused post showed nothing
    assert not AuditEvent.objects.exists()


def test_people_cannot_be_added_or_deleted_in_the_admin(db: None) -> None:
    person = PersonFactory()
    _, client = signed_in_superuser()
    assert client.get(reverse("admin:people_person_add")).status_code == 403
    assert client.post(reverse("admin:people_person_delete", args=[person.pk]), {"post": "yes"}).status_code == 403
    assert Person.objects.filter(pk=person.pk).exists()
    assert not AuditEvent.objects.exists()


def test_a_restricted_record_does_not_open_in_the_admin(db: None) -> None:
    person = PersonFactory(is_restricted=True)
    _, client = signed_in_superuser()
    assert client.get(reverse("admin:people_person_change", args=[person.pk])).status_code == 404
    assert not AccessEvent.objects.exists()


def test_staff_without_the_admin_are_sent_to_sign_in(social_worker: Persona) -> None:
    person = PersonFactory()
    response = social_worker.http.get(reverse("admin:people_person_change", args=[person.pk]))
    assert response.status_code == 302
    assert not AccessEvent.objects.exists()
