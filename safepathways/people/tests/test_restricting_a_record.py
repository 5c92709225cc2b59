"""Restricting a record ends the declared access others hold to it; break-glass still opens it (ADR-004)."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from safepathways.accounts.services import issue_api_token
from safepathways.audit.models import AccessBasis, AccessEvent, AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people import services
from safepathways.people.models import AccessGrant, AccessGrantKind, ChronologyEntry, Person
from safepathways.people.selectors import RelationshipRequiredError, resolve_access
from safepathways.people.tests.factories import PersonFactory, person_data
from safepathways.work.tests.factories import WorkItemFactory


def _declare(person: Person, persona: Persona) -> AccessGrant:
    return services.grant_access(
        person=person, user=persona.user, kind=AccessGrantKind.DECLARED, reason="other", reason_detail="Covering"
    )


def _break_glass(person: Person, persona: Persona) -> AccessGrant:
    return services.grant_access(
        person=person, user=persona.user, kind=AccessGrantKind.BREAK_GLASS, reason="emergency", reason_detail="Fire"
    )


def test_restricting_a_record_ends_the_declared_grants_on_it(
    social_worker: Persona, other_team_worker: Persona, ig_officer: Persona
) -> None:
    item = WorkItemFactory(team=social_worker.team)  # the social worker's team works with the person
    person = item.person
    declared = _declare(person, other_team_worker)
    other_declared = _declare(person, ig_officer)
    glass = _break_glass(PersonFactory(), other_team_worker)  # another record's grant is left alone
    assert resolve_access(other_team_worker.user, person.pk).grant == declared

    restricted = services.update_person(
        person=person, by=social_worker.user, data={"is_restricted": True}, basis=AccessBasis.RELATIONSHIP
    )

    assert restricted.is_restricted and restricted.restricted_at is not None
    for grant in (declared, other_declared):
        grant.refresh_from_db()
        assert grant.revoked_at == restricted.restricted_at
    assert AccessGrant.objects.get(pk=glass.pk).revoked_at is None
    ended = AuditEvent.objects.filter(action="access.revoked").order_by("id")
    assert [e.target_id for e in ended] == [str(declared.pk), str(other_declared.pk)]
    assert {e.actor_id for e in ended} == {social_worker.user.pk}
    assert ended[0].snapshot["because"] == "record restricted"
    # The holders now have to break glass; the team that works with the person is not affected.
    with pytest.raises(RelationshipRequiredError):
        resolve_access(other_team_worker.user, person.pk)
    assert resolve_access(social_worker.user, person.pk).grant is None


def test_a_holder_is_asked_to_break_glass_once_the_record_is_restricted(
    social_worker: Persona, other_team_worker: Persona
) -> None:
    person = WorkItemFactory(team=social_worker.team).person
    _declare(person, other_team_worker)
    url = reverse("people:detail", args=[person.pk])
    assert other_team_worker.http.get(url).status_code == 200
    services.update_person(
        person=person, by=social_worker.user, data={"is_restricted": True}, basis=AccessBasis.RELATIONSHIP
    )
    response = other_team_worker.http.get(url)
    assert response["Location"].startswith(reverse("people:declare", args=[person.pk]))
    page = other_team_worker.http.get(response["Location"]).content.decode()
    assert "This record is restricted" in page


def test_a_declared_grant_does_not_open_a_restricted_record_but_break_glass_does(other_team_worker: Persona) -> None:
    person = PersonFactory()
    grant = _declare(person, other_team_worker)
    # Restricted without the service (as before restricted_at was kept, or by a bulk load): the grant is still current
    # in the table, and resolve_access refuses it all the same.
    Person.objects.filter(pk=person.pk).update(is_restricted=True)
    assert AccessGrant.objects.current().filter(pk=grant.pk).exists()
    with pytest.raises(RelationshipRequiredError):
        resolve_access(other_team_worker.user, person.pk)
    assert not Person.objects.with_relationship_to(other_team_worker.user).filter(pk=person.pk).exists()

    glass = _break_glass(Person.objects.get(pk=person.pk), other_team_worker)
    access = resolve_access(other_team_worker.user, person.pk)
    assert (access.grant, access.basis) == (glass, "break_glass")
    assert Person.objects.with_relationship_to(other_team_worker.user).filter(pk=person.pk).exists()


def test_break_glass_carries_on_when_the_record_is_restricted(
    social_worker: Persona, other_team_worker: Persona
) -> None:
    person = WorkItemFactory(team=social_worker.team).person
    glass = _break_glass(person, other_team_worker)
    services.update_person(
        person=person, by=social_worker.user, data={"is_restricted": True}, basis=AccessBasis.RELATIONSHIP
    )
    glass.refresh_from_db()
    assert glass.revoked_at is None
    assert resolve_access(other_team_worker.user, person.pk).grant == glass


def test_a_declared_grant_given_before_the_restriction_stays_refused_after_it_is_lifted_and_set_again(
    social_worker: Persona, other_team_worker: Persona
) -> None:
    person = WorkItemFactory(team=social_worker.team).person
    services.update_person(
        person=person, by=social_worker.user, data={"is_restricted": True}, basis=AccessBasis.RELATIONSHIP
    )
    services.update_person(
        person=person, by=social_worker.user, data={"is_restricted": False}, basis=AccessBasis.RELATIONSHIP
    )
    assert Person.objects.get(pk=person.pk).restricted_at is None
    # Unrestricted again: a declaration opens the record, until it is restricted once more.
    grant = _declare(Person.objects.get(pk=person.pk), other_team_worker)
    assert resolve_access(other_team_worker.user, person.pk).grant == grant
    services.update_person(
        person=person, by=social_worker.user, data={"is_restricted": True}, basis=AccessBasis.RELATIONSHIP
    )
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    with pytest.raises(RelationshipRequiredError):
        resolve_access(other_team_worker.user, person.pk)


def test_other_changes_to_a_restricted_record_end_nothing(social_worker: Persona) -> None:
    person = services.create_person(by=social_worker.user, data=person_data(is_restricted=True))
    restricted_at = person.restricted_at
    assert restricted_at is not None
    services.update_person(
        person=person, by=social_worker.user, data={"given_name": "Maria"}, basis=AccessBasis.RELATIONSHIP
    )
    # The creator's own declared grant (ADR-004's exception) still opens the record.
    assert resolve_access(social_worker.user, person.pk).grant is not None
    assert Person.objects.get(pk=person.pk).restricted_at == restricted_at
    assert not AuditEvent.objects.filter(action="access.revoked").exists()


def test_the_creator_loses_the_exception_when_the_record_is_restricted_later(
    social_worker: Persona, other_team_worker: Persona
) -> None:
    """ADR-004's exception is for a record restricted as it is created; restricting it later (which only a team that
    works with the person may do) ends every declared grant, the creator's included."""
    person = services.create_person(by=social_worker.user, data=person_data())
    own = AccessGrant.objects.get(person=person)
    WorkItemFactory(person=person, team=other_team_worker.team)
    services.update_person(
        person=person, by=other_team_worker.user, data={"is_restricted": True}, basis=AccessBasis.RELATIONSHIP
    )
    own.refresh_from_db()
    assert own.revoked_at is not None and own.revoked_at <= timezone.now()
    with pytest.raises(RelationshipRequiredError):
        resolve_access(social_worker.user, person.pk)
    assert own.expires_at > timezone.now() + timedelta(hours=1)  # it ended early, not by running out


