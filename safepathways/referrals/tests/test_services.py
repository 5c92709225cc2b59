from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from safepathways.accounts.models import Team
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people.models import ChronologyEntry, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.referrals import services
from safepathways.referrals.models import (
    ALLOWED_TRANSITIONS,
    Contact,
    ContactRoute,
    ContactStatus,
    ContactStatusName,
    FrontDoorSettings,
    RouteSetting,
)
from safepathways.referrals.tests.factories import MARY_NHS_NUMBER
from safepathways.work.models import Triage, WorkItem

pytestmark = pytest.mark.django_db


def _details(**overrides: Any) -> services.ContactDetails:
    data: dict[str, Any] = {
        "referrer_type": "gp",
        "referrer_name": "Dr Asha Rao",
        "referrer_organisation": "Kentish Town Health Centre",
        "channel": "phone",
        "reason": "Mrs Smith has fallen twice this month and cannot manage the stairs.",
        "urgency": "soon",
        "consent": "yes",
        "persons_wishes": "I want to stay in my own home and keep my cat.",
    }
    data.update(overrides)
    return services.ContactDetails(**data)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


# Taking a contact ----------------------------------------------------------------------------------


def test_a_contact_without_identity_is_kept_as_unidentified(officer: Persona) -> None:
    contact = services.take_contact(by=officer.user, details=_details())
    assert contact.person is None
    assert contact.reference.startswith("FD") and len(contact.reference) == 9
    assert contact.status == ContactStatusName.RECEIVED
    assert contact.organisation.is_this_council
    assert [s.name for s in contact.statuses.all()] == ["received"]
    event = AuditEvent.objects.get(action="contact.received")
    assert event.person_id is None and event.snapshot["identified"] is False


def test_a_contact_linked_to_a_person_starts_their_chronology_with_the_story(officer: Persona, mary: Person) -> None:
    contact = services.take_contact(by=officer.user, details=_details(), person=mary)
    assert contact.person == mary
    entry = ChronologyEntry.objects.get(person=mary, category="front_door")
    assert entry.summary.startswith("Contact from GP: Mrs Smith has fallen")
    assert "I want to stay in my own home" in entry.detail
    assert entry.link == contact.get_absolute_url()
    assert AuditEvent.objects.get(action="contact.received").person_id == mary.pk


def test_a_new_record_can_be_made_from_the_identity_given(officer: Persona, neighbourhood: Any) -> None:
    details = _details(given_name="Ann", family_name="Jones", date_of_birth=date(1950, 1, 2), postcode="nw5 1ab")
    contact = services.take_contact(by=officer.user, details=details, create_person=True)
    person = Person.objects.get()
    assert contact.person == person
    assert (person.given_name, person.family_name, person.postcode) == ("Ann", "Jones", "NW5 1AB")
    assert person.neighbourhood == neighbourhood
    assert {e.category for e in person.chronology.all()} == {"people", "front_door"}


def test_a_new_record_needs_names_and_nothing_is_saved_without_them(officer: Persona) -> None:
    with pytest.raises(ApplicationError) as error:
        services.take_contact(by=officer.user, details=_details(family_name="Jones"), create_person=True)
    assert error.value.field == "given_name"
    assert not Contact.objects.exists() and not Person.objects.exists() and not AuditEvent.objects.exists()


def test_a_partners_contact_belongs_to_its_organisation_and_cannot_choose_a_record(
    partner: Persona, mary: Person
) -> None:
    contact = services.take_contact(by=partner.user, details=_details(referrer_type="hospital", channel="web_form"))
    assert contact.organisation == partner.team.organisation
    with pytest.raises(ApplicationError) as error:
        services.take_contact(by=partner.user, details=_details(), person=mary)
    assert error.value.field == "person"
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"received_at": timezone.now() + timedelta(hours=2)}, "received_at"),
        ({"has_immediate_risk": True, "immediate_risk_details": ""}, "immediate_risk_details"),
        ({"nhs_number": "9990000019"}, "nhs_number"),
        ({"postcode": "NOWHERE"}, "postcode"),
        ({"date_of_birth": date.today() + timedelta(days=3)}, "date_of_birth"),
        ({"urgency": "whenever"}, "urgency"),
    ],
)
def test_bad_input_is_refused_naming_the_field(officer: Persona, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ApplicationError) as error:
        services.take_contact(by=officer.user, details=_details(**overrides))
    assert error.value.field == field
    assert not Contact.objects.exists()


