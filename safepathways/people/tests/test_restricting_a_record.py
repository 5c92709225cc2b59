"""Restricting a record ends the declared access others hold to it; break-glass still opens it (ADR-004)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.people import services
from safepathways.people.models import AccessGrant, AccessGrantKind, Person
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

    restricted = services.update_person(person=person, by=social_worker.user, data={"is_restricted": True})

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
    services.update_person(person=person, by=social_worker.user, data={"is_restricted": True})
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
    services.update_person(person=person, by=social_worker.user, data={"is_restricted": True})
    glass.refresh_from_db()
    assert glass.revoked_at is None
    assert resolve_access(other_team_worker.user, person.pk).grant == glass


def test_a_declared_grant_given_before_the_restriction_stays_refused_after_it_is_lifted_and_set_again(
    social_worker: Persona, other_team_worker: Persona
) -> None:
    person = WorkItemFactory(team=social_worker.team).person
    services.update_person(person=person, by=social_worker.user, data={"is_restricted": True})
    services.update_person(person=person, by=social_worker.user, data={"is_restricted": False})
    assert Person.objects.get(pk=person.pk).restricted_at is None
    # Unrestricted again: a declaration opens the record, until it is restricted once more.
    grant = _declare(Person.objects.get(pk=person.pk), other_team_worker)
    assert resolve_access(other_team_worker.user, person.pk).grant == grant
    services.update_person(person=person, by=social_worker.user, data={"is_restricted": True})
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    with pytest.raises(RelationshipRequiredError):
        resolve_access(other_team_worker.user, person.pk)


def test_other_changes_to_a_restricted_record_end_nothing(social_worker: Persona) -> None:
    person = services.create_person(by=social_worker.user, data=person_data(is_restricted=True))
    restricted_at = person.restricted_at
    assert restricted_at is not None
    services.update_person(person=person, by=social_worker.user, data={"given_name": "Maria"})
    # The creator's own declared grant (ADR-004's exception) still opens the record.
    assert resolve_access(social_worker.user, person.pk).grant is not None
    assert Person.objects.get(pk=person.pk).restricted_at == restricted_at
    assert not AuditEvent.objects.filter(action="access.revoked").exists()


def test_the_creator_loses_the_exception_when_restricting_later(
    social_worker: Persona, other_team_worker: Persona
) -> None:
    """ADR-004's exception is for a record restricted as it is created; restricting it later ends every declared
    grant, the restricting user's own included."""
    person = services.create_person(by=social_worker.user, data=person_data())
    own = AccessGrant.objects.get(person=person)
    services.update_person(person=person, by=social_worker.user, data={"is_restricted": True})
    own.refresh_from_db()
    assert own.revoked_at is not None and own.revoked_at <= timezone.now()
    with pytest.raises(RelationshipRequiredError):
        resolve_access(social_worker.user, person.pk)
    assert own.expires_at > timezone.now() + timedelta(hours=1)  # it ended early, not by running out
