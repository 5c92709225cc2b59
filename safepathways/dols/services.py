"""DoLS requests from receipt to decision and end, best interests assessors, and Court of Protection cases.

Each function is one transaction: validate, write, record the status row, the chronology entry and
the audit event (ADR-005). Dates are checked in order and refused with a message naming the field.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Membership, Organisation, Team, User
from safepathways.audit import services as audit
from safepathways.core.errors import ApplicationError
from safepathways.core.services import reserve_numbers
from safepathways.dols import clocks, rules
from safepathways.dols.models import (
    ALLOWED_TRANSITIONS,
    COURT_TRANSITIONS,
    IN_FORCE_STATUSES,
    MET_OUTCOMES,
    PRIORITY_RANK,
    Assessment,
    Authorisation,
    Consultation,
    Copdol11Item,
    CourtCase,
    CourtRoute,
    CourtSetting,
    CourtStatusName,
    DolsRequest,
    DolsSettings,
    NotGrantedReason,
    Oversight,
    PriorityLevel,
    RequestStatusName,
    RequestType,
    Requirement,
    RequirementOutcome,
    ScreeningCriterion,
)
from safepathways.people.codes import AlertKind
from safepathways.people.models import Alert, Person
from safepathways.people.services import add_to_chronology, raise_alert
from safepathways.providers.codes import LocationType
from safepathways.providers.models import Location
from safepathways.work import services as work_services
from safepathways.work.models import WorkItem, WorkKind

# DoLS apply only in care homes and hospitals (MCA 2005 Sch A1 para 1); elsewhere the Court of Protection.
DOLS_LOCATION_TYPES = frozenset({LocationType.CARE_HOME, LocationType.CARE_HOME_NURSING, LocationType.HOSPITAL})
# Form 3 (BIA) covers these; Form 4 (mental health assessor) covers mental health and eligibility.
BIA_REQUIREMENTS = (Requirement.AGE, Requirement.NO_REFUSALS, Requirement.MENTAL_CAPACITY, Requirement.BEST_INTERESTS)
CHRONOLOGY = "dols"


def dols_settings() -> DolsSettings:
    """The one settings row (seeded by migration 0002; recreated with defaults if deleted)."""
    settings_row, _ = DolsSettings.objects.get_or_create(id=1)
    return settings_row


def _link(dols_request: DolsRequest) -> str:
    return reverse("dols:detail", args=[dols_request.pk])


def _required(value: str, message: str, field_name: str) -> str:
    if not value.strip():
        raise ApplicationError(message, field=field_name)
    return value.strip()


def _not_future(day: date, label: str, field_name: str) -> None:
    if day > timezone.localdate():
        raise ApplicationError(f"{label} must be today or in the past", field=field_name)


def _move(dols_request: DolsRequest, to: str, *, by: User | None, reason: str = "") -> None:
    """Check the declared transition table, then write the status row and the mirror column."""
    if to not in ALLOWED_TRANSITIONS[dols_request.status]:
        raise ApplicationError(
            f"A request that is {RequestStatusName(dols_request.status).label.lower()} cannot become "
            f"{RequestStatusName(to).label.lower()}"
        )
    dols_request.status = to
    dols_request.save(update_fields=["status", "updated_at"])
    dols_request.statuses.create(name=to, reason=reason, created_by=by)


def _lock(dols_request: DolsRequest) -> DolsRequest:
    # Only the row itself is locked and read: nullable relations are not joined (PostgreSQL refuses
    # FOR UPDATE on the nullable side of an outer join).
    return DolsRequest.objects.select_for_update(of=("self",)).get(pk=dols_request.pk)


def _require_decider(by: User) -> None:
    """Rule 16: signing off and authorising a deprivation of liberty are checked again here, not only in views."""
    if not by.has_perm(rules.DECIDE):
        raise ApplicationError("Only a DoLS lead can sign off or authorise")


def _record(by: User | None, action: str, dols_request: DolsRequest, **snapshot: object) -> None:
    audit.record(actor=by, action=action, target=dols_request, person_id=dols_request.person_id, snapshot=snapshot)


def _story(dols_request: DolsRequest, summary: str, by: User | None, detail: str = "") -> None:
    add_to_chronology(
        person=dols_request.person,
        category=CHRONOLOGY,
        summary=f"DoLS {dols_request.reference}: {summary}",
        by=by,
        detail=detail,
        link=_link(dols_request),
    )


# --- screening ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Screening:
    priority: str
    score: int
    reasons: list[str]


def screen_priority(codes: Sequence[str]) -> Screening:
    """High, medium or low from the checklist: the highest level ticked, with every reason kept.

    With nothing ticked the request is medium: the managing authority's information does not show it is low.
    """
    criteria = {c.code: c for c in ScreeningCriterion.objects.filter(code__in=list(codes), is_active=True)}
    unknown = sorted(set(codes) - set(criteria))
    if unknown:
        raise ApplicationError(f"Unknown screening criteria: {', '.join(unknown)}", field="criteria")
    if not criteria:
        return Screening(PriorityLevel.MEDIUM, 0, ["No screening criteria ticked: medium until screened further"])
    ticked = sorted(criteria.values(), key=lambda c: (PRIORITY_RANK[PriorityLevel(c.level)], c.order))
    priority = ticked[0].level
    reasons = [f"{c.label} ({PriorityLevel(c.level).label.lower()})" for c in ticked]
    return Screening(str(priority), sum(c.weight for c in ticked), reasons)


# --- receiving a request ------------------------------------------------------------------------------------------


@dataclass
class RequestDetails:
    """What a managing authority tells the supervisory body (SI 2008/1858 reg 16)."""

    person: Person
    managing_authority: Location
    request_type: str
    received_on: date
    purpose: str = ""
    proposed_restrictions: str = ""
    sought_from: date | None = None
    contact_name: str = ""
    contact_phone: str = ""
    is_urgent: bool = False
    urgent_starts_on: date | None = None
    urgent_period_days: int | None = None
    renews: Authorisation | None = None
    criteria: list[str] = field(default_factory=list)


def _validate_details(details: RequestDetails, settings_row: DolsSettings) -> None:
    today = timezone.localdate()
    if details.request_type not in RequestType.values:
        raise ApplicationError("Choose the type of request", field="request_type")
    _not_future(details.received_on, "The date the request was received", "received_on")
    if details.managing_authority.location_type not in DOLS_LOCATION_TYPES:
        raise ApplicationError(
            "DoLS apply only in care homes and hospitals: open a Court of Protection case for this setting",
            field="managing_authority",
        )
    age = details.person.age_on(details.received_on)
    if age is not None and age < 18:
        raise ApplicationError(
            "DoLS apply only to people aged 18 or over: open a Court of Protection case for a 16 or 17 year old",
            field="person",
        )
    if details.is_urgent or details.request_type == RequestType.URGENT:
        if details.urgent_starts_on is None:
            raise ApplicationError("Enter the date the urgent authorisation started", field="urgent_starts_on")
        if details.urgent_starts_on > today:
            raise ApplicationError(
                "The urgent authorisation start must be today or in the past", field="urgent_starts_on"
            )
        if details.urgent_starts_on > details.received_on:
            raise ApplicationError(
                "The urgent authorisation must start on or before the day the request was received",
                field="urgent_starts_on",
            )
        period = details.urgent_period_days or clocks.URGENT_MAX_DAYS
        if not 1 <= period <= clocks.URGENT_MAX_DAYS:
            raise ApplicationError("An urgent authorisation lasts from 1 to 7 days", field="urgent_period_days")
        details.is_urgent, details.urgent_period_days = True, period
    if details.sought_from and details.sought_from < details.received_on - timedelta(days=clocks.URGENT_MAX_DAYS):
        raise ApplicationError("The date sought from is too long before the request", field="sought_from")
    if details.request_type == RequestType.FURTHER:
        if details.renews is None:
            raise ApplicationError("Choose the authorisation this request renews", field="renews")
        if details.renews.request.person_id != details.person.pk:
            raise ApplicationError("That authorisation is for someone else", field="renews")
        # A further request renews a DoLS still in force (the return's "current DoLS coming to an end",
        # domain-reference §1.4); once it has ended, the managing authority makes a new request.
        renewed_status = DolsRequest.objects.filter(pk=details.renews.request_id).values_list("status", flat=True)
        if renewed_status.first() not in IN_FORCE_STATUSES:
            raise ApplicationError(
                "That authorisation has ended: make a new request for a standard authorisation", field="renews"
            )
        opens = details.renews.renewal_opens(settings_row.renewal_window_days)
        if details.received_on < opens:
            raise ApplicationError(
                f"A further request can be made from {opens:%d %B %Y}, "
                f"{settings_row.renewal_window_days} days before the current authorisation ends",
                field="received_on",
            )


def dols_team(settings_row: DolsSettings | None = None) -> Team:
    """The DoLS team named in the settings (borough slug "dols")."""
    settings_row = settings_row or dols_settings()
    team = Team.objects.filter(slug=settings_row.team_slug).first()
    if team is None:
        raise ApplicationError(f"There is no DoLS team with the slug {settings_row.team_slug!r}", field="team")
    return team


@transaction.atomic
def create_request(
    *,
    details: RequestDetails,
    by: User,
    team: Team | None = None,
    work_item: WorkItem | None = None,
    submitted_by_organisation: Organisation | None = None,
) -> DolsRequest:
    """Receive a request: its clocks from the dates given, its six assessments, and its work for a team.

    `work_item` is a DoLS work item the front door already opened: the request takes it over, with its story.
    """
    settings_row = dols_settings()
    _validate_details(details, settings_row)
    screening = screen_priority(details.criteria) if details.criteria else None
    urgent_expires_on = (
        clocks.urgent_expires(details.urgent_starts_on, details.urgent_period_days or clocks.URGENT_MAX_DAYS)
        if details.is_urgent and details.urgent_starts_on
        else None
    )
    due = clocks.assessments_due(details.received_on, urgent_expires_on)
    title = f"DoLS request: {RequestType(details.request_type).label}"
    from_front_door = work_item is not None
    if work_item is not None:
        work_item = WorkItem.objects.select_for_update(of=("self",)).get(pk=work_item.pk)
        if work_item.kind != WorkKind.DOLS or work_item.closed_at is not None:
            raise ApplicationError("Only open DoLS work can become a DoLS request", field="work_item")
        if DolsRequest.objects.filter(work_item=work_item).exists():
            raise ApplicationError("A DoLS request has already been made from this work", field="work_item")
        if work_item.person_id != details.person.pk:
            raise ApplicationError("That work is for someone else", field="work_item")
        work_item.due_on = due
        work_item.save(update_fields=["due_on", "updated_at"])
    else:
        work_item = work_services.open_work(
            person=details.person,
            kind=WorkKind.DOLS,
            team=team or dols_team(settings_row),
            title=title,
            by=by,
            story=details.purpose,
            due_on=due,
        )
    dols_request = DolsRequest(
        reference=f"DL{reserve_numbers('dols_reference')[0]:07d}",
        person=details.person,
        managing_authority=details.managing_authority,
        submitted_by_organisation=submitted_by_organisation,
        work_item=work_item,
        request_type=details.request_type,
        person_index=DolsRequest.objects.filter(person=details.person).count() + 1,
        received_on=details.received_on,
        purpose=details.purpose.strip(),
        proposed_restrictions=details.proposed_restrictions.strip(),
        sought_from=details.sought_from,
        contact_name=details.contact_name.strip(),
        contact_phone=details.contact_phone.strip(),
        is_urgent=details.is_urgent,
        urgent_starts_on=details.urgent_starts_on if details.is_urgent else None,
        urgent_period_days=details.urgent_period_days if details.is_urgent else None,
        urgent_expires_on=urgent_expires_on,
        assessments_due_on=due,
        renews=details.renews,
    )
    if screening:
        dols_request.priority = screening.priority
        dols_request.priority_score = screening.score
        dols_request.priority_reasons = screening.reasons
        dols_request.screening_criteria = list(details.criteria)
    dols_request.full_clean(exclude=["work_item"])
    dols_request.save()
    Assessment.objects.bulk_create([Assessment(request=dols_request, requirement=r) for r in Requirement.values])
    dols_request.statuses.create(
        name=RequestStatusName.RECEIVED, reason=f"From {details.managing_authority.name}", created_by=by
    )
    _story(
        dols_request,
        f"{RequestType(details.request_type).label} received from {details.managing_authority.name}; "
        f"assessments due {due:%d %B %Y}",
        by,
    )
    _record(
        by,
        "dols.request_received",
        dols_request,
        request_type=details.request_type,
        is_urgent=details.is_urgent,
        due=due.isoformat(),
        from_front_door=from_front_door,
    )
    return dols_request


@transaction.atomic
def screen_request(*, dols_request: DolsRequest, criteria: Sequence[str], by: User, note: str = "") -> DolsRequest:
    """Give the request its priority from the checklist, with the reasons; re-screening keeps the history."""
    locked = _lock(dols_request)
    screening = screen_priority(criteria)
    locked.priority, locked.priority_score = screening.priority, screening.score
    locked.priority_reasons, locked.screening_criteria = screening.reasons, list(criteria)
    locked.save(update_fields=["priority", "priority_score", "priority_reasons", "screening_criteria", "updated_at"])
    reason = f"Priority {screening.priority}: " + "; ".join(screening.reasons)
    if locked.status == RequestStatusName.RECEIVED:
        _move(locked, RequestStatusName.SCREENED, by=by, reason=reason)
    elif locked.is_waiting:
        locked.statuses.create(name=locked.status, reason=f"Re-screened. {reason}", created_by=by)
    else:
        raise ApplicationError("Only a request waiting for a decision can be screened")
    _story(locked, f"screened: {screening.priority} priority", by, detail=note)
    _record(by, "dols.screened", locked, priority=screening.priority, criteria=",".join(criteria))
    return locked


# --- oversight, allocation and assessments -----------------------------------------------------------------------


@transaction.atomic
def record_oversight(
    *, dols_request: DolsRequest, discussed_with: str, discussed_on: date, decision: str, by: User
) -> Oversight:
    """Record a discussion with the line manager or the DoLS team, and what was decided."""
    _not_future(discussed_on, "The date discussed", "discussed_on")
    if discussed_on < dols_request.received_on:
        raise ApplicationError("The discussion cannot be before the request was received", field="discussed_on")
    oversight = Oversight(
        request=dols_request,
        discussed_with=discussed_with,
        discussed_on=discussed_on,
        decision=_required(decision, "Enter what was decided", "decision"),
        by=by,
    )
    oversight.full_clean()
    oversight.save()
    _story(dols_request, f"discussed with the {oversight.get_discussed_with_display().lower()}", by, decision)
    _record(by, "dols.oversight_recorded", dols_request, discussed_with=discussed_with, decision=decision)
    return oversight


@dataclass(frozen=True)
class AssessorLoad:
    """A best interests assessor on the roster with this month's load against capacity."""

    assessor_id: object
    user_id: int
    name: str
    current_until: date
    is_current: bool
    monthly_capacity: int
    open_assessments: int
    covers_area: bool

    @property
    def spare(self) -> int:
        return self.monthly_capacity - self.open_assessments


