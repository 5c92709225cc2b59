"""The front door: a contact taken once, linked to a person, triaged and routed. One transaction each.

Every change checks the transition table (models.ALLOWED_TRANSITIONS), writes a ContactStatus row,
the person's chronology (when the contact is linked to someone) and an audit event, together.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts import rules as account_rules
from safepathways.accounts.models import Organisation, Role, Team, User
from safepathways.audit import services as audit
from safepathways.core.clocks import add_working_days, is_working_day
from safepathways.core.errors import ApplicationError
from safepathways.core.formatting import format_datetime
from safepathways.core.identifiers import is_valid_nhs_number, normalise_nhs_number, normalise_postcode
from safepathways.core.services import reserve_numbers
from safepathways.people import services as people_services
from safepathways.people.models import Person
from safepathways.referrals import rules, selectors
from safepathways.referrals.models import (
    ALLOWED_TRANSITIONS,
    WAITING_LIST_ROUTES,
    Channel,
    Contact,
    ContactRoute,
    ContactStatus,
    ContactStatusName,
    FrontDoorSettings,
    Route,
    RouteSetting,
    Urgency,
    partner_organisation_ids,
)
from safepathways.work import services as work_services

CHRONOLOGY_CATEGORY = "front_door"
# A clock a few minutes fast on the caller's side is not "the future".
CLOCK_SKEW = timedelta(minutes=5)
# When triage does not rate a route outside the waiting list, the contact's urgency rates it
# (likelihood, impact): urgent 4 × 4 = 16 (red on the default matrix), soon 3 × 3 = 9 (amber), routine 2 × 2.
RATING_FROM_URGENCY = {Urgency.URGENT: (4, 4), Urgency.SOON: (3, 3), Urgency.ROUTINE: (2, 2)}
CHANNEL_WORDS = {
    Channel.PHONE: "by phone",
    Channel.EMAIL: "by email",
    Channel.WEB_FORM: "through the web form",
    Channel.API: "from another system (API)",
    Channel.IN_PERSON: "in person",
    Channel.LETTER: "by letter",
}
_VERBS = {
    ContactStatusName.RECEIVED: "reopened",
    ContactStatusName.TRIAGED: "triaged",
    ContactStatusName.CLOSED: "closed",
}


@dataclass(frozen=True)
class ContactDetails:
    """What the person making the contact tells the front door."""

    referrer_type: str
    channel: str
    reason: str
    urgency: str
    consent: str
    received_at: datetime | None = None
    referrer_name: str = ""
    referrer_organisation: str = ""
    referrer_phone: str = ""
    persons_wishes: str = ""
    has_immediate_risk: bool = False
    immediate_risk_details: str = ""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    nhs_number: str = ""
    address_line: str = ""
    phone: str = ""
    postcode: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "ContactDetails":
        """Build from form or serializer data; other keys are ignored and empty values take the default."""
        names = {field.name for field in fields(cls)}
        return cls(**{name: value for name, value in data.items() if name in names and value is not None})


def screening_due_on(*, received_at: datetime, urgency: str, settings: FrontDoorSettings | None = None) -> date:
    """The working day by which a contact must be triaged, on the local screening timescale.

    Weekends and England bank holidays are skipped (core.clocks): a contact that arrives on a
    Saturday with a one-working-day timescale is due on Monday, or Tuesday after a bank holiday.
    An urgent contact with a timescale of 0 is due the day it arrives, or the next working day.
    """
    settings = settings or selectors.front_door_settings()
    days = settings.urgent_screening_working_days if urgency == Urgency.URGENT else settings.screening_working_days
    received = timezone.localdate(received_at)
    if days == 0:
        return received if is_working_day(received) else add_working_days(received, 1)
    return add_working_days(received, days)


def compose_story(contact: Contact) -> str:
    """The contact's story in one piece, carried into every piece of work it opens so nobody retypes it."""
    referrer = referrer_words(contact)
    who = ", ".join(part for part in (contact.referrer_name, contact.referrer_organisation) if part)
    lines = [
        f"Front-door contact {contact.reference}, received {format_datetime(contact.received_at)} "
        f"{CHANNEL_WORDS[Channel(contact.channel)]} from {referrer}" + (f" ({who})" if who else "") + ".",
        f"Urgency: {contact.get_urgency_display()}.",
        "",
        "Why they got in touch:",
        contact.reason.strip(),
    ]
    if contact.persons_wishes.strip():
        lines += ["", "What the person wants, in their own words:", contact.persons_wishes.strip()]
    if contact.has_immediate_risk:
        lines += ["", "Immediate risk:", contact.immediate_risk_details.strip()]
    lines += ["", f"Consent to share: {contact.get_consent_display()}."]
    return "\n".join(lines)


