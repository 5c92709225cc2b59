"""The front door: a contact taken once, corrected, linked to a person, triaged and routed. One transaction each.

Every change checks the transition table (models.ALLOWED_TRANSITIONS), writes a ContactStatus row
(or, for a correction, a ContactRevision row), the person's chronology (when the contact is linked to
someone) and an audit event, together. Decisions that two records are different people live here too,
beside the duplicates screen that offers them.
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
from safepathways.core.formatting import format_date, format_datetime
from safepathways.core.identifiers import is_valid_nhs_number, normalise_nhs_number, normalise_postcode
from safepathways.core.services import reserve_numbers
from safepathways.people import merge as people_merge
from safepathways.people import services as people_services
from safepathways.people.models import MergeRecord, Person
from safepathways.referrals import rules, selectors
from safepathways.referrals.models import (
    ALLOWED_TRANSITIONS,
    WAITING_LIST_ROUTES,
    Channel,
    Contact,
    ContactRevision,
    ContactRoute,
    ContactStatus,
    ContactStatusName,
    FrontDoorSettings,
    NotDuplicate,
    Route,
    RouteSetting,
    Urgency,
    partner_organisation_ids,
)
from safepathways.work import services as work_services
from safepathways.work.models import WorkItem

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
# The details a correction may change are exactly those taken (ContactDetails); identity is what matching reads.
IDENTITY_FIELDS = ("given_name", "family_name", "date_of_birth", "nhs_number", "address_line", "postcode", "phone")
# How each corrected detail reads in a sentence ("corrected: urgency, why they got in touch").
FIELD_WORDS = {
    "referrer_type": "who got in touch",
    "channel": "how they got in touch",
    "received_at": "when it was received",
    "reason": "why they got in touch",
    "urgency": "urgency",
    "consent": "consent to share",
    "referrer_name": "referrer's name",
    "referrer_organisation": "referrer's organisation",
    "referrer_phone": "referrer's phone number",
    "persons_wishes": "what the person wants",
    "has_immediate_risk": "immediate risk",
    "immediate_risk_details": "details of the immediate risk",
    "given_name": "first name",
    "family_name": "last name",
    "date_of_birth": "date of birth",
    "nhs_number": "NHS number",
    "address_line": "address",
    "postcode": "postcode",
    "phone": "phone number",
    "screening_due_on": "triage due date",
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


EDITABLE_FIELDS = tuple(field.name for field in fields(ContactDetails))


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

    Any council staff member may take a contact. With `person` it is linked to that record; with
    `create_person` a new record is made from the identity given: both only for those who may link
    contacts to records (rules.LINK_PERSON). Without either it is kept as an unidentified contact, never
    lost, for the front door to link at triage.
    """
    if not by.is_council_staff and (person is not None or create_person):
        raise ApplicationError("The front door links contacts to records: send the contact without one", field="person")
    if (person is not None or create_person) and not by.has_perm(rules.LINK_PERSON):
        raise ApplicationError(
            "Your role cannot link a contact to a person's record: save it without one, "
            "and the front door will link it when it triages the contact",
            field="person",
        )
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
    if not by.has_perm(rules.LINK_PERSON):
        raise ApplicationError("Your role cannot link a contact to a person's record", field="person")
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
    if not by.has_perm(rules.LINK_PERSON):
        raise ApplicationError("Your role cannot link a contact to a person's record", field="person")
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
                field="routes",
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


@dataclass(frozen=True)
class _PlannedRoute:
    route: Route
    setting: RouteSetting
    team: Team


def _chosen_routes(route: str, routes: Sequence[str]) -> list[Route]:
    """The routes of one triage decision, in the order Route declares them (`route` is the single-route form)."""
    if route and routes:
        raise ApplicationError("Give one route or a list of routes, not both", field="routes")
    given = [route] if route else list(routes)
    if not given:
        raise ApplicationError("Choose where this contact goes", field="routes")
    for value in given:
        if value not in Route.values:
            raise ApplicationError(f"“{value}” is not a route: choose from the routes offered", field="routes")
        if given.count(value) > 1:
            raise ApplicationError(f"Choose {Route(value).label.lower()} once", field="routes")
    if Route.INFORMATION_AND_ADVICE in given and len(given) > 1:
        raise ApplicationError(
            "Information and advice closes the contact: choose it on its own, or only routes that open work",
            field="routes",
        )
    return [choice for choice in Route if choice in given]