@transaction.atomic
def allocate_request(*, dols_request: DolsRequest, assessor: User, by: User, reason: str = "") -> DolsRequest:
    """Give the best interests assessment (Form 3: age, no refusals, capacity, best interests) to a trained BIA."""
    locked = _lock(dols_request)
    today = timezone.localdate()
    profile = getattr(assessor, "bia_profile", None)
    if profile is None or not profile.is_current(today):
        raise ApplicationError(
            f"{assessor.full_name} is not a best interests assessor with current training", field="assessor"
        )
    if locked.status == RequestStatusName.RECEIVED:
        raise ApplicationError("Screen the request before allocating it", field="assessor")
    Assessment.objects.filter(request=locked, requirement__in=BIA_REQUIREMENTS, completed_on__isnull=True).update(
        assessor=assessor, assigned_on=today, updated_at=timezone.now()
    )
    if locked.status == RequestStatusName.SCREENED:
        _move(locked, RequestStatusName.ALLOCATED, by=by, reason=reason or f"Allocated to {assessor.full_name}")
    elif not locked.is_waiting or locked.status == RequestStatusName.SIGNED_OFF:
        raise ApplicationError("This request is no longer waiting for assessment", field="assessor")
    _story(locked, f"allocated to best interests assessor {assessor.full_name}", by, reason)
    _record(by, "dols.allocated", locked, assessor=assessor.pk)
    # The request's work goes onto the assessor's caseload too (and off the DoLS team's duty view), when the
    # assessor is in the team that owns it; an assessor from elsewhere is recorded on the assessments only.
    item = locked.work_item
    if item.allocated_to_id != assessor.pk and Membership.objects.filter(user=assessor, team_id=item.team_id).exists():
        work_services.allocate(
            work_item=item,
            to_user=assessor,
            by=by,
            expected_owner_id=item.allocated_to_id,
            reason=reason or f"Best interests assessment of DoLS request {locked.reference}",
            over_cap_reason="Allocated by the DoLS lead with the best interests assessment",
        )
    return locked


