"""Screen-shaped reads: the transitions tracker, one young person's page, the API's list, the workers to choose.

The tracker keeps each young person's urgency (young_people.assessments), works it out again only for rows a change
or a new day made stale, then counts, orders and pages in SQL; the page's rows have their milestones worked out
for display. A county of 200,000 people has about 1,000 young people on it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from safepathways.accounts.models import Role, TeamKind, User
from safepathways.audit.models import AccessBasis
from safepathways.people.models import Person
from safepathways.people.selectors import resolve_access
from safepathways.providers.models import Service
from safepathways.transitions.models import OPEN_PLAN_STATUSES, Plan, PlanKind, PlanStatus, PlanStatusChange
from safepathways.work.models import WorkItem
from safepathways.young_people import assessments, milestones, rules
from safepathways.young_people.models import (
    MilestoneRecord,
    PlanningMeeting,
    Workshop,
    YoungPeopleSettings,
    YoungPerson,
    YoungPersonQuerySet,
)

TRACKER_PAGE_SIZE = 100
# Age bands of the tracker's filter: label -> (from age, under age).
AGE_BANDS: dict[str, tuple[int, int]] = {
    "14-15": (14, 16),
    "16-17": (16, 18),
    "18-20": (18, 21),
    "21-24": (21, 25),
}
NO_WORKER = "none"


def _adult_plan() -> Exists:
    """A plan for the move to adult services that has not been cancelled."""
    return Exists(
        Plan.objects.filter(person_id=OuterRef("person_id"), kind=PlanKind.CHILD_TO_ADULT).exclude(
            status=PlanStatus.CANCELLED
        )
    )


def _move_plan_on() -> Subquery:
    """The earliest planned date of the person's open care-leaver plans (not moved, checked or cancelled): a worker
    may start one from the plan pages as well as here, and change its date there."""
    open_plans = Plan.objects.filter(
        person_id=OuterRef("person_id"), kind=PlanKind.CARE_LEAVER, status__in=OPEN_PLAN_STATUSES
    )
    return Subquery(open_plans.order_by("planned_on").values("planned_on")[:1])


def _move_recorded_at() -> Subquery:
    """When a care-leaver plan of the person last recorded a move (its change to moved)."""
    moves = PlanStatusChange.objects.filter(
        plan__person_id=OuterRef("person_id"), plan__kind=PlanKind.CARE_LEAVER, status=PlanStatus.MOVED
    )
    return Subquery(moves.order_by("-created_at").values("created_at")[:1])


def _plans() -> assessments.Plans:
    return assessments.Plans(
        has_adult_plan=_adult_plan(), move_plan_on=_move_plan_on(), move_recorded_at=_move_recorded_at()
    )


def _with_plans(queryset: YoungPersonQuerySet) -> YoungPersonQuerySet:
    plans = _plans()
    return queryset.select_related("person", "transitions_worker").annotate(
        has_adult_plan=plans.has_adult_plan,
        move_plan_on=plans.move_plan_on,
        move_recorded_at=plans.move_recorded_at,
    )


def _with_milestones(queryset: YoungPersonQuerySet, *, with_authors: bool = False) -> YoungPersonQuerySet:
    records = MilestoneRecord.objects.order_by("done_on")
    if with_authors:
        records = records.select_related("by")
    return _with_plans(queryset).prefetch_related(Prefetch("milestone_records", queryset=records))


def _done_of(young_people: list[YoungPerson]) -> dict[UUID, dict[str, milestones.Done]]:
    """The milestones a page of young people have met (or were decided not needed), by young person and code, read in
    the order done (one query; none for an empty page). The tracker reads only what the milestones need, as plain
    values, rather than with prefetch_related, which builds a queryset for each young person to keep their records
    in and a record for each row: for a page of 100, several times the cost of the read itself."""
    done: dict[UUID, dict[str, milestones.Done]] = {young_person.pk: {} for young_person in young_people}
    if done:
        rows = (
            MilestoneRecord.objects.filter(young_person_id__in=list(done))
            .order_by("done_on")
            .values_list("young_person_id", "code", "outcome", "done_on", "note")
        )
        for young_person_id, code, outcome, done_on, note in rows:
            done[young_person_id][code] = MilestoneRecord.done_from(code, outcome, done_on, note)
    return done


@dataclass(frozen=True)
class Assessed:
    """A young person with their milestones and alarms worked out for today."""

    young_person: YoungPerson
    age: int | None
    statuses: list[milestones.MilestoneStatus]
    next: milestones.MilestoneStatus | None
    alarms: list[milestones.Alarm]

    @property
    def level(self) -> int:
        return min((int(a.level) for a in self.alarms), default=len(milestones.AlarmLevel))

    @property
    def has_alarm(self) -> bool:
        return bool(self.alarms)


def assess(
    young_person: YoungPerson,
    today: date,
    timescales: milestones.Timescales,
    done: dict[str, milestones.Done] | None = None,
) -> Assessed:
    """Milestones and alarms for one young person, with the plans' annotations of _with_plans: from `done`, the
    milestones they have met by code, or else from their milestone records (loaded, or prefetched by
    _with_milestones)."""
    facts = young_person.facts(
        move_plan_on=getattr(young_person, "move_plan_on", None),
        move_recorded_at=getattr(young_person, "move_recorded_at", None),
    )
    if done is None:
        done = {r.code: r.as_done() for r in young_person.milestone_records.all()}
    statuses = milestones.milestones_for(facts, done, today, timescales)
    has_plan = bool(getattr(young_person, "has_adult_plan", False))
    return Assessed(
        young_person=young_person,
        age=milestones.age_in_years(facts.date_of_birth, today) if facts.date_of_birth else None,
        statuses=statuses,
        next=milestones.next_milestone(statuses),
        alarms=milestones.alarms_for(facts, statuses, today, timescales, has_adult_plan=has_plan),
    )


@dataclass(frozen=True)
class TrackerFilters:
    age_band: str = ""
    alarms_only: bool = False
    care_leavers_only: bool = False
    worker: str = ""  # a user id, NO_WORKER for unallocated, or "" for anyone
    page: int = 1


@dataclass
class Tracker:
    today: date
    rows: list[Assessed]
    total: int
    page: int
    pages: int
    red_count: int
    amber_count: int
    care_leavers_flagged: int
    from_age: int
    filters: TrackerFilters = field(default_factory=TrackerFilters)


def _refresh_stale(today: date, config: YoungPeopleSettings) -> int:
    """Work out again, and keep, the urgency of everyone on the tracker whose stored urgency is stale."""
    on_tracker = YoungPerson.objects.on_tracker(today, config.tracker_from_age)
    changed_at = config.changed_at if config.pk is not None and config.changed_at else None
    stale = assessments.stale(on_tracker, today, _plans(), changed_at)
    stale_ids = list(stale.order_by().values_list("pk", flat=True))
    if not stale_ids:
        return 0
    timescales = config.timescales
    rows = []
    for young_person in _with_milestones(YoungPerson.objects.filter(pk__in=stale_ids)):
        assessed = assess(young_person, today, timescales)
        rows.append(
            (
                young_person,
                assessed.level,
                len(assessed.alarms),
                assessed.next.due_on if assessed.next else None,
                any(a.code == "move_unsettled" for a in assessed.alarms),
            )
        )
    return assessments.store(rows, today)


def tracker(
    today: date, filters: TrackerFilters, config: YoungPeopleSettings, *, shown_to: User | None = None
) -> Tracker:
    """Everyone from the tracker age to 25, most urgent alarm first; filters by age band, worker, care leavers.

    Shown to a user (`shown_to`, as the tracker page does), a restricted record is on it only where the user's teams
    work with the person, as for opening it (ADR-004): otherwise its name, milestones and alarms are not listed, nor
    counted. Without a user, everyone is (the stored urgency is everyone's).

    Urgency is stored (young_people.assessments) and refreshed here for rows a change or a new day made stale;
    then counting, ordering and paging are SQL, and only the page's rows have their milestones worked out again
    for display.
    """
    _refresh_stale(today, config)
    queryset = YoungPerson.objects.on_tracker(today, config.tracker_from_age)
    if shown_to is not None:
        queryset = queryset.filter(_restricted_only_if_related(shown_to, timezone.now()))
    if filters.age_band in AGE_BANDS:
        from_age, under_age = AGE_BANDS[filters.age_band]
        queryset = queryset.aged_between(today, max(from_age, config.tracker_from_age), under_age)
    if filters.care_leavers_only:
        queryset = queryset.filter(is_care_leaver=True)
    if filters.worker == NO_WORKER:
        queryset = queryset.filter(transitions_worker__isnull=True)
    elif filters.worker.isdigit():
        queryset = queryset.filter(transitions_worker_id=int(filters.worker))
    counts = queryset.aggregate(
        everyone=Count("pk"),
        red=Count("pk", filter=Q(urgency=milestones.AlarmLevel.RED)),
        amber=Count("pk", filter=Q(urgency=milestones.AlarmLevel.AMBER)),
        alarmed=Count("pk", filter=Q(urgency__lt=assessments.NO_ALARM)),
        flagged=Count("pk", filter=Q(move_flagged=True)),
    )
    if filters.alarms_only:
        queryset = queryset.filter(urgency__lt=assessments.NO_ALARM)
    total = counts["alarmed"] if filters.alarms_only else counts["everyone"]
    pages = max(1, -(-total // TRACKER_PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    start = (page - 1) * TRACKER_PAGE_SIZE
    ordered = queryset.order_by(
        "urgency",
        "-alarm_count",
        F("next_due_on").asc(nulls_last=True),
        "person__family_name",
        "person__given_name",
        "pk",
    )
    timescales = config.timescales
    young_people = list(_with_plans(ordered)[start : start + TRACKER_PAGE_SIZE])
    done = _done_of(young_people)
    rows = [assess(yp, today, timescales, done[yp.pk]) for yp in young_people]
    return Tracker(
        today=today,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        red_count=counts["red"],
        amber_count=counts["amber"],
        care_leavers_flagged=counts["flagged"],
        from_age=config.tracker_from_age,
        filters=filters,
    )


def transitions_workers() -> QuerySet[User]:
    """Active staff of the transitions team(s), for allocation and the tracker's worker filter."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__team__kind=TeamKind.TRANSITIONS,
            memberships__team__organisation__is_this_council=True,
        )
        .exclude(memberships__role=Role.PARTNER)
        .distinct()
        .order_by("full_name")
    )


