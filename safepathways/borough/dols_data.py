"""Synthetic DoLS requests for the borough: the backlog waiting against the 21-day clock, and a year of decisions.

About one request waiting for a decision per 20 people (issue 4: about 10,000 at county scale, 200,000 people),
most of them past the statutory date, as in most councils' backlogs: received, screened with a priority and its
reasons, allocated to a best interests assessor (the borough's own, or an independent one named on the
assessments), assessing, signed off; some urgent, a few with the urgent authorisation extended, and further
requests for authorisations about to end. Beside them, for every 10 waiting: 4 authorisations in force (with
conditions, the relevant person's representative, a few suspended or reinstated; a third renewing one that
expired), 1 expired or terminated, and 2 requests closed without one (not granted, withdrawn).

The people are care home residents (a current service at a care home, which is the managing authority), aged
18 or over when the request arrived, and nothing happens before their placement started. Every date follows
from the one before it, and every due date comes from dols.clocks, as dols.services would record them; so do
the status rows (backdated: see borough.recorded), the work items of the DoLS team (open while a request waits
or an authorisation is in force, allocated when the team's own assessor takes it), the "DoLS in place" alert
while an authorisation runs and the person's chronology. Not written: an entry per assessment and audit events.

Bulk inserts only; the same rng and today give the same requests. Skipped if any request exists.
"""

import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from faker import Faker

from safepathways.accounts.models import Membership, Role, Team, User
from safepathways.borough.recorded import later_than, maker, work_dates, write
from safepathways.core.errors import ApplicationError
from safepathways.core.services import reserve_numbers
from safepathways.dols import clocks
from safepathways.dols import services as dols_services
from safepathways.dols.models import (
    Assessment,
    Authorisation,
    BestInterestsAssessor,
    DolsRequest,
    DolsRequestStatus,
    NotGrantedReason,
    Oversight,
    OversightBy,
    PriorityLevel,
    RequestStatusName,
    RequestType,
    Requirement,
    RequirementOutcome,
    ScreeningCriterion,
)
from safepathways.people.codes import AlertKind
from safepathways.people.models import Alert, ChronologyEntry, Neighbourhood, Person
from safepathways.providers.codes import LocationType
from safepathways.providers.models import Location, Service
from safepathways.work import services as work_services
from safepathways.work.models import Handoff, Triage, WorkItem, WorkKind

PEOPLE_PER_WAITING = 20  # 200,000 people: about 10,000 requests waiting for a decision
MINIMUM_WAITING = 12
# For every request waiting, how many of each other kind.
IN_FORCE_PER_WAITING = 0.4
EXPIRED_PER_WAITING = 0.06
TERMINATED_PER_WAITING = 0.04
NOT_GRANTED_PER_WAITING = 0.15
WITHDRAWN_PER_WAITING = 0.05
RENEWED_SHARE = 0.3  # in-force authorisations that renew one that expired
RENEWAL_REQUESTED_SHARE = 0.5  # authorisations in their renewal window with a further request received
CARE_HOMES = (LocationType.CARE_HOME, LocationType.CARE_HOME_NURSING)
ADULT = 18
CHRONOLOGY = "dols"
REQUIREMENTS = tuple(str(r) for r in Requirement.values)
BIA_REQUIREMENTS = tuple(str(r) for r in dols_services.BIA_REQUIREMENTS)
DOCTOR_REQUIREMENTS = (str(Requirement.MENTAL_HEALTH), str(Requirement.ELIGIBILITY))
# Checklist ticks (dols migration 0002) by the level they give; dols.services.screen_priority turns them into
# the priority, score and reasons.
CRITERIA_BY_LEVEL = {
    PriorityLevel.HIGH: [
        ["person_objects"],
        ["family_objects"],
        ["restraint_or_covert_medication"],
        ["new_placement"],
        ["person_objects", "contact_restricted"],
        ["restraint_or_covert_medication", "change_in_restrictions"],
    ],
    PriorityLevel.MEDIUM: [
        ["contact_restricted"],
        ["change_in_restrictions"],
        ["contact_restricted", "change_in_restrictions"],
    ],
    PriorityLevel.LOW: [["settled_no_objection"], ["end_of_life"], ["settled_no_objection", "end_of_life"]],
}
URGENT_CRITERIA = ["urgent_expiring", "new_placement"]
NOT_MET = [
    (Requirement.MENTAL_CAPACITY, NotGrantedReason.HAS_CAPACITY, 40),
    (Requirement.BEST_INTERESTS, NotGrantedReason.BEST_INTERESTS_NOT_MET, 30),
    (Requirement.ELIGIBILITY, NotGrantedReason.INELIGIBLE, 10),
    (Requirement.NO_REFUSALS, NotGrantedReason.REFUSAL, 10),
    (Requirement.MENTAL_HEALTH, NotGrantedReason.MENTAL_HEALTH_NOT_MET, 10),
]
CLOSED_EARLY = [
    (NotGrantedReason.DIED, "Died before the assessments were completed"),
    (NotGrantedReason.CHANGE_OF_CIRCUMSTANCES, "Moved home with a package of care"),
    (NotGrantedReason.CHANGE_OF_CIRCUMSTANCES, "Admitted to hospital for the foreseeable future"),
    (NotGrantedReason.CLOSED_WITHOUT_ASSESSMENT, "Not deprived of liberty: no longer under continuous supervision"),
]
WITHDRAWN_BECAUSE = [
    "The care home withdrew the request: the person moved to another home",
    "Sent in error: an authorisation is already in force",
    "The person returned home",
]
TERMINATED_BECAUSE = [
    "The person died",
    "Moved to another care home: a new request is needed there",
    "No longer deprived of liberty: restrictions lifted",
]
SUSPENDED_BECAUSE = ["Detained in hospital under the Mental Health Act", "Admitted to hospital (section 2)"]
PURPOSES = [
    "To keep her safe: she tries to leave to find her late husband and is not safe near traffic.",
    "Lives with advanced dementia; needs continuous supervision and is not free to leave.",
    "Needs help with all personal care and is supervised at all times; the door is keypad locked.",
    "Has a learning disability and autism; two staff support him in the community.",
    "Receives medication covertly as agreed at a best interests meeting.",
]
RESTRICTIONS = [
    "Keypad-locked front door; checks every hour at night; sensor mat.",
    "Continuous supervision; accompanied outside the home; bed rails.",
    "Covert medication; 1:1 support during the day; door alarm.",
]
CONDITIONS = [
    "The home to arrange a visit to the local park at least weekly.",
    "Review the need for bed rails with the district nurse within 4 weeks.",
    "Support contact with her son by video call twice a week.",
    "The covert medication plan to be reviewed by the GP and pharmacist within 28 days.",
]
RELATIONSHIPS = ["daughter", "son", "wife", "husband", "niece", "nephew", "brother", "sister", "friend"]
PAID_REPRESENTATIVES = ["Camden Advocacy Project", "North London Independent Advocacy"]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _link(name: str) -> str:
    """The URL of `name` with a placeholder for the id, so links are formatted instead of reversed per row."""
    blank = uuid.UUID(int=0)
    return reverse(name, args=[blank]).replace(str(blank), "{}")