@transaction.atomic
def assign_assessor(
    *, assessment: Assessment, assessor_name: str, by: User, assessor: User | None = None
) -> Assessment:
    """Name who carries out one assessment (e.g. the s12 doctor for mental health and eligibility)."""
    locked = _lock(assessment.request)
    if not locked.is_waiting or locked.status == RequestStatusName.SIGNED_OFF:
        raise ApplicationError("This request is no longer waiting for assessment", field="assessor_name")
    if assessor is None and not assessor_name.strip():
        raise ApplicationError("Enter who will carry out the assessment", field="assessor_name")
    assessment.assessor = assessor
    assessment.assessor_name = assessor_name.strip()
    assessment.assigned_on = timezone.localdate()
    assessment.save(update_fields=["assessor", "assessor_name", "assigned_on", "updated_at"])
    _record(by, "dols.assessor_assigned", locked, requirement=assessment.requirement)
    return assessment


@transaction.atomic
def record_assessment(
    *, assessment: Assessment, outcome: int, completed_on: date, by: User, notes: str = ""
) -> Assessment:
    """Record the outcome code of one assessment; the request moves to assessing."""
    locked = _lock(assessment.request)
    if locked.status not in (RequestStatusName.ALLOCATED, RequestStatusName.ASSESSING):
        raise ApplicationError("Allocate the request before recording assessments", field="outcome")
    if outcome not in RequirementOutcome.values or outcome == RequirementOutcome.NOT_ASSESSED:
        raise ApplicationError("Choose the outcome of the assessment", field="outcome")
    _not_future(completed_on, "The date of the assessment", "completed_on")
    if completed_on < locked.received_on:
        raise ApplicationError(
            f"The assessment cannot be before the request was received on {locked.received_on:%d %B %Y}",
            field="completed_on",
        )
    assessment.outcome = outcome
    assessment.completed_on = completed_on
    assessment.notes = notes.strip()
    if assessment.assessor_id is None and not assessment.assessor_name:
        assessment.assessor = by
    assessment.full_clean()
    assessment.save()
    if locked.status == RequestStatusName.ALLOCATED:
        _move(locked, RequestStatusName.ASSESSING, by=by, reason="First assessment recorded")
    label = RequirementOutcome(outcome).label
    _story(locked, f"{assessment.get_requirement_display()} assessment: {label}", by)
    _record(by, "dols.assessment_recorded", locked, requirement=assessment.requirement, outcome=outcome)
    return assessment