def young_person_detail(pk: UUID | str) -> YoungPerson | None:
    """One young person with everything their page shows, or None."""
    return (
        _with_milestones(YoungPerson.objects.all(), with_authors=True)
        .select_related("person__neighbourhood", "updated_by")
        .prefetch_related(
            Prefetch("planning_meetings", queryset=PlanningMeeting.objects.select_related("by")),
            Prefetch("workshops", queryset=Workshop.objects.select_related("by")),
        )
        .filter(pk=pk)
        .first()
    )


def access_basis(user: User, young_person: YoungPerson) -> tuple[str, UUID | None]:
    """The basis on which `user` opens a young person's record, and the access grant if that is it.

    The transitions team works with every young person on the tracker (their caseload), as does the allocated
    worker: a working relationship. Anyone else, and anyone for a restricted record, goes through
    people.selectors.resolve_access, which raises RelationshipRequiredError until they declare one.
    """
    on_caseload = rules.is_transitions_team(user) or young_person.transitions_worker_id == user.pk
    if on_caseload and not young_person.person.is_restricted:
        return AccessBasis.RELATIONSHIP, None
    access = resolve_access(user, young_person.person_id)
    return access.basis, access.grant.pk if access.grant else None


def plans_for(person_id: UUID) -> QuerySet[Plan]:
    """The person's transition plans that started from here: to adult services, and care leavers' moves."""
    return (
        Plan.objects.filter(person_id=person_id, kind__in=[PlanKind.CHILD_TO_ADULT, PlanKind.CARE_LEAVER])
        .select_related("coordinator")
        .order_by("-created_at")
    )