def test_identity_is_normalised(officer: Persona) -> None:
    contact = services.take_contact(by=officer.user, details=_details(nhs_number="999 777 7719", postcode="nw5 1ab"))
    assert (contact.nhs_number, contact.postcode) == (MARY_NHS_NUMBER, "NW5 1AB")


def test_a_merged_record_cannot_be_chosen(officer: Persona, mary: Person) -> None:
    other = PersonFactory()
    Person.objects.filter(pk=other.pk).update(merged_into=mary)
    other.refresh_from_db()
    with pytest.raises(ApplicationError, match="merged"):
        services.take_contact(by=officer.user, details=_details(), person=other)


# The screening clock -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "urgency", "due"),
    [
        (date(2026, 3, 4), "routine", date(2026, 3, 5)),  # Wednesday -> Thursday
        (date(2026, 3, 6), "routine", date(2026, 3, 9)),  # Friday -> Monday
        (date(2026, 3, 7), "soon", date(2026, 3, 9)),  # Saturday -> Monday
        (date(2026, 4, 2), "routine", date(2026, 4, 7)),  # Thursday before Easter -> Tuesday after
        (date(2026, 12, 24), "routine", date(2026, 12, 29)),  # Christmas Eve -> after Boxing Day (observed)
        (date(2026, 3, 4), "urgent", date(2026, 3, 4)),  # urgent: the same working day
        (date(2026, 4, 3), "urgent", date(2026, 4, 7)),  # urgent on Good Friday -> next working day
    ],
)
def test_screening_clock_counts_working_days(received: date, urgency: str, due: date) -> None:
    assert services.screening_due_on(received_at=_at(received), urgency=urgency) == due


def test_screening_timescale_is_configurable(officer: Persona) -> None:
    FrontDoorSettings.objects.filter(id=1).update(screening_working_days=3)
    assert services.screening_due_on(received_at=_at(date(2026, 3, 4)), urgency="routine") == date(2026, 3, 9)
    contact = services.take_contact(by=officer.user, details=_details(received_at=_at(date(2026, 3, 4))))
    assert contact.screening_due_on == date(2026, 3, 9)


def test_screening_defaults_are_seeded() -> None:
    settings = FrontDoorSettings.objects.get()
    assert (settings.screening_working_days, settings.urgent_screening_working_days) == (1, 0)
    assert RouteSetting.objects.get(route="ot_assessment").team_slug == "ot-duty"


# Triage ---------------------------------------------------------------------------------------------


def _contact(by: Persona, person: Person | None = None, **overrides: Any) -> Contact:
    return services.take_contact(by=by.user, details=_details(**overrides), person=person)


def test_information_and_advice_closes_an_unidentified_contact_without_work(officer: Persona) -> None:
    contact = _contact(officer)
    services.triage_contact(
        contact=contact,
        by=officer.user,
        route="information_and_advice",
        reason="Wants to know about day centres",
        advice_given="Signposted to Age UK Camden day opportunities",
    )
    contact.refresh_from_db()
    assert contact.status == ContactStatusName.CLOSED
    assert contact.advice_given.startswith("Signposted")
    assert [s.name for s in contact.statuses.order_by("created_at")] == ["received", "closed"]
    assert not WorkItem.objects.exists()
    assert AuditEvent.objects.filter(action="contact.triaged", person_id=None).exists()


def test_information_and_advice_must_say_what_was_given(officer: Persona) -> None:
    contact = _contact(officer)
    with pytest.raises(ApplicationError) as error:
        services.triage_contact(contact=contact, by=officer.user, route="information_and_advice", reason="Advice")
    assert error.value.field == "advice_given"
    assert ContactStatus.objects.count() == 1


def test_an_ot_assessment_opens_work_for_ot_duty_starting_from_the_story(
    officer: Persona, mary: Person, ot_team: Team
) -> None:
    contact = _contact(officer, mary)
    services.triage_contact(
        contact=contact,
        by=officer.user,
        route="ot_assessment",
        reason="Needs equipment for the stairs",
        likelihood=4,
        impact=4,
        flags=["recent-fall"],
    )
    item = WorkItem.objects.get()
    assert (item.person, item.team, item.kind) == (mary, ot_team, "ot_assessment")
    assert item.title == f"Occupational therapy assessment (front door {contact.reference})"
    assert "Mrs Smith has fallen twice" in item.story
    assert "I want to stay in my own home and keep my cat." in item.story
    assert item.priority == "red" and item.risk_flags == ["recent-fall"]
    assert Triage.objects.get(work_item=item).why == "Needs equipment for the stairs"
    assert ContactRoute.objects.get().work_item == item
    contact.refresh_from_db()
    assert contact.status == ContactStatusName.TRIAGED and contact.triaged_by == officer.user
    assert ChronologyEntry.objects.filter(person=mary, summary__startswith="Front-door contact triaged").exists()
    event = AuditEvent.objects.get(action="contact.triaged")
    assert event.snapshot["team"] == "ot-duty" and event.snapshot["work_item"] == str(item.pk)


