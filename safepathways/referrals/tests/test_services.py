from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from safepathways.accounts.models import Team
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people import merge as people_merge
from safepathways.people.models import ChronologyEntry, MergedRow, MergeRecord, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.referrals import services
from safepathways.referrals.models import (
    ALLOWED_TRANSITIONS,
    Contact,
    ContactRevision,
    ContactRoute,
    ContactStatus,
    ContactStatusName,
    FrontDoorSettings,
    NotDuplicate,
    RouteSetting,
)
from safepathways.referrals.tests.factories import MARY_NHS_NUMBER
from safepathways.work import services as work_services
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


def test_any_council_staff_member_takes_a_contact_but_only_those_who_may_link_say_who_it_is(
    director: Persona, officer: Persona, mary: Person
) -> None:
    taken = services.take_contact(by=director.user, details=_details())
    assert taken.person is None and taken.taken_by == director.user
    for choice in ({"person": mary}, {"create_person": True}):
        with pytest.raises(ApplicationError) as refused:
            services.take_contact(by=director.user, details=_details(given_name="Mary", family_name="Smith"), **choice)
        assert refused.value.field == "person" and "cannot link a contact to a person" in refused.value.message
    for link in (
        lambda: services.link_contact_to_person(contact=taken, person=mary, by=director.user),
        lambda: services.create_person_for_contact(contact=taken, by=director.user),
    ):
        with pytest.raises(ApplicationError) as refused:
            link()
        assert refused.value.field == "person"
    assert Contact.objects.count() == 1 and Contact.objects.get().person is None
    assert services.take_contact(by=officer.user, details=_details(), person=mary).person == mary


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
    assert error.value.field == "routes"
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


# Work of the same kind already open ----------------------------------------------------------------


def _to_ot(officer: Persona, contact: Contact, **kwargs: Any) -> Contact:
    return services.triage_contact(
        contact=contact, by=officer.user, route="ot_assessment", reason="Stairs", likelihood=3, impact=3, **kwargs
    )


def test_a_second_contact_does_not_open_a_second_entry_of_the_same_kind(
    officer: Persona, mary: Person, ot_team: Team
) -> None:
    _to_ot(officer, _contact(officer, mary))
    existing = WorkItem.objects.get()
    second = _contact(officer, mary, reason="Her neighbour rang: she fell again")
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        _to_ot(officer, second)
    assert refused.value.field == "routes"
    assert f"Mary Smith already has open work of this kind: “{existing.title}” for OT duty" in refused.value.message
    assert "confirm that you want to open new work" in refused.value.message
    second.refresh_from_db()
    assert second.status == ContactStatusName.RECEIVED and not second.routes.exists()
    assert WorkItem.objects.count() == 1 and AuditEvent.objects.count() == audit_before


def test_one_route_of_a_kind_already_open_refuses_the_whole_decision(
    officer: Persona, mary: Person, team: Team, ot_team: Team
) -> None:
    _to_ot(officer, _contact(officer, mary))
    with pytest.raises(ApplicationError) as refused:
        services.triage_contact(
            contact=_contact(officer, mary),
            by=officer.user,
            routes=["ot_assessment", "carers_assessment"],
            reason="x",
            likelihood=2,
            impact=2,
        )
    assert refused.value.field == "routes"
    assert WorkItem.objects.count() == 1


def test_confirming_that_another_is_needed_opens_it_and_says_so(officer: Persona, mary: Person, ot_team: Team) -> None:
    _to_ot(officer, _contact(officer, mary))
    existing = WorkItem.objects.get()
    _to_ot(officer, _contact(officer, mary), open_another=True)
    assert WorkItem.objects.filter(person=mary, kind="ot_assessment", closed_at__isnull=True).count() == 2
    event = AuditEvent.objects.filter(action="contact.triaged").latest("occurred_at")
    assert event.snapshot["alongside"] == str(existing.pk)
    assert ChronologyEntry.objects.filter(
        person=mary, summary__endswith="(confirmed as needed alongside open work of the same kind)"
    ).exists()