def _route_words(routes: Sequence[Route]) -> str:
    labels = [route.label.lower() for route in routes]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _plan_routes(routes: Sequence[Route], person: Person, team: Team | None) -> list[_PlannedRoute]:
    """Each route's setting and team, all found before any work opens (a missing one refuses the whole decision)."""
    if team is not None and len(routes) > 1:
        raise ApplicationError(
            "Choose a team only when the contact goes one way: with several routes, each goes to its usual team",
            field="team",
        )
    if team is not None and not team.organisation.is_this_council:
        raise ApplicationError("Choose a council team", field="team")
    settings = selectors.route_settings()
    front_door = selectors.front_door_settings()
    planned = []
    for route in routes:
        setting = settings.get(route)
        if setting is None:
            raise ApplicationError(f"{route.label} is not available: ask an administrator", field="routes")
        planned.append(_PlannedRoute(route=route, setting=setting, team=team or _team_for(setting, person, front_door)))
    return planned


def _open_work_alongside(person: Person, planned: Sequence[_PlannedRoute], *, open_another: bool) -> list[WorkItem]:
    """The person's open work of the kinds these routes would open (selectors.open_work_of).

    Every item of work waiting for a team is one entry in one list: a second call about someone who already
    has, say, an OT assessment open is refused, naming that work, unless the officer confirms that another is
    needed (`open_another`, with why in the decision's reason).
    """
    existing = selectors.open_work_of(person.pk, kinds=[plan.setting.work_kind for plan in planned])
    if existing and not open_another:
        named = "; ".join(
            f"“{item.title}” for {item.team.name}, open since {format_date(item.opened_at)}" for item in existing
        )
        raise ApplicationError(
            f"{person.full_name} already has open work of this kind: {named}. Add what this contact says to that "
            "work instead, or, if another is needed, confirm that you want to open new work and say why in the reason",
            field="routes",
        )
    return existing


