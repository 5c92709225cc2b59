"""Young people and care leavers: taking in children's services records, recording milestones, meetings,
workshops and care leavers' housing, and starting transition plans.

Each service is one transaction: validate, write, add to the person's chronology, record the audit event.

Children's services records (the CSV import, the web upload and the API) are matched on the children's services
reference, then on the NHS number; a new person is added through people.services.create_person. A re-import
updates the young person's row. It never changes an existing council record's names: the council record is
the adult side's, and people.services.update_person is the way to correct it. A date of birth that disagrees with
the council record is refused, so that two different people are never joined.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Role, Team, TeamKind, User
from safepathways.audit import services as audit
from safepathways.core.errors import ApplicationError
from safepathways.core.identifiers import is_valid_nhs_number, normalise_nhs_number, normalise_postcode
from safepathways.people.models import Person
from safepathways.people.services import add_to_chronology, create_person
from safepathways.transitions import services as transitions
from safepathways.transitions.models import Plan, PlanKind, PlanStatus
from safepathways.work.services import record_handoff
from safepathways.young_people import milestones
from safepathways.young_people.milestones import Milestone
from safepathways.young_people.models import (
    AccommodationStatus,
    Attendance,
    ContinuingHealthcare,
    HomelessnessRisk,
    MilestoneOutcome,
    MilestoneRecord,
    PlanningMeeting,
    SignificantBenefit,
    Workshop,
    YoungPeopleSettings,
    YoungPerson,
)

CHRONOLOGY = "young_people"


def _link(young_person: YoungPerson) -> str:
    return reverse("young_people:detail", args=[young_person.pk])


def _story(young_person: YoungPerson, summary: str, by: User | None, detail: str = "") -> None:
    add_to_chronology(
        person=young_person.person,
        category=CHRONOLOGY,
        summary=summary,
        by=by,
        detail=detail,
        link=_link(young_person),
    )


def _record(by: User | None, action: str, young_person: YoungPerson, **snapshot: object) -> None:
    audit.record(
        actor=by,
        action=action,
        target=young_person,
        person_id=young_person.person_id,
        snapshot=snapshot,
        actor_label="" if by else "system",
    )


def _required(value: str, message: str, field_name: str) -> str:
    if not value.strip():
        raise ApplicationError(message, field=field_name)
    return value.strip()


def _not_future(day: date, label: str, field_name: str, today: date) -> None:
    if day > today:
        raise ApplicationError(f"{label} must be today or in the past", field=field_name)


def _lock(young_person: YoungPerson) -> YoungPerson:
    return YoungPerson.objects.select_for_update(of=("self",)).select_related("person").get(pk=young_person.pk)


# --- children's services records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildrensRecord:
    """One young person as children's services send them. None means "not sent": the stored value stays."""

    childrens_reference: str
    given_name: str
    family_name: str
    date_of_birth: date
    nhs_number: str = ""
    postcode: str = ""
    has_ehc_plan: bool | None = None
    ehc_plan_ends_on: date | None = None
    is_known_to_childrens_social_care: bool | None = None
    is_care_leaver: bool | None = None
    personal_adviser_name: str | None = None
    personal_adviser_phone: str | None = None
    accommodation_status: str | None = None
    planned_move_on: date | None = None
    homelessness_risk: str | None = None


# The record's fields that are the young person's own (not the council record's identity).
YOUNG_PERSON_FIELDS = (
    "has_ehc_plan",
    "ehc_plan_ends_on",
    "is_known_to_childrens_social_care",
    "is_care_leaver",
    "personal_adviser_name",
    "personal_adviser_phone",
    "accommodation_status",
    "planned_move_on",
    "homelessness_risk",
)