def _team_works_with(user: User, now: datetime, person: str = "person_id") -> Q:
    """The user's teams work with the person (`person`: the field of the outer query that holds them), as
    people.selectors._has_team_relationship counts it: open work of their teams or allocated to them (or closed within
    SAFEPATHWAYS_RECENT_WORK_DAYS), or a service of their teams not yet ended. A declared relationship is not counted:
    each is opened, and logged, on its own."""
    team_ids = user.team_ids
    current = Q(closed_at__isnull=True)
    days = settings.SAFEPATHWAYS.get("RECENT_WORK_DAYS", 0)
    if days > 0:
        current |= Q(closed_at__gte=now - timedelta(days=days))
    work = WorkItem.objects.filter(current, Q(team_id__in=team_ids) | Q(allocated_to=user), person_id=OuterRef(person))
    today = timezone.localdate(now)
    services = Service.objects.filter(
        Q(end_on__isnull=True) | Q(end_on__gte=today), team_id__in=team_ids, person_id=OuterRef(person)
    )
    return Q(Exists(work)) | Q(Exists(services))


def _restricted_only_if_related(user: User, now: datetime) -> Q:
    """Young people whose record is not restricted, or is and the user's teams work with them.

    Written as "no restricted record the teams do not work with" (an anti-join on the person) rather than "not
    restricted, or related": that OR, on the person joined for the tracker's age, turned PostgreSQL from reading the
    young people to reading everyone of their ages (the tracker's count from 3 ms to 17 ms at county scale)."""
    hidden = Person.objects.filter(pk=OuterRef("person_id"), is_restricted=True).exclude(
        _team_works_with(user, now, person="pk")
    )
    return ~Q(Exists(hidden))