def test_other_kinds_closed_work_and_other_people_do_not_count(
    officer: Persona, mary: Person, team: Team, ot_team: Team
) -> None:
    _to_ot(officer, _contact(officer, mary))
    services.triage_contact(
        contact=_contact(officer, mary), by=officer.user, route="carers_assessment", reason="x", likelihood=2, impact=2
    )  # another kind
    work_services.close_work(work_item=WorkItem.objects.get(kind="ot_assessment"), by=officer.user, outcome="Done")
    _to_ot(officer, _contact(officer, mary))  # the earlier one is closed
    _to_ot(officer, _contact(officer, PersonFactory(given_name="Albert", family_name="Ng")))  # someone else
    assert WorkItem.objects.filter(kind="ot_assessment", closed_at__isnull=True).count() == 2
    event = AuditEvent.objects.filter(action="contact.triaged").latest("occurred_at")
    assert event.snapshot["alongside"] is None


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


# Several routes from one triage -------------------------------------------------------------------


def test_one_decision_opens_work_for_each_route_with_the_same_rating(
    officer: Persona, mary: Person, ot_team: Team, team: Team
) -> None:
    contact = _contact(officer, mary)
    services.triage_contact(
        contact=contact,
        by=officer.user,
        routes=["carers_assessment", "ot_assessment"],
        reason="Stairs and a daughter close to breaking point",
        likelihood=4,
        impact=4,
        flags=["recent-fall"],
    )
    items = {item.kind: item for item in WorkItem.objects.all()}
    assert set(items) == {"ot_assessment", "carers_assessment"}
    assert (items["ot_assessment"].team, items["carers_assessment"].team) == (ot_team, team)
    for item in items.values():
        assert (item.person, item.priority, item.risk_flags) == (mary, "red", ["recent-fall"])
        assert (item.likelihood, item.impact) == (4, 4)
        assert "I want to stay in my own home and keep my cat." in item.story
        assert Triage.objects.get(work_item=item).why == "Stairs and a daughter close to breaking point"
    assert items["carers_assessment"].title == f"Carer's assessment (front door {contact.reference})"
    assert [r.route for r in ContactRoute.objects.order_by("created_at")] == ["ot_assessment", "carers_assessment"]
    contact.refresh_from_db()
    assert (contact.status, contact.route) == (ContactStatusName.TRIAGED, "ot_assessment")
    assert [s.name for s in contact.statuses.order_by("created_at")] == ["received", "triaged"]
    entry = ChronologyEntry.objects.get(person=mary, summary__startswith="Front-door contact triaged")
    assert entry.summary == (
        f"Front-door contact triaged: occupational therapy assessment for OT duty; carer's assessment for {team.name}"
    )
    assert ChronologyEntry.objects.filter(person=mary, category="work").count() == 2
    event = AuditEvent.objects.get(action="contact.triaged")
    assert event.snapshot["route"] == "ot_assessment,carers_assessment"
    assert event.snapshot["team"] == f"ot-duty,{team.slug}"
    assert event.snapshot["work_item"] == f"{items['ot_assessment'].pk},{items['carers_assessment'].pk}"


def test_safeguarding_and_a_needs_assessment_are_rated_alike(
    officer: Persona, mary: Person, safeguarding_team: Team, team: Team
) -> None:
    services.triage_contact(
        contact=_contact(officer, mary, urgency="routine"),
        by=officer.user,
        routes=["safeguarding", "social_work_assessment"],
        reason="Neglect alleged; needs a Care Act assessment too",
        likelihood=3,
        impact=4,
    )
    items = {item.kind: item for item in WorkItem.objects.all()}
    assert (items["safeguarding"].team, items["assessment"].team) == (safeguarding_team, team)
    assert {(item.likelihood, item.impact, item.priority) for item in items.values()} == {(3, 4, "amber")}


def test_a_rating_is_needed_when_any_route_joins_the_waiting_list(
    officer: Persona, mary: Person, safeguarding_team: Team
) -> None:
    with pytest.raises(ApplicationError) as error:
        services.triage_contact(
            contact=_contact(officer, mary), by=officer.user, routes=["safeguarding", "review"], reason="x"
        )
    assert error.value.field == "likelihood"
    assert not WorkItem.objects.exists()