@transaction.atomic
def triage_contact(
    *,
    contact: Contact,
    by: User,
    reason: str,
    routes: Sequence[str] = (),
    route: str = "",
    advice_given: str = "",
    likelihood: int | None = None,
    impact: int | None = None,
    flags: Sequence[str] = (),
    team: Team | None = None,
    open_another: bool = False,
) -> Contact:
    """Record the triage decision and route the contact: advice (closed), or work opened for each route chosen.

    One decision may send a contact several ways (an OT assessment and a carer's assessment, say): each
    route opens its own work item for its own team, all starting from the contact's story and all rated
    the same (likelihood, impact and flags; routes outside the waiting list fall back on the urgency).
    Every route but information and advice needs the contact linked to a person first, and information
    and advice, which closes the contact, is chosen on its own. `route` is the single-route form of
    `routes`. Nothing is written unless every route can open its work, and none would open work of a kind
    the person already has open, unless `open_another` confirms that another is needed.
    """
    if not by.has_perm(rules.TRIAGE_CONTACT):
        raise ApplicationError("Your role cannot triage contacts")
    locked = _lock(contact)
    chosen = _chosen_routes(route, routes)
    reason = reason.strip()
    is_advice = chosen == [Route.INFORMATION_AND_ADVICE]
    target = ContactStatusName.CLOSED if is_advice else ContactStatusName.TRIAGED
    check_transition(locked.status, target)
    if not reason:
        raise ApplicationError("Enter the reason for this decision", field="reason")
    opened: list[WorkItem] = []
    alongside: list[WorkItem] = []
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
                f"Link the contact to a person before sending it for {_route_words(chosen)}", field="person"
            )
        if any(choice in WAITING_LIST_ROUTES for choice in chosen) and (likelihood is None or impact is None):
            raise ApplicationError(
                "Rate the risk: choose how likely harm is and how serious it would be",
                field="likelihood" if likelihood is None else "impact",
            )
        planned = _plan_routes(chosen, person, team)
        _lock_people(person)  # two contacts about one person triaged at once: the second sees the first's work
        alongside = _open_work_alongside(person, planned, open_another=open_another)
        default_likelihood, default_impact = RATING_FROM_URGENCY[Urgency(locked.urgency)]
        story = compose_story(locked)
        opened_at = timezone.now()
        for plan in planned:
            work_item = work_services.open_work(
                person=person,
                kind=plan.setting.work_kind,
                team=plan.team,
                title=f"{plan.route.label} (front door {locked.reference})",
                by=by,
                story=story,
                likelihood=likelihood if likelihood is not None else default_likelihood,
                impact=impact if impact is not None else default_impact,
                flags=list(flags),
                why=reason,
                opened_at=opened_at,
            )
            ContactRoute.objects.create(contact=locked, route=plan.route, work_item=work_item)
            opened.append(work_item)
    # The contact keeps the first route (in Route order); ContactRoute rows hold every route's work.
    locked.route = chosen[0]
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
        if opened:
            sent = "; ".join(
                f"{choice.label.lower()} for {item.team.name}" for choice, item in zip(chosen, opened, strict=True)
            )
            summary = f"Front-door contact triaged: {sent}"
            if alongside:
                summary += " (confirmed as needed alongside open work of the same kind)"
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
        # One value for one route, as before several were allowed; comma-separated, in the same order, for several.
        snapshot={
            "route": ",".join(chosen),
            "status": target,
            "work_item": ",".join(str(item.pk) for item in opened) or None,
            "team": ",".join(item.team.slug for item in opened) or None,
            "reason": reason,
            # Open work of the same kind the officer confirmed this decision adds to (open_another).
            "alongside": ",".join(str(item.pk) for item in alongside) or None,
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


# Correcting a contact ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactCorrection:
    """What update_contact changed: the contact as corrected, its new revision and the fields that moved."""

    contact: Contact
    revision: ContactRevision
    changed: tuple[str, ...]

    @property
    def identity_changed(self) -> bool:
        """New identity details: the edges offer the likely matches again."""
        return any(name in IDENTITY_FIELDS for name in self.changed)

    @property
    def screening_due_changed(self) -> bool:
        return "screening_due_on" in self.changed


def check_can_update(contact: Contact) -> None:
    """Raise unless the contact can still be corrected: anything but a closed contact can."""
    if contact.status == ContactStatusName.CLOSED:
        raise ApplicationError(
            f"Contact {contact.reference} is closed, so it can no longer be changed. "
            "If there is something new to record, take a new contact"
        )


def _as_json(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value  # datetime is a date too


@transaction.atomic
def update_contact(*, contact: Contact, by: User, changes: Mapping[str, Any], why: str) -> ContactCorrection:
    """Correct a contact's details after it was saved, keeping what each detail was before, who changed it and why.

    Whoever took the contact, or anyone at the front door with the role, may correct it until it is
    closed. The same checks as taking it apply. A new urgency or time received moves the screening due
    date; new identity details are the edges' cue to offer the likely matches again. Work already opened
    keeps the story it was sent with; the person's chronology records the correction.
    """
    if not rules.may_edit_contact(by, contact):
        raise ApplicationError("Your role cannot change this contact")
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ApplicationError(f"{unknown[0]} cannot be changed: it is not a detail of the contact", field=unknown[0])
    locked = _lock(contact)
    check_can_update(locked)
    why = why.strip()
    if not why:
        raise ApplicationError("Enter why you are changing the contact", field="why")
    before = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
    data = _clean(ContactDetails(**(before | dict(changes))))
    if not by.is_council_staff and data["channel"] != before["channel"]:
        raise ApplicationError("A partner's referral keeps the way it was sent", field="channel")
    diff = {
        name: {"from": _as_json(before[name]), "to": _as_json(data[name])}
        for name in EDITABLE_FIELDS
        if data[name] != before[name]
    }
    if not diff:
        raise ApplicationError("Nothing has changed: change a detail, or go back to the contact")
    for name in diff:
        setattr(locked, name, data[name])
    update_fields = [*diff]
    if "urgency" in diff or "received_at" in diff:
        due = screening_due_on(received_at=locked.received_at, urgency=locked.urgency)
        if due != locked.screening_due_on:
            diff["screening_due_on"] = {"from": _as_json(locked.screening_due_on), "to": _as_json(due)}
            locked.screening_due_on = due
            update_fields.append("screening_due_on")
    _full_clean(locked)
    locked.save(update_fields=[*update_fields, "updated_at"])
    revision = ContactRevision.objects.create(contact=locked, changes=diff, reason=why, created_by=by)
    if locked.person is not None:
        people_services.add_to_chronology(
            person=locked.person,
            category=CHRONOLOGY_CATEGORY,
            summary=f"Front-door contact {locked.reference} corrected: {', '.join(FIELD_WORDS[name] for name in diff)}",
            detail=why,
            by=by,
            link=_link(locked),
        )
    audit.record(
        actor=by,
        action="contact.updated",
        target=locked,
        person_id=locked.person_id,
        # The field names only: the values are on the revision row, and may be sensitive.
        snapshot={"fields": ",".join(diff), "reason": why},
    )
    return ContactCorrection(contact=locked, revision=revision, changed=tuple(diff))


# Records that are not duplicates ---------------------------------------------------------------------


def _in_order(one: Person, other: Person) -> tuple[Person, Person]:
    """The pair in the order NotDuplicate stores it (lower id first), whichever way round it was given."""
    return (one, other) if one.pk < other.pk else (other, one)


def _lock_people(*people: Person) -> list[Person]:
    # As people.merge does: locking both rows serialises this with a merge of either record.
    return list(Person.objects.select_for_update().filter(pk__in=[p.pk for p in people]).order_by("pk"))


def _active_decision(first: Person, second: Person) -> NotDuplicate | None:
    one, other = _in_order(first, second)
    return NotDuplicate.objects.active().filter(first=one, second=other).select_related("created_by").first()


def _decided(decision: NotDuplicate) -> str:
    when = format_date(decision.created_at)
    return f"{decision.created_by.full_name} recorded on {when} that these are different people"


@transaction.atomic
def dismiss_duplicate(*, first: Person, second: Person, by: User, reason: str) -> NotDuplicate:
    """Record that two records are different people, so the duplicates screen stops suggesting the pair.

    The pair is stored once, whichever way round it is given. Both people's chronologies say so, and
    undo_dismissal reverses it.
    """
    if not people_merge.may_merge(by):
        raise ApplicationError(
            "Only an administrator or a team manager can decide that two records are different people"
        )
    if first.pk == second.pk:
        raise ApplicationError("Choose two different records")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Enter why these records are different people", field="reason")
    locked = _lock_people(first, second)
    if len(locked) != 2:
        raise ApplicationError("One of these records no longer exists")
    for person in locked:
        if person.merged_into_id is not None:
            raise ApplicationError(f"{person.reference} has been merged into another record")
    existing = _active_decision(*locked)
    if existing is not None:
        raise ApplicationError(f"{_decided(existing)}: nothing more to record")
    one, other = _in_order(*locked)
    decision = NotDuplicate.objects.create(first=one, second=other, reason=reason, created_by=by)
    for person, different in ((one, other), (other, one)):
        people_services.add_to_chronology(
            person=person,
            category="people",
            summary=f"Not the same person as {different.reference} ({different.full_name}): "
            "not to be suggested as a duplicate",
            detail=reason,
            by=by,
        )
    snapshot = {"first": one.reference, "second": other.reference, "reason": reason}
    audit.record_many(
        actor=by,
        entries=[
            audit.AuditEntry(action="person.not_duplicate", target=decision, person_id=person.pk, snapshot=snapshot)
            for person in (one, other)
        ],
    )
    return decision


@transaction.atomic
def undo_dismissal(*, decision: NotDuplicate, by: User) -> NotDuplicate:
    """Undo a 'not the same person' decision: the pair may be suggested as duplicates again. The row stays."""
    if not people_merge.may_merge(by):
        raise ApplicationError("Only an administrator or a team manager can undo this decision")
    locked = NotDuplicate.objects.select_for_update().get(pk=decision.pk)
    if locked.undone_at is not None:
        raise ApplicationError("This decision has already been undone")
    locked.undone_at = timezone.now()
    locked.undone_by = by
    locked.save(update_fields=["undone_at", "undone_by", "updated_at"])
    one, other = locked.first, locked.second
    for person, different in ((one, other), (other, one)):
        people_services.add_to_chronology(
            person=person,
            category="people",
            summary=f"No longer recorded as a different person from {different.reference} ({different.full_name}): "
            "the two records may be suggested as duplicates again",
            by=by,
        )
    snapshot = {"first": one.reference, "second": other.reference}
    audit.record_many(
        actor=by,
        entries=[
            audit.AuditEntry(
                action="person.not_duplicate_undone", target=locked, person_id=person.pk, snapshot=snapshot
            )
            for person in (one, other)
        ],
    )
    return locked


@transaction.atomic
def merge_duplicates(*, keep: Person, remove: Person, by: User, reason: str) -> MergeRecord:
    """Merge two records from the duplicates screen (people.merge), unless they are recorded as different people."""
    if keep.pk != remove.pk:
        _lock_people(keep, remove)
        decision = _active_decision(keep, remove)
        if decision is not None:
            raise ApplicationError(f"{_decided(decision)}: undo that decision before merging them", field="keep")
    return people_merge.merge_people(keep=keep, remove=remove, by=by, reason=reason)