# Only a team that works with the person may restrict the record or lift its restriction: someone who opened it by
# break-glass or a declaration could otherwise lift it, and then anyone could declare their way in.


def _edit_data(person: Person, **changes: Any) -> dict[str, Any]:
    """The edit form as it is shown for `person`, with `changes`; a ticked box is "on", an unticked one not sent."""
    data: dict[str, Any] = {}
    for name in services.PERSON_FIELDS:
        value = getattr(person, name)
        if isinstance(value, bool):
            data[name] = "on" if value else None
        elif isinstance(value, date):
            data.update({f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year})
        else:
            data[name] = value or ""
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _break_glass_on_the_web(person: Person, persona: Persona) -> None:
    response = persona.http.post(
        reverse("people:declare", args=[person.pk]), {"reason": "emergency", "reason_detail": "Police at the door"}
    )
    assert response.status_code == 302
    assert AccessGrant.objects.get(user=persona.user, person=person).kind == AccessGrantKind.BREAK_GLASS


def _api(persona: Persona) -> APIClient:
    client = APIClient(HTTP_HOST="127.0.0.1")
    _, key = issue_api_token(user=persona.user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_break_glass_does_not_let_its_holder_lift_the_restriction_on_the_web(other_team_worker: Persona) -> None:
    person: Person = PersonFactory.create(is_restricted=True, given_name="Mary", family_name="Smith")
    _break_glass_on_the_web(person, other_team_worker)
    url = reverse("people:edit", args=[person.pk])
    form = other_team_worker.http.get(url).content.decode()
    assert "Only a team that works with Mary Smith can change this" in form
    events, entries = AuditEvent.objects.count(), ChronologyEntry.objects.count()

    response = other_team_worker.http.post(url, _edit_data(person, is_restricted=None, phone="020 7946 0000"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_is_restricted"' in body
    assert "Only a team that works with Mary Smith can lift the restriction on this record" in body
    person.refresh_from_db()
    assert person.is_restricted
    assert person.phone == ""  # nothing else was saved either
    assert (AuditEvent.objects.count(), ChronologyEntry.objects.count()) == (events, entries)
    # So the record still offers only break-glass to anyone else.
    assert (
        "This record is restricted"
        in other_team_worker.http.get(reverse("people:declare", args=[person.pk])).content.decode()
    )


def test_break_glass_holder_may_still_correct_other_details(other_team_worker: Persona) -> None:
    person: Person = PersonFactory.create(is_restricted=True)
    _break_glass_on_the_web(person, other_team_worker)
    response = other_team_worker.http.post(
        reverse("people:edit", args=[person.pk]), _edit_data(person, phone="020 7946 0000")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.is_restricted) == ("020 7946 0000", True)
    assert AuditEvent.objects.get(action="person.updated").snapshot == {"changed": "phone"}


def test_break_glass_does_not_let_its_holder_lift_the_restriction_through_the_api(other_team_worker: Persona) -> None:
    person: Person = PersonFactory.create(is_restricted=True, given_name="Mary", family_name="Smith")
    _break_glass(person, other_team_worker)
    api = _api(other_team_worker)
    events = AuditEvent.objects.count()

    response = api.patch(
        f"/api/v1/people/{person.pk}/", {"is_restricted": False, "phone": "020 7946 0000"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "is_restricted",
            "message": "Only a team that works with Mary Smith can lift the restriction on this record",
        }
    ]
    person.refresh_from_db()
    assert person.is_restricted and person.phone == ""
    assert AuditEvent.objects.count() == events
    assert not AccessEvent.objects.exists()  # a refused PATCH returns no record, so it is no look at it


def test_a_declared_relationship_does_not_let_its_holder_restrict_a_record(other_team_worker: Persona) -> None:
    person: Person = PersonFactory.create(given_name="Mary", family_name="Smith")
    _declare(person, other_team_worker)
    api = _api(other_team_worker)
    events = AuditEvent.objects.count()
    body = other_team_worker.http.post(
        reverse("people:edit", args=[person.pk]), _edit_data(person, is_restricted="on")
    ).content.decode()
    assert "Only a team that works with Mary Smith can restrict this record" in body
    response = api.patch(f"/api/v1/people/{person.pk}/", {"is_restricted": True}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "is_restricted"
    assert not Person.objects.get(pk=person.pk).is_restricted
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("basis", [AccessBasis.DECLARED, AccessBasis.BREAK_GLASS, AccessBasis.PARTNER_SHARE, ""])
def test_the_service_lets_only_a_working_relationship_change_the_restriction(
    social_worker: Persona, basis: str
) -> None:
    person: Person = PersonFactory.create(is_restricted=True)
    with pytest.raises(ApplicationError) as error:
        services.update_person(person=person, by=social_worker.user, data={"is_restricted": False}, basis=basis)
    assert error.value.field == "is_restricted"
    assert Person.objects.get(pk=person.pk).is_restricted
    # Sending the value it already has is no change, so it is not refused.
    services.update_person(
        person=person, by=social_worker.user, data={"is_restricted": True, "phone": "1"}, basis=basis
    )
    assert Person.objects.get(pk=person.pk).phone == "1"


def test_a_team_that_works_with_the_person_can_lift_and_add_the_restriction(social_worker: Persona) -> None:
    person: Person = PersonFactory.create(is_restricted=True)
    WorkItemFactory(person=person, team=social_worker.team)
    url = reverse("people:edit", args=[person.pk])
    assert "can change this" not in social_worker.http.get(url).content.decode()
    response = social_worker.http.post(url, _edit_data(person, is_restricted=None))
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert not person.is_restricted and person.restricted_at is None
    assert AuditEvent.objects.get(action="person.updated").snapshot == {"changed": "is_restricted"}
    patched = _api(social_worker).patch(f"/api/v1/people/{person.pk}/", {"is_restricted": True}, format="json")
    assert patched.status_code == 200
    assert patched.json()["is_restricted"] is True
    assert Person.objects.get(pk=person.pk).restricted_at is not None