def test_one_route_that_cannot_open_its_work_writes_nothing_at_all(
    officer: Persona, mary: Person, ot_team: Team
) -> None:
    contact = _contact(officer, mary)
    chronology_before = ChronologyEntry.objects.count()
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as error:
        services.triage_contact(
            contact=contact,
            by=officer.user,
            routes=["ot_assessment", "carers_assessment", "dols"],  # no DoLS team is set up
            reason="Stairs, carer, and a locked door",
            likelihood=3,
            impact=3,
        )
    assert error.value.field == "routes" and "No team is set up to take dols request" in error.value.message
    contact.refresh_from_db()
    assert (contact.status, contact.route, contact.triaged_at) == (ContactStatusName.RECEIVED, "", None)
    assert not WorkItem.objects.exists() and not ContactRoute.objects.exists() and not Triage.objects.exists()
    assert ContactStatus.objects.count() == 1
    assert (ChronologyEntry.objects.count(), AuditEvent.objects.count()) == (chronology_before, audit_before)


def test_a_failure_after_the_first_work_is_opened_rolls_it_back(
    officer: Persona, mary: Person, ot_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule met only while opening the second item still undoes the first: one transaction."""
    contact = _contact(officer, mary)
    real_open_work = work_services.open_work
    calls: list[str] = []

    def open_then_fail(**kwargs: Any) -> WorkItem:
        calls.append(kwargs["kind"])
        if len(calls) == 2:
            raise ApplicationError("The team's list is full", field="team")
        return real_open_work(**kwargs)

    monkeypatch.setattr(work_services, "open_work", open_then_fail)
    with pytest.raises(ApplicationError, match="list is full"):
        services.triage_contact(
            contact=contact,
            by=officer.user,
            routes=["ot_assessment", "carers_assessment"],
            reason="x",
            likelihood=2,
            impact=2,
        )
    assert calls == ["ot_assessment", "carers_assessment"]
    assert not WorkItem.objects.exists() and not ContactRoute.objects.exists() and not Triage.objects.exists()
    contact.refresh_from_db()
    assert contact.status == ContactStatusName.RECEIVED
    assert not AuditEvent.objects.filter(action__in=["work.opened", "contact.triaged"]).exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"routes": []}, "routes", "Choose where this contact goes"),
        ({"routes": ["ot_assessment", "ot_assessment"]}, "routes", "Choose occupational therapy assessment once"),
        ({"routes": ["information_and_advice", "review"]}, "routes", "Information and advice closes the contact"),
        ({"routes": ["nowhere"]}, "routes", "is not a route"),
        ({"route": "review", "routes": ["review"]}, "routes", "not both"),
        ({"routes": ["review", "carers_assessment"], "team": "other"}, "team", "only when the contact goes one way"),
    ],
)
def test_a_decision_with_routes_that_do_not_fit_together_is_refused(
    officer: Persona, mary: Person, other_team: Team, kwargs: dict[str, Any], field: str, message: str
) -> None:
    if kwargs.get("team") == "other":
        kwargs["team"] = other_team
    with pytest.raises(ApplicationError) as error:
        services.triage_contact(
            contact=_contact(officer, mary), by=officer.user, reason="x", likelihood=1, impact=1, **kwargs
        )
    assert (error.value.field, message in error.value.message) == (field, True)
    assert not WorkItem.objects.exists()


def test_an_unidentified_contact_names_every_route_it_cannot_take(officer: Persona) -> None:
    with pytest.raises(ApplicationError) as error:
        services.triage_contact(
            contact=_contact(officer),
            by=officer.user,
            routes=["ot_assessment", "carers_assessment"],
            reason="x",
            likelihood=1,
            impact=1,
        )
    assert error.value.message == (
        "Link the contact to a person before sending it for occupational therapy assessment and carer's assessment"
    )


# Correcting a contact ------------------------------------------------------------------------------


def test_a_correction_keeps_what_each_detail_was_who_changed_it_and_why(officer: Persona, mary: Person) -> None:
    contact = _contact(officer, mary)
    correction = services.update_contact(
        contact=contact,
        by=officer.user,
        changes={"referrer_name": "Dr A. Rao", "persons_wishes": "To stay at home, with my cat", "channel": "phone"},
        why="Spelling checked with the surgery",
    )
    contact.refresh_from_db()
    assert (contact.referrer_name, contact.persons_wishes) == ("Dr A. Rao", "To stay at home, with my cat")
    revision = ContactRevision.objects.get()
    assert revision.changes == {
        "referrer_name": {"from": "Dr Asha Rao", "to": "Dr A. Rao"},
        "persons_wishes": {
            "from": "I want to stay in my own home and keep my cat.",
            "to": "To stay at home, with my cat",
        },
    }
    assert (revision.contact, revision.created_by, revision.reason) == (
        contact,
        officer.user,
        "Spelling checked with the surgery",
    )
    assert correction.changed == ("referrer_name", "persons_wishes")
    assert not correction.identity_changed and not correction.screening_due_changed
    entry = ChronologyEntry.objects.get(person=mary, summary__contains="corrected")
    assert entry.summary == f"Front-door contact {contact.reference} corrected: referrer's name, what the person wants"
    assert entry.detail == "Spelling checked with the surgery" and entry.link == contact.get_absolute_url()
    event = AuditEvent.objects.get(action="contact.updated")
    assert event.person_id == mary.pk
    assert event.snapshot == {"fields": "referrer_name,persons_wishes", "reason": "<33 characters>"}


def test_a_new_urgency_moves_the_screening_due_date(officer: Persona) -> None:
    friday = date(2025, 3, 7)
    contact = _contact(officer, received_at=_at(friday), urgency="routine")
    assert contact.screening_due_on == date(2025, 3, 10)  # the next working day
    correction = services.update_contact(
        contact=contact, by=officer.user, changes={"urgency": "urgent"}, why="Carer rang back: no food in the house"
    )
    contact.refresh_from_db()
    assert contact.screening_due_on == friday  # urgent: the day it arrived
    assert correction.screening_due_changed
    assert correction.revision.changes == {
        "urgency": {"from": "routine", "to": "urgent"},
        "screening_due_on": {"from": "2025-03-10", "to": "2025-03-07"},
    }


def test_a_new_time_received_moves_the_screening_due_date(officer: Persona) -> None:
    contact = _contact(officer, received_at=_at(date(2025, 3, 7)), urgency="soon")
    services.update_contact(
        contact=contact,
        by=officer.user,
        changes={"received_at": _at(date(2025, 3, 5), 16)},
        why="It came in on Wednesday, not Friday",
    )
    contact.refresh_from_db()
    assert contact.screening_due_on == date(2025, 3, 6)


def test_new_identity_details_ask_for_the_matches_again(officer: Persona) -> None:
    contact = _contact(officer, given_name="Mary", family_name="Smyth")
    correction = services.update_contact(
        contact=contact, by=officer.user, changes={"family_name": "Smith", "postcode": "nw5 1ab"}, why="Misheard"
    )
    assert correction.identity_changed
    assert correction.revision.changes["postcode"] == {"from": "", "to": "NW5 1AB"}  # normalised as when taken


@pytest.mark.parametrize(
    ("changes", "why", "field", "message"),
    [
        ({"urgency": "urgent"}, " ", "why", "Enter why you are changing the contact"),
        ({"nhs_number": "9990000019"}, "x", "nhs_number", "correct check digit"),
        ({"reason": ""}, "x", "reason", "Enter why they got in touch"),
        ({"has_immediate_risk": True}, "x", "immediate_risk_details", "Describe the immediate risk"),
        ({"person": "someone"}, "x", "person", "cannot be changed"),
        ({"urgency": "soon"}, "x", None, "Nothing has changed"),
    ],
)
def test_a_correction_that_breaks_a_rule_is_refused_and_nothing_is_kept(
    officer: Persona, changes: dict[str, Any], why: str, field: str | None, message: str
) -> None:
    contact = _contact(officer)
    with pytest.raises(ApplicationError) as error:
        services.update_contact(contact=contact, by=officer.user, changes=changes, why=why)
    assert error.value.field == field and message in error.value.message
    assert not ContactRevision.objects.exists() and not AuditEvent.objects.filter(action="contact.updated").exists()
    contact.refresh_from_db()
    assert contact.urgency == "soon" and contact.reason.startswith("Mrs Smith")


def test_a_closed_contact_cannot_be_corrected_but_a_triaged_one_can(
    officer: Persona, mary: Person, ot_team: Team
) -> None:
    triaged = _contact(officer, mary)
    services.triage_contact(contact=triaged, by=officer.user, route="ot_assessment", reason="x", likelihood=1, impact=1)
    services.update_contact(contact=triaged, by=officer.user, changes={"consent": "best_interests"}, why="Checked")
    closed = _contact(officer)
    services.triage_contact(
        contact=closed, by=officer.user, route="information_and_advice", reason="x", advice_given="Leaflet"
    )
    with pytest.raises(ApplicationError, match="is closed, so it can no longer be changed"):
        services.update_contact(contact=closed, by=officer.user, changes={"urgency": "urgent"}, why="Later call")
    assert ContactRevision.objects.get().contact == triaged


def test_who_may_correct_a_contact(
    officer: Persona, partner: Persona, director: Persona, make_persona: Any, ward_team: Team
) -> None:
    taken_by_partner = services.take_contact(by=partner.user, details=_details(channel="web_form"))
    colleague = make_persona(ward_team, "partner", name="Another Nurse")
    for refused in (director, colleague):
        with pytest.raises(ApplicationError, match="cannot change this contact"):
            services.update_contact(contact=taken_by_partner, by=refused.user, changes={"urgency": "urgent"}, why="x")
    with pytest.raises(ApplicationError) as channel:
        services.update_contact(contact=taken_by_partner, by=partner.user, changes={"channel": "phone"}, why="x")
    assert channel.value.field == "channel"
    services.update_contact(contact=taken_by_partner, by=partner.user, changes={"urgency": "urgent"}, why="Worse")
    services.update_contact(contact=taken_by_partner, by=officer.user, changes={"channel": "phone"}, why="Rang in")
    assert ContactRevision.objects.count() == 2


# Records that are not duplicates ---------------------------------------------------------------


@pytest.fixture
def look_alikes(db: None) -> tuple[Person, Person]:
    born = date(1938, 6, 1)
    one: Person = PersonFactory.create(given_name="Joan", family_name="Oduya", date_of_birth=born, nhs_number=None)
    two: Person = PersonFactory.create(given_name="Joan", family_name="Oduya", date_of_birth=born, nhs_number=None)
    return one, two


def test_a_pair_is_recorded_as_different_people_once_whichever_way_round(
    team_manager: Persona, look_alikes: tuple[Person, Person]
) -> None:
    low, high = sorted(look_alikes, key=lambda p: p.pk)
    decision = services.dismiss_duplicate(first=high, second=low, by=team_manager.user, reason="  Twins  ")
    assert (decision.first, decision.second, decision.reason) == (low, high, "Twins")
    for first, second in ((low, high), (high, low)):
        with pytest.raises(ApplicationError, match=r"Taylor Green recorded on .* that these are different people"):
            services.dismiss_duplicate(first=first, second=second, by=team_manager.user, reason="again")
    assert NotDuplicate.objects.count() == 1
    for person, other in ((low, high), (high, low)):
        entry = ChronologyEntry.objects.get(person=person, category="people", summary__startswith="Not the same")
        assert entry.summary.startswith(f"Not the same person as {other.reference}")
        assert entry.detail == "Twins"
    events = AuditEvent.objects.filter(action="person.not_duplicate")
    assert {e.person_id for e in events} == {low.pk, high.pk}


def test_the_decision_can_be_undone_and_made_again(team_manager: Persona, look_alikes: tuple[Person, Person]) -> None:
    decision = services.dismiss_duplicate(first=look_alikes[0], second=look_alikes[1], by=team_manager.user, reason="x")
    services.undo_dismissal(decision=decision, by=team_manager.user)
    decision.refresh_from_db()
    assert decision.is_undone and decision.undone_by == team_manager.user
    with pytest.raises(ApplicationError, match="already been undone"):
        services.undo_dismissal(decision=decision, by=team_manager.user)
    for person in look_alikes:
        assert person.chronology.filter(summary__startswith="No longer recorded as a different person").exists()
    assert AuditEvent.objects.filter(action="person.not_duplicate_undone").count() == 2
    services.dismiss_duplicate(first=look_alikes[0], second=look_alikes[1], by=team_manager.user, reason="Checked")
    assert NotDuplicate.objects.active().count() == 1 and NotDuplicate.objects.count() == 2


def test_only_managers_and_administrators_decide(officer: Persona, look_alikes: tuple[Person, Person]) -> None:
    with pytest.raises(ApplicationError, match="Only an administrator or a team manager"):
        services.dismiss_duplicate(first=look_alikes[0], second=look_alikes[1], by=officer.user, reason="x")
    assert not NotDuplicate.objects.exists() and not AuditEvent.objects.exists()


def test_a_decision_needs_a_reason_and_two_live_records(
    team_manager: Persona, look_alikes: tuple[Person, Person]
) -> None:
    one, two = look_alikes
    with pytest.raises(ApplicationError) as missing:
        services.dismiss_duplicate(first=one, second=two, by=team_manager.user, reason=" ")
    assert missing.value.field == "reason"
    with pytest.raises(ApplicationError, match="two different records"):
        services.dismiss_duplicate(first=one, second=one, by=team_manager.user, reason="x")
    Person.objects.filter(pk=two.pk).update(merged_into=one)
    with pytest.raises(ApplicationError, match="has been merged into another record"):
        services.dismiss_duplicate(first=one, second=two, by=team_manager.user, reason="x")
    assert not NotDuplicate.objects.exists()


def test_records_recorded_as_different_people_are_not_merged_until_that_is_undone(
    team_manager: Persona, look_alikes: tuple[Person, Person]
) -> None:
    one, two = look_alikes
    decision = services.dismiss_duplicate(first=one, second=two, by=team_manager.user, reason="Twins")
    with pytest.raises(ApplicationError) as refused:
        services.merge_duplicates(keep=two, remove=one, by=team_manager.user, reason="Same")
    assert refused.value.field == "keep" and "undo that decision before merging" in refused.value.message
    assert not MergeRecord.objects.exists()
    services.undo_dismissal(decision=decision, by=team_manager.user)
    record = services.merge_duplicates(keep=two, remove=one, by=team_manager.user, reason="Same after all")
    assert (record.kept, record.removed) == (two, one)


def test_a_merge_leaves_the_decision_on_the_records_it_was_about(
    team_manager: Persona, administrator: Persona, look_alikes: tuple[Person, Person]
) -> None:
    one, two = look_alikes
    copy_of_one: Person = PersonFactory.create(
        given_name="Joan", family_name="Oduya", date_of_birth=one.date_of_birth, nhs_number=None
    )
    decision = services.dismiss_duplicate(first=one, second=two, by=team_manager.user, reason="Twins")
    record = services.merge_duplicates(keep=copy_of_one, remove=one, by=team_manager.user, reason="Same")
    decision.refresh_from_db()
    assert {decision.first_id, decision.second_id} == {one.pk, two.pk}
    assert not MergedRow.objects.filter(model_label="referrals.notduplicate").exists()
    people_merge.unmerge(merge_record=record, by=administrator.user)
    decision.refresh_from_db()
    assert {decision.first_id, decision.second_id} == {one.pk, two.pk} and not decision.is_undone


def test_the_database_keeps_one_ordered_active_row_per_pair(
    team_manager: Persona, look_alikes: tuple[Person, Person]
) -> None:
    low, high = sorted(look_alikes, key=lambda p: p.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        NotDuplicate.objects.create(first=high, second=low, reason="x", created_by=team_manager.user)
    NotDuplicate.objects.create(first=low, second=high, reason="x", created_by=team_manager.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        NotDuplicate.objects.create(first=low, second=high, reason="y", created_by=team_manager.user)