@transaction.atomic
def sign_off(*, dols_request: DolsRequest, signed_off_on: date, by: User) -> DolsRequest:
    """The signatory signs off the assessments; every requirement is assessed, or one is not met."""
    _require_decider(by)
    locked = _lock(dols_request)
    assessments = list(locked.assessments.all())
    outcomes = [a.outcome for a in assessments]
    if RequirementOutcome.NOT_SATISFIED not in outcomes and RequirementOutcome.NOT_ASSESSED in outcomes:
        missing = ", ".join(a.get_requirement_display() for a in assessments if a.outcome == 0)
        raise ApplicationError(
            f"Record every assessment before sign-off. Still to do: {missing}", field="signed_off_on"
        )
    _not_future(signed_off_on, "The sign-off date", "signed_off_on")
    last = max((a.completed_on for a in assessments if a.completed_on), default=locked.received_on)
    if signed_off_on < last:
        raise ApplicationError(
            f"Sign-off cannot be before the last assessment on {last:%d %B %Y}", field="signed_off_on"
        )
    locked.signed_off_on, locked.signed_off_by = signed_off_on, by
    locked.save(update_fields=["signed_off_on", "signed_off_by", "updated_at"])
    _move(locked, RequestStatusName.SIGNED_OFF, by=by)
    _story(locked, "assessments signed off", by)
    _record(by, "dols.signed_off", locked, signed_off_on=signed_off_on.isoformat())
    return locked


