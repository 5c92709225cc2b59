from datetime import date, timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import Team
from safepathways.audit.models import AccessBasis, AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people import services
from safepathways.people.models import (
    AccessGrant,
    AccessGrantKind,
    ChronologyEntry,
    Neighbourhood,
    Person,
    PostcodeArea,
)
from safepathways.people.selectors import RelationshipRequiredError, resolve_access
from safepathways.people.tests.factories import PersonFactory, person_data


def test_create_person_assigns_reference_neighbourhood_chronology_and_audit(social_worker: Persona, team: Team) -> None:
    neighbourhood = Neighbourhood.objects.create(name="North East", team=team)
    PostcodeArea.objects.create(prefix="NW5", neighbourhood=neighbourhood)
    person = services.create_person(by=social_worker.user, data=person_data())
    assert person.reference.startswith("SP") and len(person.reference) == 9
    assert person.postcode == "NW5 1AB"
    assert person.neighbourhood == neighbourhood
    assert person.family_name_key == "SM0"
    assert ChronologyEntry.objects.filter(person=person, summary="Record created").exists()
    event = AuditEvent.objects.get(action="person.created")
    assert event.person_id == person.pk
    assert event.actor == social_worker.user


def test_references_are_unique_and_sequential(social_worker: Persona) -> None:
    first = services.create_person(by=social_worker.user, data=person_data(nhs_number=""))
    second = services.create_person(by=social_worker.user, data=person_data(nhs_number="", given_name="John"))
    assert int(second.reference[2:]) == int(first.reference[2:]) + 1


def test_sector_mapping_beats_district_mapping(social_worker: Persona, team: Team, other_team: Team) -> None:
    district = Neighbourhood.objects.create(name="Central", team=team)
    sector = Neighbourhood.objects.create(name="South", team=other_team)
    PostcodeArea.objects.create(prefix="NW1", neighbourhood=district)
    PostcodeArea.objects.create(prefix="NW1 2", neighbourhood=sector)
    assert services.neighbourhood_for_postcode("NW1 2AB") == sector
    assert services.neighbourhood_for_postcode("NW1 5AB") == district
    assert services.neighbourhood_for_postcode("SW1A 1AA") is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"nhs_number": "9990000019"}, "nhs_number", "check digit"),
        ({"postcode": "NW1"}, "postcode", "real UK postcode"),
        (
            {"date_of_birth": date.today() + timedelta(days=7)},
            "date_of_birth",
            "past",
        ),  # a week: collected before midnight, run after
        ({"date_of_birth": date(1850, 1, 1)}, "date_of_birth", "130 years"),
        ({"given_name": "  "}, "given_name", "first name"),
        ({"date_of_birth": date(1950, 1, 1), "date_of_death": date(1949, 1, 1)}, "date_of_death", "on or after"),
    ],
)
def test_create_person_refuses_bad_input_naming_the_field(
    social_worker: Persona, overrides: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ApplicationError) as error:
        services.create_person(by=social_worker.user, data=person_data(**overrides))
    assert error.value.field == field
    assert message in error.value.message
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_second_person_with_the_same_nhs_number_is_refused_with_the_existing_record(social_worker: Persona) -> None:
    existing = services.create_person(by=social_worker.user, data=person_data())
    with pytest.raises(services.DuplicateNHSNumberError) as error:
        services.create_person(by=social_worker.user, data=person_data(given_name="Other", nhs_number="999 000 0018"))
    assert error.value.existing == existing
    assert existing.reference in error.value.message
    assert Person.objects.count() == 1


def test_update_person_records_changed_fields_only(social_worker: Persona) -> None:
    person = services.create_person(by=social_worker.user, data=person_data())
    services.update_person(
        person=person,
        by=social_worker.user,
        data={"given_name": "Maria", "family_name": "Smith"},
        basis=AccessBasis.RELATIONSHIP,
    )
    entry = ChronologyEntry.objects.filter(person=person).order_by("-occurred_at").first()
    assert entry is not None and entry.summary == "Details updated: First name"
    assert AuditEvent.objects.filter(action="person.updated").get().snapshot == {"changed": "given_name"}
    services.update_person(
        person=person, by=social_worker.user, data={"given_name": "Maria"}, basis=AccessBasis.RELATIONSHIP
    )
    assert AuditEvent.objects.filter(action="person.updated").count() == 1


def test_update_person_refuses_an_nhs_number_held_by_another_record(social_worker: Persona) -> None:
    services.create_person(by=social_worker.user, data=person_data())
    other = services.create_person(by=social_worker.user, data=person_data(nhs_number="", given_name="John"))
    with pytest.raises(services.DuplicateNHSNumberError):
        services.update_person(
            person=other, by=social_worker.user, data={"nhs_number": "9990000018"}, basis=AccessBasis.RELATIONSHIP
        )
    other.refresh_from_db()
    assert other.nhs_number is None


def test_raise_and_end_alert(social_worker: Persona) -> None:
    person = PersonFactory()
    alert = services.raise_alert(
        person=person,
        by=social_worker.user,
        kind="risk_to_staff",
        reason="Aggressive dog",
        owner=social_worker.user,
        review_on=timezone.localdate() + timedelta(days=10),
    )
    assert person.alerts.active().get() == alert
    with pytest.raises(ApplicationError, match="why"):
        services.end_alert(alert=alert, by=social_worker.user, reason=" ")
    services.end_alert(alert=alert, by=social_worker.user, reason="Dog rehomed")
    assert not person.alerts.active().exists()
    with pytest.raises(ApplicationError, match="already ended"):
        services.end_alert(alert=alert, by=social_worker.user, reason="again")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["alert.raised", "alert.ended"]