def test_a_social_work_assessment_goes_to_the_persons_neighbourhood_team(
    officer: Persona, mary: Person, team: Team
) -> None:
    services.triage_contact(
        contact=_contact(officer, mary),
        by=officer.user,
        route="social_work_assessment",
        reason="Care Act assessment",
        likelihood=2,
        impact=3,
    )
    assert WorkItem.objects.get().team == team


def test_without_a_neighbourhood_team_the_default_team_takes_it(officer: Persona, front_door_team: Team) -> None:
    person = PersonFactory(neighbourhood=None)
    services.triage_contact(
        contact=_contact(officer, person), by=officer.user, route="review", reason="Review", likelihood=1, impact=1
    )
    assert WorkItem.objects.get().team == front_door_team


def test_an_officer_may_send_the_work_to_another_team(officer: Persona, mary: Person, other_team: Team) -> None:
    services.triage_contact(
        contact=_contact(officer, mary),
        by=officer.user,
        route="carers_assessment",
        reason="Daughter is the carer",
        likelihood=2,
        impact=2,
        team=other_team,
    )
    assert WorkItem.objects.get().team == other_team


def test_a_route_whose_team_is_missing_is_refused(officer: Persona, mary: Person) -> None:
    with pytest.raises(ApplicationError) as error:
        services.triage_contact(
            contact=_contact(officer, mary), by=officer.user, route="dols", reason="Locked door at the care home"
        )
    assert error.value.field == "route"
    assert not WorkItem.objects.exists()


def test_a_safeguarding_concern_is_rated_from_the_urgency_when_not_rated(
    officer: Persona, mary: Person, safeguarding_team: Team
) -> None:
    contact = _contact(officer, mary, urgency="urgent")
    services.triage_contact(contact=contact, by=officer.user, route="safeguarding", reason="Financial abuse alleged")
    item = WorkItem.objects.get()
    assert (item.kind, item.team, item.priority) == ("safeguarding", safeguarding_team, "red")


def test_routes_other_than_advice_need_a_person_and_nothing_is_written(officer: Persona, ot_team: Team) -> None:
    contact = _contact(officer)
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as error:
        services.triage_contact(
            contact=contact, by=officer.user, route="ot_assessment", reason="Stairs", likelihood=3, impact=3
        )
    assert error.value.field == "person"
    contact.refresh_from_db()
    assert contact.status == ContactStatusName.RECEIVED
    assert ContactStatus.objects.count() == 1 and AuditEvent.objects.count() == audit_before
    assert not WorkItem.objects.exists()


def test_waiting_list_routes_need_a_risk_rating(officer: Persona, mary: Person, ot_team: Team) -> None:
    with pytest.raises(ApplicationError) as error:
        services.triage_contact(contact=_contact(officer, mary), by=officer.user, route="ot_assessment", reason="x")
    assert error.value.field == "likelihood"


def test_unknown_risk_flags_are_refused(officer: Persona, mary: Person, ot_team: Team) -> None:
    with pytest.raises(ApplicationError) as error:
        services.triage_contact(
            contact=_contact(officer, mary),
            by=officer.user,
            route="ot_assessment",
            reason="x",
            likelihood=1,
            impact=1,
            flags=["made-up"],
        )
    assert error.value.field == "risk_flags"
    assert not ContactRoute.objects.exists()


def test_a_read_only_role_cannot_triage(officer: Persona, director: Persona) -> None:
    contact = _contact(officer)
    with pytest.raises(ApplicationError):
        services.triage_contact(
            contact=contact, by=director.user, route="information_and_advice", reason="x", advice_given="y"
        )


# The transition table ----------------------------------------------------------------------------