# --- decisions ---------------------------------------------------------------------------------------------------


@dataclass
class AuthorisationTerms:
    starts_on: date
    ends_on: date
    representative_name: str
    conditions: str = ""
    representative_relationship: str = ""
    representative_is_paid: bool = False


@transaction.atomic
def grant_authorisation(*, dols_request: DolsRequest, terms: AuthorisationTerms, by: User) -> Authorisation:
    """Grant a standard authorisation of at most 12 months; the person's record shows the DoLS alert."""
    _require_decider(by)
    locked = _lock(dols_request)
    if locked.status != RequestStatusName.SIGNED_OFF:
        raise ApplicationError("Sign off the assessments before deciding", field="starts_on")
    unmet = [a.get_requirement_display() for a in locked.assessments.all() if a.outcome not in MET_OUTCOMES]
    if unmet:
        raise ApplicationError(
            f"An authorisation needs all six requirements met. Not met: {', '.join(unmet)}", field="starts_on"
        )
    if terms.starts_on < locked.received_on:
        raise ApplicationError("The authorisation cannot start before the request was received", field="starts_on")
    if terms.ends_on < terms.starts_on:
        raise ApplicationError("The authorisation must end on or after the day it starts", field="ends_on")
    latest = clocks.authorisation_latest_end(terms.starts_on)
    if terms.ends_on > latest:
        raise ApplicationError(
            f"An authorisation lasts at most 12 months: from {terms.starts_on:%d %B %Y} it must end by "
            f"{latest:%d %B %Y}",
            field="ends_on",
        )
    settings_row = dols_settings()
    conditions = terms.conditions.strip()
    authorisation = Authorisation(
        request=locked,
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
        conditions=conditions,
        conditions_review_on=(
            terms.starts_on + timedelta(days=settings_row.conditions_review_days) if conditions else None
        ),
        representative_name=_required(
            terms.representative_name, "Enter the relevant person's representative", "representative_name"
        ),
        representative_relationship=terms.representative_relationship.strip(),
        representative_is_paid=terms.representative_is_paid,
        granted_by=by,
    )
    authorisation.full_clean()
    authorisation.save()
    locked.closed_on = None
    _move(locked, RequestStatusName.GRANTED, by=by, reason=f"{terms.starts_on} to {terms.ends_on}")
    raise_alert(
        person=locked.person,
        by=by,
        kind=AlertKind.DOLS_IN_PLACE,
        reason=f"Standard authorisation {locked.reference} until {terms.ends_on:%d %B %Y}"
        + (" with conditions" if conditions else ""),
        owner=by,
        review_on=max(terms.ends_on, timezone.localdate()),
    )
    _story(locked, f"standard authorisation granted, {terms.starts_on:%d %B %Y} to {terms.ends_on:%d %B %Y}", by)
    _record(by, "dols.granted", locked, starts_on=terms.starts_on.isoformat(), ends_on=terms.ends_on.isoformat())
    return authorisation


def _close(locked: DolsRequest, *, to: str, by: User, reason: str, closed_on: date) -> None:
    locked.closed_on = closed_on
    locked.save(update_fields=["closed_on", "updated_at"])
    _move(locked, to, by=by, reason=reason)
    work_item = locked.work_item
    if work_item.closed_at is None:
        work_services.close_work(work_item=work_item, by=by, outcome=f"DoLS {RequestStatusName(to).label.lower()}")