@dataclass(frozen=True)
class ListScope:
    """Which young people a user's API list holds, and the basis its look at them is logged on."""

    condition: Q
    basis: str


def api_scope(user: User, now: datetime | None = None) -> ListScope:
    """Only the young people the user may open one by one (access_basis), never a restricted record they could not.

    The transitions team's caseload is everyone on the record but restricted records, which they see only where
    their team works with the person; oversight roles read the same caseload as an oversight list, restricted
    records left out (they open those one by one). Anyone else sees the young people their teams work with, and
    those allocated to them that are not restricted. Partners see only people shared with their organisation.
    """
    now = now or timezone.now()
    if not user.is_council_staff:
        shared = Person.objects.shared_with_organisations(user.organisation_ids, now).values("pk")
        condition = Q(person__in=shared) if user.organisation_ids else Q(pk__in=[])
        return ListScope(condition, AccessBasis.PARTNER_SHARE)
    if rules.is_transitions_team(user):
        return ListScope(_restricted_only_if_related(user, now), AccessBasis.RELATIONSHIP)
    if rules.is_oversight(user):
        return ListScope(Q(person__is_restricted=False), AccessBasis.SERVICE_OVERSIGHT)
    allocated = Q(transitions_worker=user, person__is_restricted=False)
    return ListScope(allocated | _team_works_with(user, now), AccessBasis.RELATIONSHIP)


def api_young_people(*, scope: ListScope, childrens_reference: str = "") -> YoungPersonQuerySet:
    """The young people in the user's scope (any age), newest first, ready for the serializer."""
    queryset = _with_milestones(YoungPerson.objects.filter(scope.condition)).order_by("-created_at")
    if childrens_reference:
        queryset = queryset.filter(childrens_reference=childrens_reference)
    return queryset


def api_young_person(pk: UUID | str) -> YoungPerson | None:
    return _with_milestones(YoungPerson.objects.filter(Q(pk=pk))).first()


def workshop_of(young_person: YoungPerson, pk: UUID | str) -> Workshop | None:
    """One of the young person's workshops, or None (a workshop of someone else is not found)."""
    return Workshop.objects.filter(young_person=young_person, pk=pk).select_related("young_person").first()