def referrer_words(contact: Contact) -> str:
    """'GP', 'hospital', 'the person themselves': the referrer type as it reads mid-sentence."""
    label = str(contact.get_referrer_type_display())
    first = label.split(" ")[0]
    return label if first.isupper() else label[0].lower() + label[1:]


def _short(text: str, length: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def _link(contact: Contact) -> str:
    return reverse("referrals:detail", args=[contact.pk])


def _full_clean(instance: models.Model) -> None:
    """full_clean, with Django's validation error turned into one the edges can name a field for."""
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ApplicationError(" ".join(messages), field=None if field == "__all__" else field) from error


def organisation_of(user: User) -> Organisation:
    """The organisation a contact taken by `user` belongs to: the council for its staff, else the partner's."""
    partner_ids = [] if user.is_council_staff else partner_organisation_ids(user)
    for membership in user.memberships_cached:
        organisation = membership.team.organisation
        if user.is_council_staff and organisation.is_this_council and membership.role != Role.PARTNER:
            return organisation
        if partner_ids and organisation.pk == partner_ids[0]:
            return organisation
    raise ApplicationError("Your account is not in an organisation that can make contacts")


def _clean(details: ContactDetails) -> dict[str, Any]:
    data = {field.name: getattr(details, field.name) for field in fields(details)}
    for name, value in data.items():
        if isinstance(value, str):
            data[name] = value.strip()
    now = timezone.now()
    if not data["reason"]:
        raise ApplicationError("Enter why they got in touch", field="reason")
    data["received_at"] = data["received_at"] or now
    if data["received_at"] > now + CLOCK_SKEW:
        raise ApplicationError("The time the contact was received cannot be in the future", field="received_at")
    if data["has_immediate_risk"] and not data["immediate_risk_details"]:
        raise ApplicationError("Describe the immediate risk", field="immediate_risk_details")
    if not data["has_immediate_risk"]:
        data["immediate_risk_details"] = ""
    if data["nhs_number"]:
        digits = normalise_nhs_number(data["nhs_number"])
        if not is_valid_nhs_number(digits):
            raise ApplicationError(
                "Enter a valid NHS number: 10 digits whose last digit is the correct check digit", field="nhs_number"
            )
        data["nhs_number"] = digits
    if data["postcode"]:
        postcode = normalise_postcode(data["postcode"])
        if postcode is None:
            raise ApplicationError("Enter a real UK postcode, like NW1 2AB", field="postcode")
        data["postcode"] = postcode
    if data["date_of_birth"] and data["date_of_birth"] > timezone.localdate():
        raise ApplicationError("Date of birth must be today or in the past", field="date_of_birth")
    return data


def check_transition(current: str, to: str) -> None:
    """Raise unless the transition table (ADR-009) allows a contact to move from `current` to `to`."""
    if to in ALLOWED_TRANSITIONS[ContactStatusName(current)]:
        return
    if current == to:
        raise ApplicationError(f"This contact has already been {_VERBS[ContactStatusName(current)]}")
    label = ContactStatusName(current).label.lower()
    raise ApplicationError(f"A contact that is {label} cannot be {_VERBS[ContactStatusName(to)]}")


def _move(contact: Contact, to: str, *, by: User, reason: str) -> ContactStatus:
    """Change the contact's status if the transition table allows it, and write the status row."""
    check_transition(contact.status, to)
    contact.status = to
    return ContactStatus.objects.create(contact=contact, name=to, reason=reason, created_by=by)


def _lock(contact: Contact) -> Contact:
    # Related rows are read after the lock, not joined: a join would show them as they were before it.
    return Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk)


def _check_linkable(person: Person) -> None:
    if person.merged_into_id is not None:
        raise ApplicationError(
            "That record has been merged into another: choose the record it was merged into", field="person"
        )


def _person_data(contact: Contact) -> dict[str, Any]:
    if not (contact.given_name and contact.family_name):
        raise ApplicationError(
            "A new record needs the person's first and last names: add them to the contact first", field="given_name"
        )
    return {
        "given_name": contact.given_name,
        "family_name": contact.family_name,
        "date_of_birth": contact.date_of_birth,
        "nhs_number": contact.nhs_number,
        "address_line_1": contact.address_line,
        "postcode": contact.postcode,
        "phone": contact.phone,
    }


def _create_person(contact: Contact, by: User) -> Person:
    if not by.has_perm(account_rules.CREATE_PERSON):
        raise ApplicationError("Your role cannot add people to the record", field="person")
    return people_services.create_person(by=by, data=_person_data(contact))