@transaction.atomic
def refuse_authorisation(*, dols_request: DolsRequest, reason: str, detail: str, by: User) -> DolsRequest:
    """Not granted: after sign-off, or closed early (died, change of circumstances, closed without assessment)."""
    locked = _lock(dols_request)
    if reason not in NotGrantedReason.values:
        raise ApplicationError("Choose why the authorisation is not granted", field="reason")
    locked.not_granted_reason, locked.not_granted_detail = reason, detail.strip()
    label = NotGrantedReason(reason).label
    _close(locked, to=RequestStatusName.NOT_GRANTED, by=by, reason=label, closed_on=timezone.localdate())
    _story(locked, f"not granted: {label}", by, detail)
    _record(by, "dols.not_granted", locked, reason=reason)
    return locked


@transaction.atomic
def withdraw_request(*, dols_request: DolsRequest, reason: str, by: User) -> DolsRequest:
    locked = _lock(dols_request)
    why = _required(reason, "Enter why the request is withdrawn", "reason")
    _close(locked, to=RequestStatusName.WITHDRAWN, by=by, reason=why, closed_on=timezone.localdate())
    _story(locked, "withdrawn", by, why)
    _record(by, "dols.withdrawn", locked, reason=why)
    return locked


@transaction.atomic
def extend_urgent(*, dols_request: DolsRequest, days: int, reason: str, by: User) -> DolsRequest:
    """Sch A1 paras 84-86: extend an urgent authorisation once, by up to 7 days, while it is still in force."""
    locked = _lock(dols_request)
    if not locked.is_urgent or locked.urgent_expires_on is None:
        raise ApplicationError("Only an urgent authorisation can be extended", field="days")
    if locked.urgent_extension_days:
        raise ApplicationError("An urgent authorisation can be extended only once", field="days")
    if not locked.is_waiting:
        raise ApplicationError("This request has been decided", field="days")
    if timezone.localdate() > locked.urgent_expires_on:
        raise ApplicationError(
            f"The urgent authorisation ended on {locked.urgent_expires_on:%d %B %Y} and cannot be extended",
            field="days",
        )
    if not 1 <= days <= clocks.URGENT_EXTENSION_MAX_DAYS:
        raise ApplicationError("An extension is from 1 to 7 days", field="days")
    why = _required(reason, "Enter why the extension is needed", "reason")
    if locked.urgent_starts_on is None or locked.urgent_period_days is None:  # pragma: no cover - constraint
        raise ApplicationError("The urgent authorisation has no start date", field="days")
    locked.urgent_extension_days, locked.urgent_extension_reason = days, why
    locked.urgent_expires_on = clocks.urgent_expires(locked.urgent_starts_on, locked.urgent_period_days, days)
    locked.assessments_due_on = clocks.assessments_due(locked.received_on, locked.urgent_expires_on)
    locked.save(
        update_fields=[
            "urgent_extension_days",
            "urgent_extension_reason",
            "urgent_expires_on",
            "assessments_due_on",
            "updated_at",
        ]
    )
    WorkItem.objects.filter(pk=locked.work_item_id).update(due_on=locked.assessments_due_on)
    locked.statuses.create(name=locked.status, reason=f"Urgent authorisation extended by {days} days", created_by=by)
    _story(locked, f"urgent authorisation extended to {locked.urgent_expires_on:%d %B %Y}", by, why)
    _record(by, "dols.urgent_extended", locked, days=days, reason=why)
    return locked


def _authorisation(locked: DolsRequest) -> Authorisation:
    authorisation = Authorisation.objects.select_for_update().filter(request=locked).first()
    if authorisation is None:
        raise ApplicationError("This request has no authorisation")
    return authorisation


@transaction.atomic
def suspend_authorisation(*, dols_request: DolsRequest, suspended_on: date, reason: str, by: User) -> Authorisation:
    """Suspend (e.g. the person is in hospital) for up to 28 days; after that it must be terminated."""
    locked = _lock(dols_request)
    authorisation = _authorisation(locked)
    why = _required(reason, "Enter why the authorisation is suspended", "reason")
    _not_future(suspended_on, "The suspension date", "suspended_on")
    if suspended_on < authorisation.starts_on:
        raise ApplicationError("The suspension cannot be before the authorisation started", field="suspended_on")
    authorisation.suspended_on = suspended_on
    authorisation.save(update_fields=["suspended_on", "updated_at"])
    _move(locked, RequestStatusName.SUSPENDED, by=by, reason=why)
    _story(locked, f"authorisation suspended; terminate by {clocks.suspension_ends(suspended_on):%d %B %Y}", by, why)
    _record(by, "dols.suspended", locked, suspended_on=suspended_on.isoformat(), reason=why)
    return authorisation


@transaction.atomic
def reinstate_authorisation(*, dols_request: DolsRequest, by: User) -> Authorisation:
    locked = _lock(dols_request)
    authorisation = _authorisation(locked)
    ends = authorisation.suspension_ends
    if ends is not None and timezone.localdate() > ends:
        raise ApplicationError(f"The suspension ran out on {ends:%d %B %Y}: terminate the authorisation instead")
    authorisation.suspended_on = None
    authorisation.save(update_fields=["suspended_on", "updated_at"])
    _move(locked, RequestStatusName.REINSTATED, by=by)
    _story(locked, "authorisation reinstated", by)
    _record(by, "dols.reinstated", locked)
    return authorisation