def check_record(record: ChildrensRecord, today: date, *, born_known: bool = True) -> list[ApplicationError]:
    """Every problem with a record on its own (no database), each naming its field. `born_known` False: the date
    of birth is a stand-in (a council record without one), so no date is compared with it."""
    problems: list[ApplicationError] = []

    def problem(message: str, field_name: str) -> None:
        problems.append(ApplicationError(message, field=field_name))

    if not record.childrens_reference.strip():
        problem("Enter the children's services reference", "childrens_reference")
    elif len(record.childrens_reference.strip()) > 40:
        problem("The children's services reference must be 40 characters or fewer", "childrens_reference")
    if not record.given_name.strip():
        problem("Enter the young person's first name", "given_name")
    if not record.family_name.strip():
        problem("Enter the young person's last name", "family_name")
    born = record.date_of_birth
    if born > today:
        problem("Date of birth must be today or in the past", "date_of_birth")
    elif milestones.add_years(born, milestones.UPPER_AGE) <= today:
        problem("The young person must be under 25", "date_of_birth")
    if record.nhs_number and not is_valid_nhs_number(record.nhs_number):
        problem("Enter a valid NHS number: 10 digits whose last digit is the correct check digit", "nhs_number")
    if record.postcode and normalise_postcode(record.postcode) is None:
        problem("Enter a real UK postcode, like NW1 2AB", "postcode")
    if record.ehc_plan_ends_on is not None:
        if record.has_ehc_plan is False:
            problem("An EHC plan end date needs an EHC plan", "ehc_plan_ends_on")
        elif born_known and record.ehc_plan_ends_on <= born:
            problem("The EHC plan end date must be after their date of birth", "ehc_plan_ends_on")
        elif born <= today and record.ehc_plan_ends_on > milestones.add_years(born, milestones.UPPER_AGE):
            problem("An EHC plan lasts until the young person is 25 at most", "ehc_plan_ends_on")
    if born_known and record.planned_move_on is not None and record.planned_move_on <= born:
        problem("The planned move date must be after their date of birth", "planned_move_on")
    if record.accommodation_status is not None and record.accommodation_status not in AccommodationStatus.values:
        problem(f"Accommodation status must be one of: {', '.join(AccommodationStatus.values)}", "accommodation_status")
    if record.homelessness_risk is not None and record.homelessness_risk not in HomelessnessRisk.values:
        problem(f"Homelessness risk must be one of: {', '.join(HomelessnessRisk.values)}", "homelessness_risk")
    return problems


@dataclass(frozen=True)
class Match:
    """Where a record will go: an existing young person, an existing council record, or a new person."""

    young_person: YoungPerson | None
    person: Person | None


def match_record(
    record: ChildrensRecord,
    *,
    by_reference: Mapping[str, YoungPerson],
    by_nhs_number: Mapping[str, Person],
) -> tuple[Match, list[ApplicationError]]:
    """Match on the children's reference, then the NHS number; refuse a match that would join two people."""
    nhs_number = normalise_nhs_number(record.nhs_number)
    young_person = by_reference.get(record.childrens_reference.strip())
    person = young_person.person if young_person is not None else by_nhs_number.get(nhs_number) if nhs_number else None
    problems = []
    if young_person is not None and nhs_number:
        holder = by_nhs_number.get(nhs_number)
        if holder is not None and holder.pk != young_person.person_id:
            problems.append(
                ApplicationError(
                    f"This NHS number is on another council record ({holder.reference})", field="nhs_number"
                )
            )
    if young_person is None and person is not None:
        other = getattr(person, "young_person", None)
        if other is not None:
            problems.append(
                ApplicationError(
                    "This NHS number belongs to the young person with children's reference "
                    f"{other.childrens_reference}",
                    field="nhs_number",
                )
            )
    if person is not None and person.date_of_birth is not None and person.date_of_birth != record.date_of_birth:
        problems.append(
            ApplicationError(
                f"Date of birth does not match the council record {person.reference} "
                f"({person.date_of_birth:%-d %B %Y}): correct one of them first",
                field="date_of_birth",
            )
        )
    return Match(young_person, person), problems


def lookups(records: Iterable[ChildrensRecord]) -> tuple[dict[str, YoungPerson], dict[str, Person]]:
    """The young people and council records that a batch of records may match, in two queries."""
    records = list(records)
    references = {r.childrens_reference.strip() for r in records}
    numbers = {normalise_nhs_number(r.nhs_number) for r in records if r.nhs_number}
    by_reference = {
        yp.childrens_reference: yp
        for yp in YoungPerson.objects.select_related("person").filter(childrens_reference__in=references)
    }
    by_nhs_number = {
        p.nhs_number: p
        for p in Person.objects.select_related("young_person").filter(nhs_number__in=numbers, merged_into__isnull=True)
        if p.nhs_number
    }
    return by_reference, by_nhs_number


@dataclass(frozen=True)
class Upserted:
    young_person: YoungPerson
    created: bool
    person_created: bool