def test_alert_review_date_cannot_be_in_the_past(social_worker: Persona) -> None:
    with pytest.raises(ApplicationError) as error:
        services.raise_alert(
            person=PersonFactory(),
            by=social_worker.user,
            kind="fire_risk",
            reason="Smoker",
            owner=social_worker.user,
            review_on=timezone.localdate() - timedelta(days=1),
        )
    assert error.value.field == "review_on"


def test_record_risk_keeps_the_persons_view(social_worker: Persona) -> None:
    risk = services.record_risk(
        person=PersonFactory(),
        by=social_worker.user,
        title="Falls",
        description="Falls at night",
        likelihood=4,
        impact=4,
        mitigation="Sensor mat",
        owner=social_worker.user,
        review_on=timezone.localdate() + timedelta(days=7),
        persons_view="I would rather risk a fall than move",
    )
    assert risk.score == 16
    assert risk.persons_view.startswith("I would rather")
    assert AuditEvent.objects.get(action="risk.recorded").snapshot == {"likelihood": 4, "impact": 4}


def test_grants_last_a_limited_time_and_restricted_records_need_break_glass(social_worker: Persona) -> None:
    person = PersonFactory(is_restricted=True)
    with pytest.raises(ApplicationError, match="break-glass"):
        services.grant_access(
            person=person, user=social_worker.user, kind=AccessGrantKind.DECLARED, reason="other", reason_detail="x"
        )
    grant = services.grant_access(
        person=person,
        user=social_worker.user,
        kind=AccessGrantKind.BREAK_GLASS,
        reason="emergency",
        reason_detail="Fire at the flat",
    )
    assert grant.expires_at - grant.granted_at == timedelta(hours=4)
    with pytest.raises(ApplicationError, match="Explain"):
        services.grant_access(
            person=PersonFactory(),
            user=social_worker.user,
            kind=AccessGrantKind.DECLARED,
            reason="other",
            reason_detail="",
        )


def test_review_of_own_access_is_refused(social_worker: Persona, ig_officer: Persona) -> None:
    grant = services.grant_access(
        person=PersonFactory(),
        user=ig_officer.user,
        kind=AccessGrantKind.DECLARED,
        reason="other",
        reason_detail="Checking",
    )
    with pytest.raises(ApplicationError, match="your own"):
        services.review_access_grant(grant=grant, by=ig_officer.user, outcome="appropriate", note="")


def test_the_creator_of_a_restricted_record_keeps_access_to_it(
    social_worker: Persona, other_team_worker: Persona
) -> None:
    person = services.create_person(by=social_worker.user, data=person_data(is_restricted=True))
    assert person.is_restricted
    grant = AccessGrant.objects.get(person=person)
    assert (grant.user, grant.kind, grant.reason) == (social_worker.user, AccessGrantKind.DECLARED, "new_contact")
    assert resolve_access(social_worker.user, person.pk).grant == grant
    # Anyone else still has to break glass: the declare page cannot give them a declared grant.
    with pytest.raises(RelationshipRequiredError):
        resolve_access(other_team_worker.user, person.pk)
    with pytest.raises(ApplicationError, match="break-glass"):
        services.grant_access(
            person=person, user=other_team_worker.user, kind=AccessGrantKind.DECLARED, reason="other", reason_detail="x"
        )


def test_access_judged_not_appropriate_ends_at_once(other_team_worker: Persona, ig_officer: Persona) -> None:
    person = PersonFactory()
    grant = services.grant_access(
        person=person, user=other_team_worker.user, kind=AccessGrantKind.DECLARED, reason="other", reason_detail="x"
    )
    assert resolve_access(other_team_worker.user, person.pk).grant == grant
    reviewed = services.review_access_grant(grant=grant, by=ig_officer.user, outcome="inappropriate", note="No")
    assert reviewed.revoked_at == reviewed.reviewed_at
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    with pytest.raises(RelationshipRequiredError):
        resolve_access(other_team_worker.user, person.pk)
    assert not Person.objects.with_relationship_to(other_team_worker.user).filter(pk=person.pk).exists()
    assert AuditEvent.objects.get(action="access.reviewed").snapshot == {"outcome": "inappropriate", "revoked": True}


def test_access_judged_appropriate_runs_its_course(other_team_worker: Persona, ig_officer: Persona) -> None:
    person = PersonFactory()
    grant = services.grant_access(
        person=person, user=other_team_worker.user, kind=AccessGrantKind.DECLARED, reason="other", reason_detail="x"
    )
    services.review_access_grant(grant=grant, by=ig_officer.user, outcome="appropriate", note="")
    grant.refresh_from_db()
    assert grant.revoked_at is None
    assert resolve_access(other_team_worker.user, person.pk).grant == grant


def test_free_text_reasons_are_not_copied_into_the_audit_trail(social_worker: Persona) -> None:
    services.raise_alert(
        person=PersonFactory(),
        by=social_worker.user,
        kind="risk_to_staff",
        reason="Partner is violent",
        owner=social_worker.user,
        review_on=timezone.localdate() + timedelta(days=10),
    )
    snapshot = AuditEvent.objects.get(action="alert.raised").snapshot
    assert snapshot == {"kind": "risk_to_staff", "reason": "<18 characters>"}