@dataclass(frozen=True)
class Resident:
    """A care home resident who may have a DoLS: who, where, since when."""

    person_id: uuid.UUID
    born: date | None
    location_id: uuid.UUID
    location_name: str
    since: date


@dataclass
class Case:
    """A request being built, with its work item and six assessments; `last` keeps its history in order."""

    request: DolsRequest
    work: WorkItem
    assessments: dict[str, Assessment]
    resident: Resident
    last: datetime
    authorisation: Authorisation | None = None
    alert: Alert | None = None


@dataclass(frozen=True)
class Written:
    requests: int
    waiting: int
    breached: int
    in_force: int


class _Builder:
    def __init__(
        self,
        *,
        rng: random.Random,
        today: date,
        team: Team,
        lead: User,
        assessors: list[User],
        window_days: int,
        conditions_days: int,
        references: Iterator[int],
    ) -> None:
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.team = team
        self.lead = lead
        self.assessors = assessors
        self.window_days = window_days
        self.conditions_days = conditions_days
        faker = Faker("en_GB")
        faker.seed_instance(rng.randint(0, 2**31))
        self.faker = faker
        self.names = [str(faker.name()) for _ in range(500)]
        self.contacts = [f"{faker.first_name()} {faker.last_name()}, deputy manager" for _ in range(300)]
        self.independent_bias = [f"{faker.name()} (independent BIA)" for _ in range(30)]
        self.doctors = [f"Dr {faker.last_name()} (s12 doctor)" for _ in range(20)]
        self.cases: list[Case] = []
        self.statuses: list[DolsRequestStatus] = []
        self.triages: list[Triage] = []
        self.authorisations: list[Authorisation] = []
        self.alerts: list[Alert] = []
        self.chronology: list[ChronologyEntry] = []
        self.handoffs: list[Handoff] = []
        self.oversights: list[Oversight] = []
        self.references = references
        self.person_index: dict[uuid.UUID, int] = {}
        self.own_allocated = 0
        self.own_capacity = 6 * max(1, len(assessors))
        rating = work_services.rate(likelihood=2, impact=2, flags=())
        self.priority, self.priority_reasons = rating.priority, rating.reasons
        self.work_dates = work_dates(self.priority)
        self._screening: dict[tuple[str, ...], dols_services.Screening] = {}
        self.active_criteria = set(ScreeningCriterion.objects.filter(is_active=True).values_list("code", flat=True))
        self.tz = timezone.get_current_timezone()
        self.new_work = maker(WorkItem)
        self.new_assessment = maker(Assessment)
        self.new_status = maker(DolsRequestStatus)
        self.new_entry = maker(ChronologyEntry)
        self.new_triage = maker(Triage)
        self.request_link = _link("dols:detail")
        self.work_link = _link("work:detail")

    # Times -----------------------------------------------------------------------------------------------------
    def moment(self, day: date) -> datetime:
        at = datetime.combine(day, time(self.rng.randint(8, 17), self.rng.randint(0, 59)), tzinfo=self.tz)
        return min(at, self.now) if day >= self.today else at

    def after(self, case: Case, day: date) -> datetime:
        """A time on `day` after the case's last step, so its history reads in order."""
        at = later_than(case.last, self.moment(day), self.now, self.rng)
        case.last = at
        return at

    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    # Records ---------------------------------------------------------------------------------------------------
    def story(self, case: Case, at: datetime, summary: str, by: User | None, category: str = CHRONOLOGY) -> None:
        link = self.request_link.format(case.request.pk) if category == CHRONOLOGY else ""
        if category == CHRONOLOGY:
            summary = f"DoLS {case.request.reference}: {summary}"
        self._entry(case.resident.person_id, at, category, summary, by, link)

    def _entry(
        self, person_id: uuid.UUID, at: datetime, category: str, summary: str, by: User | None, link: str = ""
    ) -> None:
        self.chronology.append(
            self.new_entry(
                id=_uuid(self.rng),
                person_id=person_id,
                occurred_at=at,
                category=category,
                summary=summary[:300],
                recorded_by_id=by.pk if by else None,
                recorded_by_label=by.full_name if by else "System",
                link=link,
                created_at=at,
            )
        )

    def status(self, case: Case, name: str, day: date, by: User | None, reason: str = "") -> datetime:
        at = self.after(case, day)
        self.statuses.append(
            self.new_status(
                id=_uuid(self.rng),
                request_id=case.request.pk,
                name=name,
                reason=reason,
                created_by_id=by.pk if by else None,
                created_at=at,
            )
        )
        case.request.status = name
        case.request.updated_at = at
        return at

    def receive(
        self,
        resident: Resident,
        received_on: date,
        request_type: str = RequestType.STANDARD,
        *,
        urgent_days_before: int | None = None,
        renews: Authorisation | None = None,
    ) -> Case:
        """What dols.services.create_request writes: the work, the request with its clocks, six assessments."""
        rng = self.rng
        received_at = self.moment(received_on)
        urgent_starts_on = urgent_period = urgent_expires_on = None
        if urgent_days_before is not None:
            urgent_starts_on = received_on - timedelta(days=urgent_days_before)
            urgent_period = 7 if rng.random() < 0.85 else rng.randint(3, 6)
            urgent_expires_on = clocks.urgent_expires(urgent_starts_on, urgent_period)
        due = clocks.assessments_due(received_on, urgent_expires_on)
        title = f"DoLS request: {RequestType(request_type).label}"
        purpose = rng.choice(PURPOSES)
        allocation_due, contact_due = self.work_dates(received_on)
        work = self.new_work(
            id=_uuid(rng),
            person_id=resident.person_id,
            kind=WorkKind.DOLS,
            title=title,
            story=purpose,
            team_id=self.team.pk,
            priority=self.priority,
            priority_reasons=self.priority_reasons,
            likelihood=2,
            impact=2,
            opened_at=received_at,
            due_on=due,
            allocation_due=allocation_due,
            next_contact_due=contact_due,
            created_at=received_at,
        )
        index = self.person_index.get(resident.person_id, 0) + 1
        self.person_index[resident.person_id] = index
        request = DolsRequest(
            id=_uuid(rng),
            reference=f"DL{next(self.references):07d}",
            person_id=resident.person_id,
            managing_authority_id=resident.location_id,
            work_item=work,
            request_type=request_type,
            person_index=index,
            received_on=received_on,
            purpose=purpose,
            proposed_restrictions=rng.choice(RESTRICTIONS),
            contact_name=rng.choice(self.contacts),
            contact_phone=f"020 7946 {rng.randint(0, 9999):04d}",
            is_urgent=urgent_days_before is not None,
            urgent_starts_on=urgent_starts_on,
            urgent_period_days=urgent_period,
            urgent_expires_on=urgent_expires_on,
            assessments_due_on=due,
            renews=renews,
            status=RequestStatusName.RECEIVED,
            created_at=received_at,
        )
        assessments = {
            requirement: self.new_assessment(
                id=_uuid(rng), request_id=request.pk, requirement=requirement, created_at=received_at
            )
            for requirement in REQUIREMENTS
        }
        case = Case(request=request, work=work, assessments=assessments, resident=resident, last=received_at)
        self.cases.append(case)
        self.triages.append(
            self.new_triage(
                id=_uuid(rng),
                work_item_id=work.pk,
                likelihood=2,
                impact=2,
                priority=self.priority,
                reasons=self.priority_reasons,
                why="Rated when the work was opened",
                by_id=self.lead.pk,
                created_at=received_at,
            )
        )
        self._entry(
            resident.person_id,
            received_at,
            "work",
            f"{WorkKind.DOLS.label} requested for {self.team.name} ({self.priority})",
            self.lead,
            self.work_link.format(work.pk),
        )
        self.status(case, RequestStatusName.RECEIVED, received_on, self.lead, f"From {resident.location_name}")
        self.story(
            case,
            case.last,
            f"{RequestType(request_type).label} received from {resident.location_name}; assessments due {due:%d %B %Y}",
            self.lead,
        )
        return case

    def extend_urgent(self, case: Case, day: date) -> None:
        request = case.request
        assert request.urgent_starts_on is not None
        assert request.urgent_period_days is not None
        days = self.rng.randint(2, 7)
        request.urgent_extension_days = days
        request.urgent_extension_reason = "The best interests assessor needs more time to consult the family."
        request.urgent_expires_on = clocks.urgent_expires(request.urgent_starts_on, request.urgent_period_days, days)
        request.assessments_due_on = clocks.assessments_due(request.received_on, request.urgent_expires_on)
        case.work.due_on = request.assessments_due_on
        at = self.status(case, request.status, day, self.lead, f"Urgent authorisation extended by {days} days")
        self.story(case, at, f"urgent authorisation extended to {request.urgent_expires_on:%d %B %Y}", self.lead)

    def screen(self, case: Case, day: date, level: str) -> None:
        codes = URGENT_CRITERIA if case.request.is_urgent else self.rng.choice(CRITERIA_BY_LEVEL[PriorityLevel(level)])
        key = tuple(c for c in codes if c in self.active_criteria)
        if key not in self._screening:
            self._screening[key] = dols_services.screen_priority(key)
        screening = self._screening[key]
        request = case.request
        request.priority, request.priority_score = screening.priority, screening.score
        request.priority_reasons, request.screening_criteria = list(screening.reasons), list(key)
        reason = f"Priority {screening.priority}: " + "; ".join(screening.reasons)
        at = self.status(case, RequestStatusName.SCREENED, day, self.lead, reason)
        self.story(case, at, f"screened: {screening.priority} priority", self.lead)

    def allocate(self, case: Case, day: date, *, own_assessor: bool) -> None:
        """The BIA's four assessments to an assessor; the s12 doctor's two named. The team's own BIA takes the work."""
        rng = self.rng
        assessor = rng.choice(self.assessors) if own_assessor and self.assessors else None
        name = assessor.full_name if assessor else rng.choice(self.independent_bias)
        for requirement in BIA_REQUIREMENTS:
            assessment = case.assessments[requirement]
            assessment.assessor, assessment.assessor_name, assessment.assigned_on = assessor, "", day
            if assessor is None:
                assessment.assessor_name = name
        doctor = rng.choice(self.doctors)
        for requirement in DOCTOR_REQUIREMENTS:
            assessment = case.assessments[requirement]
            assessment.assessor_name, assessment.assigned_on = doctor, day
        at = self.status(case, RequestStatusName.ALLOCATED, day, self.lead, f"Allocated to {name}")
        self.story(case, at, f"allocated to best interests assessor {name}", self.lead)
        if assessor is not None:
            case.work.allocated_to = assessor
            case.work.allocated_at = case.work.first_allocated_at = case.work.updated_at = at
            self.handoffs.append(
                Handoff(
                    id=_uuid(rng),
                    work_item=case.work,
                    person_id=case.resident.person_id,
                    from_team=self.team,
                    to_team=self.team,
                    from_worker=None,
                    to_worker=assessor,
                    reason=f"Best interests assessment of DoLS request {case.request.reference}",
                    by=self.lead,
                    created_at=at,
                )
            )
            self._entry(
                case.resident.person_id,
                at,
                "work",
                f"{case.work.title} allocated to {assessor.full_name}",
                self.lead,
                self.work_link.format(case.work.pk),
            )

    def assess(self, case: Case, requirements: Sequence[str], start: date, end: date, failing: str = "") -> date:
        """Complete the given assessments on days from start to end, in order; returns the last day."""
        days = sorted(self.day_between(start, end) for _ in requirements)
        for requirement, day in zip(requirements, days, strict=True):
            assessment = case.assessments[requirement]
            assessment.completed_on = day
            if requirement == failing:
                assessment.outcome = RequirementOutcome.NOT_SATISFIED
            elif requirement in (Requirement.AGE, Requirement.ELIGIBILITY) and self.rng.random() < 0.05:
                assessment.outcome = RequirementOutcome.EQUIVALENT
            else:
                assessment.outcome = RequirementOutcome.SATISFIED
            assessment.updated_at = self.moment(day)
            if assessment.assessor_id is None and not assessment.assessor_name:
                assessment.assessor_name = self.rng.choice(self.independent_bias)
            if case.request.status == RequestStatusName.ALLOCATED:
                self.status(case, RequestStatusName.ASSESSING, day, self.lead, "First assessment recorded")
        return days[-1] if days else start

    def sign_off(self, case: Case, day: date) -> None:
        case.request.signed_off_on, case.request.signed_off_by = day, self.lead
        at = self.status(case, RequestStatusName.SIGNED_OFF, day, self.lead)
        self.story(case, at, "assessments signed off", self.lead)

    def assessed_and_signed(
        self, case: Case, received_on: date, signed_off_on: date, *, failing: str = "", own: bool = False
    ) -> None:
        """Screen, allocate, assess every requirement (or up to the one not met) and sign off by `signed_off_on`."""
        rng = self.rng
        screened = min(received_on + timedelta(days=rng.randint(0, 3)), signed_off_on)
        self.screen(case, screened, rng.choice([PriorityLevel.HIGH, PriorityLevel.MEDIUM, PriorityLevel.LOW]))
        allocated = (
            self.day_between(screened, signed_off_on - timedelta(days=1)) if signed_off_on > screened else screened
        )
        self.allocate(case, allocated, own_assessor=own)
        requirements = list(REQUIREMENTS)
        rng.shuffle(requirements)
        requirements.sort(key=lambda r: r != Requirement.AGE)  # age is usually checked first
        if failing:
            requirements = requirements[: requirements.index(failing) + 1]
        self.assess(case, requirements, allocated, signed_off_on)
        self.sign_off(case, signed_off_on)

    def grant(self, case: Case, starts_on: date, ends_on: date) -> Authorisation:
        rng = self.rng
        conditions = rng.choice(CONDITIONS) if rng.random() < 0.4 else ""
        paid = rng.random() < 0.25
        authorisation = Authorisation(
            id=_uuid(rng),
            request=case.request,
            starts_on=starts_on,
            ends_on=ends_on,
            conditions=conditions,
            conditions_review_on=starts_on + timedelta(days=self.conditions_days) if conditions else None,
            representative_name=(
                f"{rng.choice(self.names)}, {rng.choice(PAID_REPRESENTATIVES)}" if paid else rng.choice(self.names)
            ),
            representative_relationship="paid representative" if paid else rng.choice(RELATIONSHIPS),
            representative_is_paid=paid,
            granted_by=self.lead,
        )
        self.authorisations.append(authorisation)
        case.authorisation = authorisation
        case.request.closed_on = None
        at = self.status(case, RequestStatusName.GRANTED, starts_on, self.lead, f"{starts_on} to {ends_on}")
        authorisation.created_at = at
        case.alert = Alert(
            id=_uuid(rng),
            person_id=case.resident.person_id,
            kind=AlertKind.DOLS_IN_PLACE,
            reason=f"Standard authorisation {case.request.reference} until {ends_on:%d %B %Y}"
            + (" with conditions" if conditions else ""),
            owner=self.lead,
            raised_by=self.lead,
            review_on=max(ends_on, self.today),
            created_at=at,
        )
        self.alerts.append(case.alert)
        self._entry(case.resident.person_id, at, "alerts", f"Alert added: {AlertKind.DOLS_IN_PLACE.label}", self.lead)
        self.story(case, at, f"standard authorisation granted, {starts_on:%d %B %Y} to {ends_on:%d %B %Y}", self.lead)
        return authorisation

    def close_work(self, case: Case, at: datetime, outcome: str, by: User | None) -> None:
        case.work.closed_at, case.work.outcome = at, outcome
        case.work.updated_at = at
        self._entry(
            case.resident.person_id,
            at,
            "work",
            f"{case.work.title} closed: {outcome}",
            by,
            self.work_link.format(case.work.pk),
        )

    def refuse(self, case: Case, day: date, reason: str, detail: str) -> None:
        case.request.not_granted_reason, case.request.not_granted_detail = reason, detail
        case.request.closed_on = day
        label = NotGrantedReason(reason).label
        at = self.status(case, RequestStatusName.NOT_GRANTED, day, self.lead, label)
        self.close_work(case, at, "DoLS not granted", self.lead)
        self.story(case, at, f"not granted: {label}", self.lead)

    def withdraw(self, case: Case, day: date, why: str) -> None:
        case.request.closed_on = day
        at = self.status(case, RequestStatusName.WITHDRAWN, day, self.lead, why)
        self.close_work(case, at, "DoLS withdrawn", self.lead)
        self.story(case, at, "withdrawn", self.lead)

    def end(self, case: Case, to: str, ended_on: date, reason: str, by: User | None) -> None:
        """Expiry (the daily sweep, the day after the last day) or termination; the alert ends with it."""
        assert case.authorisation is not None
        assert case.alert is not None
        case.authorisation.ended_on = ended_on
        case.request.closed_on = ended_on
        day = min(ended_on + timedelta(days=1), self.today) if to == RequestStatusName.EXPIRED else ended_on
        at = self.status(case, to, day, by, reason)
        case.authorisation.updated_at = at
        words = RequestStatusName(to).label.lower()
        self.close_work(case, at, f"DoLS authorisation {words}", by)
        case.alert.ended_at, case.alert.ended_by, case.alert.updated_at = at, by, at
        case.alert.end_reason = f"Authorisation {case.request.reference} {words}"
        self._entry(
            case.resident.person_id,
            at,
            "alerts",
            f"Alert ended: DoLS authorisation {case.request.reference} {words}",
            by,
        )
        self.story(
            case, at, f"authorisation {words}" if to == RequestStatusName.EXPIRED else "authorisation terminated", by
        )

    def suspend(self, case: Case, day: date) -> None:
        assert case.authorisation is not None
        why = self.rng.choice(SUSPENDED_BECAUSE)
        case.authorisation.suspended_on = day
        at = self.status(case, RequestStatusName.SUSPENDED, day, self.lead, why)
        case.authorisation.updated_at = at
        self.story(case, at, f"authorisation suspended; terminate by {clocks.suspension_ends(day):%d %B %Y}", self.lead)

    def reinstate(self, case: Case, day: date) -> None:
        assert case.authorisation is not None
        case.authorisation.suspended_on = None
        at = self.status(case, RequestStatusName.REINSTATED, day, self.lead)
        case.authorisation.updated_at = at
        self.story(case, at, "authorisation reinstated", self.lead)

    def discuss(self, case: Case, day: date) -> None:
        self.oversights.append(
            Oversight(
                id=_uuid(self.rng),
                request=case.request,
                discussed_with=OversightBy.DOLS_TEAM,
                discussed_on=day,
                decision="Prioritised at the DoLS team meeting: the BIA to visit this week.",
                by=self.lead,
                created_at=self.moment(day),
            )
        )