def test_the_transition_table_is_declared_once() -> None:
    assert {
        "received": frozenset({"triaged", "closed"}),
        "triaged": frozenset({"closed"}),
        "closed": frozenset(),
    } == ALLOWED_TRANSITIONS


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    [
        ("received", "triaged", True),
        ("received", "closed", True),
        ("triaged", "closed", True),
        ("triaged", "triaged", False),
        ("triaged", "received", False),
        ("closed", "triaged", False),
        ("closed", "received", False),
        ("closed", "closed", False),
    ],
)
def test_check_transition_follows_the_table(current: str, to: str, allowed: bool) -> None:
    if allowed:
        services.check_transition(current, to)
    else:
        with pytest.raises(ApplicationError):
            services.check_transition(current, to)


def test_a_contact_cannot_be_triaged_twice(officer: Persona, mary: Person, ot_team: Team) -> None:
    contact = _contact(officer, mary)
    kwargs: dict[str, Any] = {"route": "ot_assessment", "reason": "x", "likelihood": 1, "impact": 1}
    services.triage_contact(contact=contact, by=officer.user, **kwargs)
    with pytest.raises(ApplicationError, match="already been triaged"):
        services.triage_contact(contact=contact, by=officer.user, **kwargs)
    assert WorkItem.objects.count() == 1


def test_a_triaged_contact_can_be_closed_once(officer: Persona, mary: Person, ot_team: Team) -> None:
    contact = _contact(officer, mary)
    services.triage_contact(contact=contact, by=officer.user, route="ot_assessment", reason="x", likelihood=1, impact=1)
    with pytest.raises(ApplicationError) as missing:
        services.close_contact(contact=contact, by=officer.user, reason=" ")
    assert missing.value.field == "reason"
    services.close_contact(contact=contact, by=officer.user, reason="OT duty has it")
    with pytest.raises(ApplicationError, match="already been closed"):
        services.close_contact(contact=contact, by=officer.user, reason="again")
    with pytest.raises(ApplicationError, match="closed cannot be triaged"):
        services.triage_contact(contact=contact, by=officer.user, route="review", reason="x", likelihood=1, impact=1)
    assert [s.name for s in contact.statuses.order_by("created_at")] == ["received", "triaged", "closed"]
    assert AuditEvent.objects.filter(action="contact.closed").count() == 1


# Linking ---------------------------------------------------------------------------------------------


def test_linking_an_unidentified_contact_writes_the_story_on_the_person(officer: Persona, mary: Person) -> None:
    contact = _contact(officer)
    services.link_contact_to_person(contact=contact, person=mary, by=officer.user)
    contact.refresh_from_db()
    assert contact.person == mary
    assert ChronologyEntry.objects.filter(person=mary, category="front_door").count() == 1
    with pytest.raises(ApplicationError, match="already linked"):
        services.link_contact_to_person(contact=contact, person=mary, by=officer.user)
    assert AuditEvent.objects.filter(action="contact.linked").count() == 1


def test_a_triaged_contact_cannot_be_relinked(officer: Persona, mary: Person) -> None:
    contact = _contact(officer, mary)
    services.triage_contact(
        contact=contact, by=officer.user, route="information_and_advice", reason="x", advice_given="leaflet"
    )
    with pytest.raises(ApplicationError, match="awaiting triage"):
        services.link_contact_to_person(contact=contact, person=PersonFactory(), by=officer.user)


def test_a_record_can_be_made_for_an_unidentified_contact(officer: Persona) -> None:
    contact = _contact(officer, given_name="Ann", family_name="Jones", nhs_number=MARY_NHS_NUMBER)
    services.create_person_for_contact(contact=contact, by=officer.user)
    contact.refresh_from_db()
    assert contact.person is not None and contact.person.nhs_number == MARY_NHS_NUMBER
    with pytest.raises(ApplicationError, match="already linked"):
        services.create_person_for_contact(contact=contact, by=officer.user)


def test_a_duplicate_nhs_number_points_at_the_existing_record(officer: Persona, mary: Person) -> None:
    contact = _contact(officer, given_name="Mary", family_name="Smith", nhs_number=MARY_NHS_NUMBER)
    with pytest.raises(ApplicationError) as error:
        services.create_person_for_contact(contact=contact, by=officer.user)
    assert error.value.field == "nhs_number"
    assert Person.objects.count() == 1


def test_the_story_is_composed_from_what_was_recorded(officer: Persona) -> None:
    contact = _contact(officer, has_immediate_risk=True, immediate_risk_details="No heating")
    story = services.compose_story(contact)
    assert story.startswith(f"Front-door contact {contact.reference}, received")
    assert "by phone from GP (Dr Asha Rao, Kentish Town Health Centre)" in story
    assert "Immediate risk:\nNo heating" in story
    assert "Consent to share: Yes" in story