def _end_authorisation(locked: DolsRequest, *, to: str, ended_on: date, reason: str, by: User | None) -> None:
    authorisation = _authorisation(locked)
    authorisation.ended_on = ended_on
    authorisation.save(update_fields=["ended_on", "updated_at"])
    locked.closed_on = ended_on
    locked.save(update_fields=["closed_on", "updated_at"])
    _move(locked, to, by=by, reason=reason)
    work_item = locked.work_item
    if work_item.closed_at is None:
        WorkItem.objects.filter(pk=work_item.pk).update(
            closed_at=timezone.now(), outcome=f"DoLS authorisation {RequestStatusName(to).label.lower()}"
        )
    # The alert that told everyone an authorisation is in place ends with it.
    ended = Alert.objects.active().filter(
        person_id=locked.person_id, kind=AlertKind.DOLS_IN_PLACE, reason__contains=locked.reference
    )
    if ended.update(
        ended_at=timezone.now(),
        ended_by=by,
        end_reason=f"Authorisation {locked.reference} {RequestStatusName(to).label.lower()}",
        updated_at=timezone.now(),
    ):
        add_to_chronology(
            person=locked.person,
            category="alerts",
            summary=f"Alert ended: DoLS authorisation {locked.reference} {RequestStatusName(to).label.lower()}",
            by=by,
        )


@transaction.atomic
def terminate_authorisation(*, dols_request: DolsRequest, ended_on: date, reason: str, by: User) -> DolsRequest:
    locked = _lock(dols_request)
    why = _required(reason, "Enter why the authorisation ends", "reason")
    _not_future(ended_on, "The date it ended", "ended_on")
    _end_authorisation(locked, to=RequestStatusName.TERMINATED, ended_on=ended_on, reason=why, by=by)
    _story(locked, "authorisation terminated", by, why)
    _record(by, "dols.terminated", locked, reason=why)
    return locked


@dataclass(frozen=True)
class SweepResult:
    expired: int
    terminated: int


@transaction.atomic
def sweep_authorisations(*, today: date | None = None) -> SweepResult:
    """Daily and idempotent: expire authorisations past their end; terminate suspensions past 28 days."""
    today = today or timezone.localdate()
    expired = terminated = 0
    for dols_request in (
        DolsRequest.objects.in_force().filter(authorisation__ends_on__lt=today).select_for_update(of=("self",))
    ):
        if dols_request.status == RequestStatusName.SUSPENDED:
            continue
        ends_on = Authorisation.objects.get(request=dols_request).ends_on
        _end_authorisation(dols_request, to=RequestStatusName.EXPIRED, ended_on=ends_on, reason="Ran out", by=None)
        _story(dols_request, "authorisation expired", None)
        audit.record(
            actor=None,
            action="dols.expired",
            target=dols_request,
            person_id=dols_request.person_id,
            actor_label="dols sweep",
        )
        expired += 1
    cutoff = today - timedelta(days=clocks.SUSPENSION_MAX_DAYS)
    for dols_request in DolsRequest.objects.filter(
        status=RequestStatusName.SUSPENDED, authorisation__suspended_on__lt=cutoff
    ).select_for_update(of=("self",)):
        _end_authorisation(
            dols_request,
            to=RequestStatusName.TERMINATED,
            ended_on=today,
            reason="Suspended for more than 28 days",
            by=None,
        )
        _story(dols_request, "authorisation terminated after 28 days' suspension", None)
        audit.record(
            actor=None,
            action="dols.terminated",
            target=dols_request,
            person_id=dols_request.person_id,
            actor_label="dols sweep",
        )
        terminated += 1
    return SweepResult(expired=expired, terminated=terminated)


# --- Court of Protection -------------------------------------------------------------------------------------------


def _court_move(court_case: CourtCase, to: str) -> None:
    if to not in COURT_TRANSITIONS[court_case.status]:
        raise ApplicationError(
            f"A case that is {CourtStatusName(court_case.status).label.lower()} cannot become "
            f"{CourtStatusName(to).label.lower()}"
        )
    court_case.status = to


def _court_story(court_case: CourtCase, summary: str, by: User, detail: str = "") -> None:
    add_to_chronology(
        person=court_case.person,
        category=CHRONOLOGY,
        summary=f"Court of Protection {court_case.reference}: {summary}",
        by=by,
        detail=detail,
        link=reverse("dols:court_case", args=[court_case.pk]),
    )