def _apply(young_person: YoungPerson, record: ChildrensRecord) -> list[str]:
    changed = []
    for name in YOUNG_PERSON_FIELDS:
        value = getattr(record, name)
        if value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
        if getattr(young_person, name) != value:
            setattr(young_person, name, value)
            changed.append(name)
    if young_person.has_ehc_plan is False and young_person.ehc_plan_ends_on is not None:
        young_person.ehc_plan_ends_on = None
        changed.append("ehc_plan_ends_on")
    return changed


def _write(record: ChildrensRecord, match: Match, *, by: User, now: datetime) -> Upserted:
    person, person_created = match.person, False
    if person is None:
        data: dict[str, Any] = {
            "given_name": record.given_name,
            "family_name": record.family_name,
            "date_of_birth": record.date_of_birth,
        }
        if record.nhs_number:
            data["nhs_number"] = record.nhs_number
        if record.postcode:
            data["postcode"] = record.postcode
        person, person_created = create_person(by=by, data=data), True
    young_person = match.young_person
    created = young_person is None
    if young_person is None:
        young_person = YoungPerson(person=person, childrens_reference=record.childrens_reference.strip())
    else:
        young_person = _lock(young_person)
    changed = _apply(young_person, record)
    if "planned_move_on" in changed:
        young_person.planned_move_recorded_at = now
    young_person.imported_at = now
    young_person.updated_by = by
    young_person.full_clean()
    young_person.save()
    if created:
        _story(
            young_person,
            f"Known to children's services ({young_person.childrens_reference}): on the young people's tracker",
            by,
        )
    _record(
        by,
        "young_person.imported",
        young_person,
        created=created,
        person_created=person_created,
        changed=",".join(changed),
    )
    return Upserted(young_person, created, person_created)


@transaction.atomic
def upsert_from_childrens_services(*, record: ChildrensRecord, by: User, now: datetime | None = None) -> Upserted:
    """Create or update one young person from children's services, matched by their reference (the API's POST)."""
    now = now or timezone.now()
    problems = check_record(record, timezone.localdate(now))
    if problems:
        raise problems[0]
    by_reference, by_nhs_number = lookups([record])
    match, conflicts = match_record(record, by_reference=by_reference, by_nhs_number=by_nhs_number)
    if conflicts:
        raise conflicts[0]
    return _write(record, match, by=by, now=now)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    people_created: int


@transaction.atomic
def import_records(*, records: list[ChildrensRecord], by: User, now: datetime | None = None) -> ImportResult:
    """Write a batch that young_people.imports has checked in full; any error undoes the whole batch."""
    now = now or timezone.now()
    created = updated = people_created = 0
    for record in records:
        result = upsert_from_childrens_services(record=record, by=by, now=now)
        created += result.created
        updated += not result.created
        people_created += result.person_created
    return ImportResult(created, updated, people_created)


# --- changes made by the transitions team -------------------------------------------------------------------


def update_errors(young_person: YoungPerson, data: Mapping[str, Any]) -> list[ApplicationError]:
    born = young_person.person.date_of_birth
    record = ChildrensRecord(
        childrens_reference=young_person.childrens_reference,
        given_name=young_person.person.given_name,
        family_name=young_person.person.family_name,
        date_of_birth=born or timezone.localdate(),
        has_ehc_plan=data.get("has_ehc_plan", young_person.has_ehc_plan),
        ehc_plan_ends_on=data.get("ehc_plan_ends_on", young_person.ehc_plan_ends_on),
        accommodation_status=data.get("accommodation_status"),
        planned_move_on=data.get("planned_move_on"),
        homelessness_risk=data.get("homelessness_risk"),
    )
    # Identity is not changed here, so only the young person's own fields can be wrong.
    problems = check_record(record, timezone.localdate(), born_known=born is not None)
    return [p for p in problems if p.field in YOUNG_PERSON_FIELDS]