def _record_received(contact: Contact, *, by: User) -> None:
    who = referrer_words(contact)
    ContactStatus.objects.create(
        contact=contact,
        name=ContactStatusName.RECEIVED,
        reason=f"Contact from {who} {CHANNEL_WORDS[Channel(contact.channel)]}",
        created_by=by,
    )


@transaction.atomic
def take_contact(
    *, by: User, details: ContactDetails, person: Person | None = None, create_person: bool = False
) -> Contact:
    """Record a contact once, from council staff or a partner, with its screening clock started.

    With `person` it is linked to that record; with `create_person` a new record is made from the
    identity given. Without either it is kept as an unidentified contact, never lost.
    """
    if not by.is_council_staff and (person is not None or create_person):
        raise ApplicationError("The front door links contacts to records: send the contact without one", field="person")
    if person is not None and create_person:
        raise ApplicationError("Choose an existing record or a new one, not both", field="person")
    if person is not None:
        _check_linkable(person)
    data = _clean(details)
    contact = Contact(organisation=organisation_of(by), taken_by=by, **data)
    contact.reference = f"FD{reserve_numbers('contact_reference')[0]:07d}"
    contact.screening_due_on = screening_due_on(received_at=contact.received_at, urgency=contact.urgency)
    _full_clean(contact)
    contact.save()
    _record_received(contact, by=by)
    if create_person:
        person = _create_person(contact, by)
    if person is not None:
        contact.person = person
        contact.save(update_fields=["person", "updated_at"])
        people_services.add_to_chronology(
            person=person,
            category=CHRONOLOGY_CATEGORY,
            summary=f"Contact from {referrer_words(contact)}: {_short(contact.reason)}",
            detail=compose_story(contact),
            occurred_at=contact.received_at,
            by=by,
            link=_link(contact),
        )
    audit.record(
        actor=by,
        action="contact.received",
        target=contact,
        person_id=person.pk if person else None,
        snapshot={
            "reference": contact.reference,
            "referrer_type": contact.referrer_type,
            "channel": contact.channel,
            "urgency": contact.urgency,
            "identified": person is not None,
        },
    )
    return contact


@transaction.atomic
def link_contact_to_person(*, contact: Contact, person: Person, by: User) -> Contact:
    """Say who a contact awaiting triage is about: an existing record (found by matching or reference)."""
    locked = _lock(contact)
    if locked.status != ContactStatusName.RECEIVED:
        raise ApplicationError("Only a contact awaiting triage can be linked to a record", field="person")
    _check_linkable(person)
    if locked.person_id == person.pk:
        raise ApplicationError(f"This contact is already linked to {person.reference}", field="person")
    previous = locked.person
    locked.person = person
    locked.save(update_fields=["person", "updated_at"])
    people_services.add_to_chronology(
        person=person,
        category=CHRONOLOGY_CATEGORY,
        summary=f"Contact from {referrer_words(locked)}: {_short(locked.reason)}",
        detail=compose_story(locked),
        occurred_at=locked.received_at,
        by=by,
        link=_link(locked),
    )
    audit.record(
        actor=by,
        action="contact.linked",
        target=locked,
        person_id=person.pk,
        snapshot={"person": person.reference, "previous": previous.reference if previous else None},
    )
    return locked


@transaction.atomic
def create_person_for_contact(*, contact: Contact, by: User) -> Contact:
    """Add a new person to the record from the identity the contact gave, and link the contact to them."""
    locked = _lock(contact)
    if locked.status != ContactStatusName.RECEIVED:
        raise ApplicationError("Only a contact awaiting triage can be linked to a record", field="person")
    if locked.person_id is not None:
        raise ApplicationError("This contact is already linked to a record", field="person")
    person = _create_person(locked, by)
    return link_contact_to_person(contact=locked, person=person, by=by)


def _team_for(route: RouteSetting, person: Person, settings: FrontDoorSettings) -> Team:
    """The route's team; else the person's neighbourhood team; else the default team."""
    label = route.get_route_display()
    if route.team_slug:
        team = selectors.team_by_slug(route.team_slug)
        if team is None:
            raise ApplicationError(
                f"No team is set up to take {label.lower()} (team “{route.team_slug}”): ask an administrator",
                field="route",
            )
        return team
    neighbourhood = person.neighbourhood
    if neighbourhood is not None and neighbourhood.team is not None:
        return neighbourhood.team
    team = selectors.team_by_slug(settings.default_team_slug)
    if team is None:
        raise ApplicationError(
            f"{person.full_name} has no neighbourhood team and no default team is set up: choose a team", field="team"
        )
    return team