@transaction.atomic
def open_court_case(*, person: Person, setting: str, route: str, restrictions: str, by: User, team: Team) -> CourtCase:
    """Start preparing an application to the Court of Protection for a community deprivation of liberty."""
    if setting not in CourtSetting.values:
        raise ApplicationError("Choose where the person lives", field="setting")
    if route not in CourtRoute.values:
        raise ApplicationError("Choose the court route", field="route")
    age = person.age_on(timezone.localdate())
    if age is not None and age < 16:
        raise ApplicationError("The Court of Protection can authorise this only from age 16", field="person")
    court_case = CourtCase(
        reference=f"CP{reserve_numbers('court_case_reference')[0]:07d}",
        person=person,
        setting=setting,
        route=route,
        restrictions=_required(restrictions, "Describe the restrictions", "restrictions"),
        work_item=work_services.open_work(
            person=person, kind=WorkKind.DOLS, team=team, title="Community DoL: Court of Protection", by=by
        ),
    )
    court_case.full_clean(exclude=["work_item"])
    court_case.save()
    _court_story(court_case, "application being prepared", by)
    audit.record(actor=by, action="dols.court_case_opened", target=court_case, person_id=person.pk)
    return court_case


@transaction.atomic
def update_checklist(*, court_case: CourtCase, done: Sequence[str], by: User) -> CourtCase:
    unknown = set(done) - set(Copdol11Item.values)
    if unknown:
        raise ApplicationError("Choose items from the checklist", field="done")
    if court_case.status != CourtStatusName.PREPARING:
        raise ApplicationError("The application has been submitted", field="done")
    court_case.checklist = [item for item in Copdol11Item.values if item in done]
    court_case.save(update_fields=["checklist", "updated_at"])
    audit.record(
        actor=by,
        action="dols.court_checklist",
        target=court_case,
        person_id=court_case.person_id,
        snapshot={"done": len(court_case.checklist)},
    )
    return court_case


@transaction.atomic
def record_consultation(
    *, court_case: CourtCase, name: str, relationship: str, consulted_on: date, views: str, objects: bool, by: User
) -> Consultation:
    _not_future(consulted_on, "The date consulted", "consulted_on")
    consultation = Consultation(
        court_case=court_case,
        name=_required(name, "Enter who was consulted", "name"),
        relationship=_required(relationship, "Enter their relationship to the person", "relationship"),
        consulted_on=consulted_on,
        views=_required(views, "Enter their views", "views"),
        objects_to_application=objects,
        by=by,
    )
    consultation.save()
    _court_story(court_case, f"{consultation.name} consulted" + (" (objects)" if objects else ""), by)
    audit.record(actor=by, action="dols.court_consultation", target=court_case, person_id=court_case.person_id)
    return consultation


@transaction.atomic
def submit_court_application(*, court_case: CourtCase, submitted_on: date, by: User) -> CourtCase:
    """Send COPDOL11: every checklist item done; under Re X, nobody consulted objects."""
    missing = [Copdol11Item(item).label for item in Copdol11Item.values if item not in court_case.checklist]
    if missing:
        raise ApplicationError(f"Complete the checklist first: {'; '.join(missing)}", field="submitted_on")
    consultations = list(court_case.consultations.all())
    if not consultations:
        raise ApplicationError("Record the consultation of the person and relevant people", field="submitted_on")
    if court_case.route == CourtRoute.RE_X and any(c.objects_to_application for c in consultations):
        raise ApplicationError(
            "Someone consulted objects: the streamlined Re X procedure is not suitable. Choose a full hearing.",
            field="submitted_on",
        )
    _not_future(submitted_on, "The date submitted", "submitted_on")
    if submitted_on < max(c.consulted_on for c in consultations):
        raise ApplicationError("The application cannot be submitted before the consultation", field="submitted_on")
    _court_move(court_case, CourtStatusName.SUBMITTED)
    court_case.submitted_on = submitted_on
    court_case.save(update_fields=["status", "submitted_on", "updated_at"])
    _court_story(court_case, "application submitted to the court", by)
    audit.record(actor=by, action="dols.court_submitted", target=court_case, person_id=court_case.person_id)
    return court_case


@transaction.atomic
def record_court_order(
    *, court_case: CourtCase, order_made_on: date, review_months: int, court_reference: str, by: User
) -> CourtCase:
    """Record the order (or a review of it): the next review is due at least annually, with a reminder first."""
    _not_future(order_made_on, "The date of the order", "order_made_on")
    if court_case.submitted_on and order_made_on < court_case.submitted_on:
        raise ApplicationError("The order cannot be before the application was submitted", field="order_made_on")
    if not 1 <= review_months <= clocks.COURT_REVIEW_MAX_MONTHS:
        raise ApplicationError("The review must be within 1 to 12 months", field="review_months")
    if court_case.status != CourtStatusName.ORDER_MADE:
        _court_move(court_case, CourtStatusName.ORDER_MADE)
    court_case.order_made_on = order_made_on
    court_case.review_months = review_months
    court_case.court_reference = court_reference.strip() or court_case.court_reference
    court_case.review_due_on = clocks.court_review_due(order_made_on, review_months)
    court_case.review_reminder_on = court_case.review_due_on - timedelta(days=dols_settings().court_reminder_days)
    court_case.save()
    WorkItem.objects.filter(pk=court_case.work_item_id).update(due_on=court_case.review_due_on)
    _court_story(court_case, f"order made; review due {court_case.review_due_on:%d %B %Y}", by)
    audit.record(actor=by, action="dols.court_order", target=court_case, person_id=court_case.person_id)
    return court_case