@transaction.atomic
def update_young_person(*, young_person: YoungPerson, by: User, data: Mapping[str, Any]) -> YoungPerson:
    """Change the young person's own details: EHC plan, care leaver status, personal adviser, accommodation."""
    unknown = set(data) - set(YOUNG_PERSON_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    locked = _lock(young_person)
    problems = update_errors(locked, data)
    if problems:
        raise problems[0]
    changed = [name for name, value in data.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, data[name].strip() if isinstance(data[name], str) else data[name])
    if "planned_move_on" in changed:
        locked.planned_move_recorded_at = timezone.now()
    if not locked.has_ehc_plan:
        locked.ehc_plan_ends_on = None
    locked.updated_by = by
    locked.full_clean()
    locked.save()
    labels = ", ".join(str(getattr(YoungPerson._meta.get_field(name), "verbose_name", name)) for name in changed)
    _story(locked, f"Young person's details updated: {labels}", by)
    _record(by, "young_person.updated", locked, changed=",".join(changed))
    return locked


@transaction.atomic
def record_milestone(
    *,
    young_person: YoungPerson,
    code: str,
    done_on: date,
    by: User,
    outcome: str = MilestoneOutcome.DONE,
    note: str = "",
    today: date | None = None,
) -> MilestoneRecord:
    """Record a milestone met, or decided not needed (with the reason why)."""
    today = today or timezone.localdate()
    if code not in {m.value for m in Milestone}:
        raise ApplicationError("Choose a milestone", field="code")
    if outcome not in MilestoneOutcome.values:
        raise ApplicationError("Choose whether it was done or is not needed", field="outcome")
    if outcome == MilestoneOutcome.NOT_NEEDED and not note.strip():
        raise ApplicationError("Say why this milestone is not needed", field="note")
    _not_future(done_on, "The date", "done_on", today)
    locked = _lock(young_person)
    born = locked.person.date_of_birth
    if born is not None and done_on < born:
        raise ApplicationError("The date must be after the young person was born", field="done_on")
    if locked.milestone_records.filter(code=code).exists():
        raise ApplicationError("This milestone is already recorded", field="code")
    record = MilestoneRecord.objects.create(
        young_person=locked, code=code, outcome=outcome, done_on=done_on, note=note.strip(), by=by
    )
    words = "not needed" if outcome == MilestoneOutcome.NOT_NEEDED else "done"
    _story(locked, f"Milestone {words}: {Milestone(code).label}", by, detail=note.strip())
    _record(by, "young_person.milestone_recorded", locked, code=code, outcome=outcome, done_on=done_on.isoformat())
    return record


@transaction.atomic
def allocate_transitions_worker(
    *, young_person: YoungPerson, worker: User, by: User, today: date | None = None
) -> YoungPerson:
    """Name the young person's transitions worker; the first allocation meets the "worker allocated" milestone."""
    today = today or timezone.localdate()
    if not worker.is_active or not worker.is_council_staff:
        raise ApplicationError("Choose a worker who works here now", field="worker")
    locked = _lock(young_person)
    previous = locked.transitions_worker
    locked.transitions_worker = worker
    locked.updated_by = by
    locked.save(update_fields=["transitions_worker", "updated_by", "updated_at"])
    record_handoff(
        person=locked.person, by=by, reason="Transitions worker changed", from_worker=previous, to_worker=worker
    )
    if not locked.milestone_records.filter(code=Milestone.WORKER_ALLOCATED).exists():
        MilestoneRecord.objects.create(
            young_person=locked, code=Milestone.WORKER_ALLOCATED, done_on=today, note=f"Allocated to {worker}", by=by
        )
    _story(locked, f"Transitions worker: {worker}", by)
    _record(by, "young_person.worker_allocated", locked, worker=worker.pk)
    return locked


@transaction.atomic
def decide_significant_benefit(
    *, young_person: YoungPerson, decision: str, decided_on: date, reason: str, by: User, today: date | None = None
) -> YoungPerson:
    """Care Act 2014 s58: record whether a transition assessment would be of significant benefit now.

    A "no" needs written reasons (s58, LAG commentary); the young person can ask again later.
    """
    today = today or timezone.localdate()
    if decision not in SignificantBenefit.values or decision == SignificantBenefit.NOT_DECIDED:
        raise ApplicationError("Choose yes or no", field="decision")
    if decision == SignificantBenefit.NO and not reason.strip():
        raise ApplicationError(
            "Give the reasons for deciding not to assess now: they are sent in writing", field="reason"
        )
    _not_future(decided_on, "The date of the decision", "decided_on", today)
    locked = _lock(young_person)
    locked.significant_benefit = decision
    locked.significant_benefit_decided_on = decided_on
    locked.significant_benefit_reason = reason.strip()
    locked.updated_by = by
    locked.full_clean()
    locked.save()
    words = "would" if decision == SignificantBenefit.YES else "would not"
    _story(locked, f"A transition assessment {words} be of significant benefit now", by, detail=reason.strip())
    _record(by, "young_person.significant_benefit", locked, decision=decision, reason=reason)
    return locked


@transaction.atomic
def decide_continuing_healthcare(
    *, young_person: YoungPerson, decision: str, decided_on: date, reason: str, by: User, today: date | None = None
) -> YoungPerson:
    """Record whether the young person is likely to need adult NHS continuing healthcare.

    CYP Continuing Care Framework 2016 paras 116-117 (domain-reference §4.3): health is told at 14, the adult
    checklist used at 16-17 and a decision in principle made after 17 only for those likely to need it. "Not
    likely" takes those three milestones off the tracker and needs a reason, so the decision can be checked.
    """
    today = today or timezone.localdate()
    if decision not in ContinuingHealthcare.values or decision == ContinuingHealthcare.NOT_DECIDED:
        raise ApplicationError("Choose likely or not likely", field="decision")
    if decision == ContinuingHealthcare.NO and not reason.strip():
        raise ApplicationError("Say why they are not likely to need continuing healthcare", field="reason")
    _not_future(decided_on, "The date of the decision", "decided_on", today)
    locked = _lock(young_person)
    locked.continuing_healthcare = decision
    locked.continuing_healthcare_decided_on = decided_on
    locked.continuing_healthcare_reason = reason.strip()
    locked.updated_by = by
    locked.full_clean()
    locked.save()
    words = "likely" if decision == ContinuingHealthcare.YES else "not likely"
    _story(locked, f"Decided {words} to need adult continuing healthcare", by, detail=reason.strip())
    _record(by, "young_person.continuing_healthcare", locked, decision=decision, reason=reason)
    return locked


@transaction.atomic
def record_planning_meeting(
    *,
    young_person: YoungPerson,
    held_on: date,
    attendees: str,
    agreed: str,
    young_person_took_part: bool,
    by: User,
    today: date | None = None,
) -> PlanningMeeting:
    """A "planning together" meeting with the young person, their family and partners."""
    today = today or timezone.localdate()
    _not_future(held_on, "The date of the meeting", "held_on", today)
    meeting = PlanningMeeting(
        young_person=young_person,
        held_on=held_on,
        attendees=_required(attendees, "Say who came to the meeting", "attendees"),
        agreed=_required(agreed, "Say what was agreed", "agreed"),
        young_person_took_part=young_person_took_part,
        by=by,
    )
    meeting.full_clean()
    meeting.save()
    _story(young_person, f"Planning together meeting on {held_on:%-d %B %Y}", by, detail=meeting.agreed)
    _record(by, "young_person.planning_meeting", young_person, held_on=held_on.isoformat())
    return meeting


@transaction.atomic
def record_workshop(
    *,
    young_person: YoungPerson,
    offered_on: date,
    topic: str,
    offered_to: str,
    attendance: str,
    by: User,
    today: date | None = None,
) -> Workshop:
    """A workshop offered to the young person's parents or carers, and whether they came."""
    today = today or timezone.localdate()
    _not_future(offered_on, "The date it was offered", "offered_on", today)
    if attendance not in Attendance.values:
        raise ApplicationError("Choose whether they attended", field="attendance")
    workshop = Workshop(
        young_person=young_person,
        offered_on=offered_on,
        topic=_required(topic, "Enter the workshop's topic", "topic"),
        offered_to=_required(offered_to, "Enter who it was offered to", "offered_to"),
        attendance=attendance,
        by=by,
    )
    workshop.full_clean()
    workshop.save()
    _story(young_person, f"Workshop offered to {workshop.offered_to}: {workshop.topic}", by)
    _record(by, "young_person.workshop", young_person, topic=workshop.topic, attendance=attendance)
    return workshop


@transaction.atomic
def record_workshop_attendance(*, workshop: Workshop, attendance: str, by: User) -> Workshop:
    if attendance not in Attendance.values:
        raise ApplicationError("Choose whether they attended", field="attendance")
    workshop.attendance = attendance
    workshop.save(update_fields=["attendance", "updated_at"])
    words = Attendance(attendance).label.lower()
    _story(workshop.young_person, f"Workshop '{workshop.topic}' for {workshop.offered_to}: {words}", by)
    _record(by, "young_person.workshop_attendance", workshop.young_person, attendance=attendance)
    return workshop


@transaction.atomic
def record_housing_referral(
    *, young_person: YoungPerson, made_on: date, referred_to: str, by: User, today: date | None = None
) -> YoungPerson:
    """A referral to a housing authority (Housing Act 1996 s213B duty to refer; UNCONFIRMED, domain-reference §4.4)."""
    today = today or timezone.localdate()
    _not_future(made_on, "The date of the referral", "made_on", today)
    referred_to = _required(referred_to, "Enter the housing authority referred to", "referred_to")
    locked = _lock(young_person)
    born = locked.person.date_of_birth
    if born is not None and made_on <= born:
        raise ApplicationError("The date of the referral must be after their date of birth", field="made_on")
    locked.housing_referral_made_on = made_on
    locked.housing_referral_to = referred_to
    locked.updated_by = by
    locked.full_clean()
    locked.save()
    _story(locked, f"Housing duty referral to {referred_to} on {made_on:%-d %B %Y}", by)
    _record(by, "young_person.housing_referral", locked, made_on=made_on.isoformat(), referred_to=referred_to)
    return locked


# --- transition plans ---------------------------------------------------------------------------------------


def _transitions_team(by: User) -> Team:
    own = next(
        (m.team for m in by.memberships_cached if m.team.kind == TeamKind.TRANSITIONS and m.role != Role.PARTNER), None
    )
    if own is not None:
        return own
    found = Team.objects.filter(slug=YoungPeopleSettings.current().team_slug).first()
    if found is None:
        raise ApplicationError("No transitions team is set up to hold the plan")
    return found


def _open_plan(person_id: UUID, kind: str) -> Plan | None:
    return Plan.objects.filter(
        person_id=person_id, kind=kind, status__in=[PlanStatus.PLANNING, PlanStatus.READY]
    ).first()


@transaction.atomic
def plan_move_to_adult_services(*, young_person: YoungPerson, by: User, today: date | None = None) -> Plan:
    """Start the transition plan for the move to adult social care, for the 18th birthday (or today, if past)."""
    today = today or timezone.localdate()
    if _open_plan(young_person.person_id, PlanKind.CHILD_TO_ADULT) is not None:
        raise ApplicationError("A plan for the move to adult services is already open")
    born = young_person.person.date_of_birth
    eighteenth = milestones.add_years(born, milestones.ADULTHOOD) if born else today
    plan = transitions.create_plan(
        person=young_person.person,
        kind=PlanKind.CHILD_TO_ADULT,
        moving_from="Children's services",
        moving_to="Adult social care",
        planned_on=max(eighteenth, today),
        team=_transitions_team(by),
        coordinator=young_person.transitions_worker or by,
        by=by,
        source_label="Young people's tracker",
        today=today,
    )
    _record(by, "young_person.adult_plan_started", young_person, plan=plan.pk)
    return plan


@transaction.atomic
def plan_accommodation_move(*, young_person: YoungPerson, by: User, today: date | None = None) -> Plan:
    """Start a care leaver's transition plan for their next accommodation move, on the planned date."""
    today = today or timezone.localdate()
    if not young_person.is_care_leaver:
        raise ApplicationError("Only a care leaver's accommodation move is planned here")
    if young_person.planned_move_on is None or young_person.planned_move_on < today:
        raise ApplicationError("Record the date of the planned move first: today or later", field="planned_move_on")
    if _open_plan(young_person.person_id, PlanKind.CARE_LEAVER) is not None:
        raise ApplicationError("A plan for this care leaver's move is already open")
    plan = transitions.create_plan(
        person=young_person.person,
        kind=PlanKind.CARE_LEAVER,
        moving_from=f"Current accommodation ({young_person.get_accommodation_status_display().lower()})",
        moving_to="Next accommodation (to be confirmed)"
        if not young_person.has_settled_accommodation
        else "Next accommodation (secured)",
        planned_on=young_person.planned_move_on,
        team=_transitions_team(by),
        coordinator=young_person.transitions_worker or by,
        by=by,
        source_label="Care leavers",
        today=today,
    )
    _record(by, "young_person.move_plan_started", young_person, plan=plan.pk)
    return plan