def _residents(today: date, rng: random.Random) -> list[Resident]:
    """Care home residents aged 18 or over with their current home, in a shuffled but repeatable order."""
    born_by = clocks.add_years(today, -(ADULT + 1))
    seen: set[uuid.UUID] = set()
    residents: list[Resident] = []
    rows = (
        Service.objects.filter(
            end_on__isnull=True,
            start_on__lte=today,
            location__location_type__in=CARE_HOMES,
            person__date_of_death__isnull=True,
            person__merged_into__isnull=True,
            person__date_of_birth__lte=born_by,
        )
        .order_by("person_id", "start_on", "pk")
        .values_list("person_id", "person__date_of_birth", "location_id", "location__name", "start_on")
    )
    for person_id, born, location_id, location_name, since in rows:
        if person_id not in seen and location_id is not None:
            seen.add(person_id)
            residents.append(Resident(person_id, born, location_id, location_name, since))
    rng.shuffle(residents)
    return residents


def _more_residents(count: int, today: date, rng: random.Random, taken: set[uuid.UUID]) -> list[Resident]:
    """When a small borough has too few residents: adults given a care home, placed two years ago."""
    homes = list(Location.objects.filter(location_type__in=CARE_HOMES).order_by("pk").values_list("pk", "name"))
    if not homes:
        return []
    born_by = clocks.add_years(today, -(ADULT + 3))
    adults = list(
        Person.objects.filter(date_of_death__isnull=True, merged_into__isnull=True, date_of_birth__lte=born_by)
        .exclude(pk__in=taken)
        .order_by("pk")
        .values_list("pk", "date_of_birth")[: count * 3]
    )
    chosen = rng.sample(adults, k=min(count, len(adults)))
    since = today - timedelta(days=730)
    residents = []
    for pk, born in chosen:
        home_id, home_name = rng.choice(homes)
        residents.append(Resident(pk, born, home_id, home_name, since))
    return residents