@transaction.atomic
def triage_contact(
    *,
    contact: Contact,
    by: User,
    route: str,
    reason: str,
    advice_given: str = "",
    likelihood: int | None = None,
    impact: int | None = None,
    flags: Sequence[str] = (),
    team: Team | None = None,
) -> Contact:
    """Record the triage decision and route the contact: advice (closed) or work opened for a team.

    Every route but information and advice needs the contact linked to a person first. The work
    starts from the contact's story; waiting-list routes are rated on likelihood, impact and flags.
    """
    if not by.has_perm(rules.TRIAGE_CONTACT):
        raise ApplicationError("Your role cannot triage contacts")
    locked = _lock(contact)
    reason = reason.strip()
    if route not in Route.values:
        raise ApplicationError("Choose where this contact goes", field="route")
    is_advice = route == Route.INFORMATION_AND_ADVICE
    target = ContactStatusName.CLOSED if is_advice else ContactStatusName.TRIAGED
    check_transition(locked.status, target)
    if not reason:
        raise ApplicationError("Enter the reason for this decision", field="reason")
    work_item = None
    if is_advice:
        advice_given = advice_given.strip()
        if not advice_given:
            raise ApplicationError(
                "Enter the information and advice given, and where they were signposted", field="advice_given"
            )
    else:
        person = locked.person
        if person is None:
            raise ApplicationError(
                f"Link the contact to a person before sending it for {Route(route).label.lower()}", field="person"
            )
        setting = selectors.route_settings().get(route)
        if setting is None:
            raise ApplicationError(f"{Route(route).label} is not available: ask an administrator", field="route")
        if route in WAITING_LIST_ROUTES and (likelihood is None or impact is None):
            raise ApplicationError(
                "Rate the risk: choose how likely harm is and how serious it would be",
                field="likelihood" if likelihood is None else "impact",
            )
        if team is not None and not team.organisation.is_this_council:
            raise ApplicationError("Choose a council team", field="team")
        team = team or _team_for(setting, person, selectors.front_door_settings())
        default_likelihood, default_impact = RATING_FROM_URGENCY[Urgency(locked.urgency)]
        work_item = work_services.open_work(
            person=person,
            kind=setting.work_kind,
            team=team,
            title=f"{Route(route).label} (front door {locked.reference})",
            by=by,
            story=compose_story(locked),
            likelihood=likelihood if likelihood is not None else default_likelihood,
            impact=impact if impact is not None else default_impact,
            flags=list(flags),
            why=reason,
            opened_at=timezone.now(),
        )
        ContactRoute.objects.create(contact=locked, route=route, work_item=work_item)
    locked.route = route
    locked.triage_reason = reason
    locked.advice_given = advice_given if is_advice else ""
    locked.triaged_at = timezone.now()
    locked.triaged_by = by
    _move(locked, target, by=by, reason=reason)
    locked.save(
        update_fields=["route", "triage_reason", "advice_given", "triaged_at", "triaged_by", "status", "updated_at"]
    )
    if locked.person is not None:
        summary = "Information and advice given at the front door"
        if work_item is not None:
            summary = f"Front-door contact triaged: {Route(route).label.lower()} for {work_item.team.name}"
        people_services.add_to_chronology(
            person=locked.person,
            category=CHRONOLOGY_CATEGORY,
            summary=summary,
            detail=advice_given if is_advice else reason,
            by=by,
            link=_link(locked),
        )
    audit.record(
        actor=by,
        action="contact.triaged",
        target=locked,
        person_id=locked.person_id,
        snapshot={
            "route": route,
            "status": target,
            "work_item": str(work_item.pk) if work_item else None,
            "team": work_item.team.slug if work_item else None,
            "reason": reason,
        },
    )
    return locked


@transaction.atomic
def close_contact(*, contact: Contact, by: User, reason: str) -> Contact:
    """Close a contact (withdrawn, a duplicate of another, or nothing more for the front door to do)."""
    if not by.has_perm(rules.TRIAGE_CONTACT):
        raise ApplicationError("Your role cannot close contacts")
    locked = _lock(contact)
    if not reason.strip():
        raise ApplicationError("Enter why the contact is being closed", field="reason")
    _move(locked, ContactStatusName.CLOSED, by=by, reason=reason.strip())
    locked.save(update_fields=["status", "updated_at"])
    if locked.person is not None:
        people_services.add_to_chronology(
            person=locked.person,
            category=CHRONOLOGY_CATEGORY,
            summary=f"Front-door contact {locked.reference} closed",
            detail=reason.strip(),
            by=by,
            link=_link(locked),
        )
    audit.record(
        actor=by, action="contact.closed", target=locked, person_id=locked.person_id, snapshot={"reason": reason}
    )
    return locked