def _team_and_staff() -> tuple[Team, User, list[User]] | None:
    try:
        team = dols_services.dols_team()
    except ApplicationError:
        return None
    members = list(User.objects.filter(is_active=True, memberships__team=team).distinct().order_by("email"))
    roles = set(Membership.objects.filter(team=team).values_list("user_id", "role"))
    leads = [u for u in members if (u.pk, Role.DOLS_LEAD) in roles]
    assessors = [u for u in members if (u.pk, Role.BEST_INTERESTS_ASSESSOR) in roles]
    if not (leads or members):
        return None
    return team, (leads or members)[0], assessors


def _roster(assessors: list[User], today: date) -> None:
    """The team's own assessors on the roster, covering every neighbourhood, with training current."""
    areas = list(Neighbourhood.objects.all())
    for user in assessors:
        profile, created = BestInterestsAssessor.objects.get_or_create(
            user=user,
            defaults={
                "trained_on": today - timedelta(days=700),
                "current_until": today + timedelta(days=300),
                "monthly_capacity": 6,
            },
        )
        if created:
            profile.neighbourhoods.set(areas)


def generate_dols(*, rng: random.Random, today: date, log: Callable[[str], None]) -> int:
    """Add the borough's DoLS requests; returns how many requests were written."""
    if DolsRequest.objects.exists():
        log("  DoLS requests already present: skipped")
        return 0
    staffing = _team_and_staff()
    if staffing is None:
        log("  no DoLS team with staff: no DoLS requests")
        return 0
    team, lead, assessors = staffing
    _roster(assessors, today)
    settings_row = dols_services.dols_settings()
    waiting_wanted = max(MINIMUM_WAITING, Person.objects.count() // PEOPLE_PER_WAITING)
    counts = {
        "in_force": round(waiting_wanted * IN_FORCE_PER_WAITING),
        "expired": round(waiting_wanted * EXPIRED_PER_WAITING),
        "terminated": round(waiting_wanted * TERMINATED_PER_WAITING),
        "not_granted": round(waiting_wanted * NOT_GRANTED_PER_WAITING),
        "withdrawn": round(waiting_wanted * WITHDRAWN_PER_WAITING),
    }
    needed = waiting_wanted + sum(counts.values())
    residents = _residents(today, rng)
    if len(residents) < needed:
        residents += _more_residents(needed - len(residents), today, rng, {r.person_id for r in residents})
    residents = residents[:needed]
    if not residents:
        log("  no care home residents: no DoLS requests")
        return 0
    builder = _Builder(
        rng=rng,
        today=today,
        team=team,
        lead=lead,
        assessors=assessors,
        window_days=settings_row.renewal_window_days,
        conditions_days=settings_row.conditions_review_days,
        # Enough for every request, an expired one before each renewal included; the rest go unused.
        references=iter(reserve_numbers("dols_reference", needed * 2)),
    )
    pool = iter(residents)
    renewal_window: list[Case] = []
    for _ in range(counts["in_force"]):
        resident = next(pool, None)
        if resident is None:
            break
        case = _in_force(builder, resident)
        ends_on = case.authorisation.ends_on if case.authorisation else None
        if ends_on is not None and ends_on <= today + timedelta(days=builder.window_days):
            renewal_window.append(case)
    further = 0
    for case in renewal_window:
        if rng.random() < RENEWAL_REQUESTED_SHARE and further < waiting_wanted:
            _further_request(builder, case)
            further += 1
    for kind in ("expired", "terminated", "not_granted", "withdrawn"):
        for _ in range(counts[kind]):
            resident = next(pool, None)
            if resident is None:
                break
            _closed(builder, resident, kind)
    for _ in range(waiting_wanted - further):
        resident = next(pool, None)
        if resident is None:
            break
        _waiting(builder, resident)
    written = _write(builder)
    log(
        f"  {written.requests} DoLS requests ({written.waiting} waiting for a decision, {written.breached} past "
        f"the statutory date; {written.in_force} authorisations in force)"
    )
    return written.requests


def _history(resident: Resident, today: date) -> int:
    """Days since the person's placement began: nothing about their DoLS can be older."""
    days = (today - resident.since).days
    if resident.born is not None:
        days = min(days, (today - clocks.add_years(resident.born, ADULT)).days)
    return max(0, days)


def _waiting(builder: _Builder, resident: Resident) -> Case:
    """A request waiting for a decision: most of the backlog is past its date and waits longest when low priority."""
    rng, today = builder.rng, builder.today
    history = _history(resident, today)
    age = rng.randint(0, 20) if rng.random() < 0.35 else 21 + int(rng.expovariate(1 / 140))
    age = min(age, history, 720)
    received_on = today - timedelta(days=age)
    is_urgent = rng.random() < 0.12
    request_type = (
        RequestType.URGENT
        if is_urgent
        else rng.choices([RequestType.STANDARD, RequestType.REVIEW, RequestType.UNAUTHORISED], [96, 2, 2])[0]
    )
    case = builder.receive(
        resident, received_on, request_type, urgent_days_before=rng.choice([0, 0, 1, 2]) if is_urgent else None
    )
    _progress(builder, case, received_on)
    return case


def _progress(builder: _Builder, case: Case, received_on: date) -> None:
    """Screen and move on a waiting request as far as a busy DoLS team would have by now."""
    rng, today = builder.rng, builder.today
    age = (today - received_on).days
    if (age <= 3 and rng.random() < 0.7) or rng.random() < 0.03:
        return  # not screened yet
    level = (
        PriorityLevel.HIGH
        if case.request.is_urgent
        else rng.choices([PriorityLevel.HIGH, PriorityLevel.MEDIUM, PriorityLevel.LOW], [25, 50, 25])[0]
    )
    screened = min(received_on + timedelta(days=rng.randint(0, 3)), today)
    builder.screen(case, screened, level)
    if level == PriorityLevel.HIGH and rng.random() < 0.05:
        builder.discuss(case, builder.day_between(screened, today))
    if case.request.is_urgent and rng.random() < 0.2:
        expires = case.request.urgent_expires_on
        if expires is not None and screened <= expires:
            builder.extend_urgent(case, builder.day_between(screened, min(expires, today)))
    chance = {PriorityLevel.HIGH: 0.55, PriorityLevel.MEDIUM: 0.15, PriorityLevel.LOW: 0.05}[level]
    if age < 3 or rng.random() >= chance:
        return
    allocated = builder.day_between(max(screened, timezone.localdate(case.last)), today)
    own = builder.own_allocated < builder.own_capacity and rng.random() < 0.3
    builder.own_allocated += own
    builder.allocate(case, allocated, own_assessor=own)
    roll = rng.random()
    if roll < 0.45 or allocated == today:
        return
    order = [Requirement.AGE, Requirement.MENTAL_HEALTH, Requirement.ELIGIBILITY, Requirement.MENTAL_CAPACITY]
    order += [Requirement.NO_REFUSALS, Requirement.BEST_INTERESTS]
    if roll < 0.9:
        builder.assess(case, order[: rng.randint(1, 5)], allocated + timedelta(days=1), today)
        return
    last = builder.assess(case, order, allocated + timedelta(days=1), today)
    builder.sign_off(case, builder.day_between(last, today))


def _in_force(builder: _Builder, resident: Resident) -> Case:
    """An authorisation in force (ending today or later), with its request's full history; a third renew one."""
    rng, today = builder.rng, builder.today
    history = _history(resident, today)
    months = rng.choices([12, 6, 3], [70, 20, 10])[0]
    offset = rng.randint(0, {12: 360, 6: 180, 3: 88}[months])
    offset = min(offset, max(0, history - 10))
    starts_on = today - timedelta(days=offset)
    ends_on = _ends(starts_on, months)
    if ends_on < today:
        starts_on, ends_on = today, _ends(today, months)
    previous: Case | None = None
    room = (starts_on - resident.since).days
    if rng.random() < RENEWED_SHARE and room > 400:
        previous = _expired_before(builder, resident, starts_on)
    if previous is not None and previous.authorisation is not None:
        renewal_opens = clocks.renewal_opens(previous.authorisation.ends_on, builder.window_days)
        received_on = builder.day_between(renewal_opens, starts_on - timedelta(days=3))
        case = builder.receive(resident, received_on, RequestType.FURTHER, renews=previous.authorisation)
    else:
        wait = min(10 + int(rng.expovariate(1 / 60)), max(0, room - 1), 400)
        received_on = starts_on - timedelta(days=wait)
        urgent = rng.random() < 0.12
        case = builder.receive(
            resident,
            received_on,
            RequestType.URGENT if urgent else RequestType.STANDARD,
            urgent_days_before=0 if urgent else None,
        )
    signed_off_on = max(received_on + timedelta(days=2), starts_on - timedelta(days=rng.randint(0, 2)))
    signed_off_on = min(signed_off_on, starts_on)
    builder.assessed_and_signed(case, received_on, signed_off_on)
    builder.grant(case, starts_on, ends_on)
    roll = rng.random()
    if roll < 0.03 and starts_on < today:
        suspended_on = builder.day_between(max(starts_on, today - timedelta(days=27)), today)
        builder.suspend(case, suspended_on)
        if roll < 0.01 and suspended_on < today:
            builder.reinstate(case, builder.day_between(suspended_on + timedelta(days=1), today))
    return case


def _ends(starts_on: date, months: int) -> date:
    if months == 12:
        return clocks.authorisation_latest_end(starts_on)
    return starts_on + timedelta(days=round(months * 30.4) - 1)


def _expired_before(builder: _Builder, resident: Resident, next_starts_on: date) -> Case:
    """The authorisation a further request renewed: a year running up to the day before the new one started."""
    rng = builder.rng
    ends_on = next_starts_on - timedelta(days=1)
    starts_on = clocks.add_years(ends_on + timedelta(days=1), -1)
    received_on = starts_on - timedelta(days=min(10 + int(rng.expovariate(1 / 45)), 30))
    case = builder.receive(resident, received_on)
    builder.assessed_and_signed(case, received_on, starts_on)
    builder.grant(case, starts_on, ends_on)
    builder.end(case, RequestStatusName.EXPIRED, ends_on, "Ran out", None)
    return case


def _further_request(builder: _Builder, current: Case) -> None:
    """A further request for an authorisation in its renewal window, waiting like any other."""
    authorisation = current.authorisation
    assert authorisation is not None
    opens = max(clocks.renewal_opens(authorisation.ends_on, builder.window_days), authorisation.starts_on)
    received_on = builder.day_between(opens, builder.today)
    case = builder.receive(current.resident, received_on, RequestType.FURTHER, renews=authorisation)
    _progress(builder, case, received_on)


def _closed(builder: _Builder, resident: Resident, kind: str) -> None:
    """A request decided in the last year without an authorisation in force now."""
    rng, today = builder.rng, builder.today
    history = _history(resident, today)
    if kind in ("expired", "terminated"):
        months = rng.choice([3, 6, 12])
        ends_on = today - timedelta(days=rng.randint(1, 300))
        starts_on = ends_on - timedelta(days=round(months * 30.4) - 1)
        if months == 12:
            starts_on = clocks.add_years(ends_on + timedelta(days=1), -1)
        received_on = starts_on - timedelta(days=10 + int(rng.expovariate(1 / 40)))
        if (today - received_on).days > history:
            received_on = today - timedelta(days=history)
            starts_on = min(received_on + timedelta(days=20), today - timedelta(days=2))
            ends_on = min(_ends(starts_on, months), today - timedelta(days=1))
        case = builder.receive(resident, received_on)
        builder.assessed_and_signed(case, received_on, starts_on, own=rng.random() < 0.3)
        builder.grant(case, starts_on, ends_on)
        if kind == "expired":
            builder.end(case, RequestStatusName.EXPIRED, ends_on, "Ran out", None)
        else:
            ended_on = builder.day_between(starts_on, ends_on)
            builder.end(case, RequestStatusName.TERMINATED, ended_on, rng.choice(TERMINATED_BECAUSE), builder.lead)
        return
    closed_on = today - timedelta(days=rng.randint(0, 330))
    received_on = closed_on - timedelta(days=min(rng.randint(5, 120), history))
    received_on = min(received_on, closed_on)
    case = builder.receive(resident, received_on)
    if kind == "withdrawn":
        if rng.random() < 0.6:
            builder.screen(case, builder.day_between(received_on, closed_on), PriorityLevel.MEDIUM)
        builder.withdraw(case, closed_on, rng.choice(WITHDRAWN_BECAUSE))
        return
    if rng.random() < 0.55 and closed_on >= received_on + timedelta(days=3):
        requirement, reason, _ = rng.choices(NOT_MET, [w for _, _, w in NOT_MET])[0]
        builder.assessed_and_signed(case, received_on, closed_on, failing=requirement, own=rng.random() < 0.3)
        builder.refuse(case, closed_on, reason, f"{Requirement(requirement).label} requirement not met")
        return
    reason, detail = rng.choice(CLOSED_EARLY)
    if rng.random() < 0.7:
        builder.screen(case, builder.day_between(received_on, closed_on), PriorityLevel.MEDIUM)
    builder.refuse(case, closed_on, reason, detail)


def _renewal_depth(request: DolsRequest) -> int:
    """How many authorisations lie behind a request: a renewal is written after the authorisation it renews."""
    depth, renews = 0, request.renews
    while renews is not None:
        depth, renews = depth + 1, renews.request.renews
    return depth


def _write(builder: _Builder) -> Written:
    requests = [case.request for case in builder.cases]
    write(WorkItem, [case.work for case in builder.cases])
    write(Triage, builder.triages)
    write(Handoff, builder.handoffs)
    by_depth: dict[int, list[DolsRequest]] = {}
    for request in requests:
        by_depth.setdefault(_renewal_depth(request), []).append(request)
    for depth in sorted(by_depth):
        level = by_depth[depth]
        write(DolsRequest, level)
        ids = {request.pk for request in level}
        write(Authorisation, [a for a in builder.authorisations if a.request_id in ids])
    write(DolsRequestStatus, builder.statuses)
    write(Assessment, [a for case in builder.cases for a in case.assessments.values()])
    write(Oversight, builder.oversights)
    write(Alert, builder.alerts)
    write(ChronologyEntry, builder.chronology)
    return Written(
        requests=len(requests),
        waiting=sum(1 for r in requests if r.is_waiting),
        breached=sum(1 for r in requests if r.is_breached(builder.today)),
        in_force=sum(1 for r in requests if r.is_in_force),
    )
