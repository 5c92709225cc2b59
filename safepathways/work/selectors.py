"""Screen-shaped reads of work: the central waiting list, the duty view and the dashboard figures."""

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from safepathways.accounts.models import Role, Team, User
from safepathways.core.compiled import COUNT_ROWS, CompiledQuery
from safepathways.core.compiled import field as field_of
from safepathways.people.models import Neighbourhood, Person
from safepathways.work.models import (
    PRIORITY_RANK,
    WAITING_LIST_KINDS,
    WORK_TEAM_KINDS,
    Breach,
    BreachKind,
    CaseloadCap,
    Handoff,
    Priority,
    PriorityPolicy,
    WorkItem,
)

# Wait bands for the waiting list filter and the dashboard, in days since the request.
WAIT_BANDS: list[tuple[str, str, int, int | None]] = [
    ("0-2w", "Up to 2 weeks", 0, 14),
    ("2-6w", "2 to 6 weeks", 15, 42),
    ("6-12w", "6 to 12 weeks", 43, 84),
    ("12-26w", "12 to 26 weeks", 85, 182),
    ("26w+", "Over 26 weeks", 183, None),
]


@dataclass(frozen=True)
class WaitingListFilter:
    team_id: UUID | None = None
    neighbourhood_id: UUID | None = None
    kind: str = ""
    priority: str = ""
    wait_band: str = ""


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _waiting_filters(filters: WaitingListFilter, today: date) -> dict[str, Any]:
    """The waiting list's filters as lookups on WorkItem, with their values."""
    lookups: dict[str, Any] = {}
    if filters.team_id:
        lookups["team_id"] = filters.team_id
    if filters.neighbourhood_id:
        lookups["person__neighbourhood_id"] = filters.neighbourhood_id
    if filters.kind:
        lookups["kind"] = filters.kind
    if filters.priority:
        lookups["priority"] = filters.priority
    band = next((b for b in WAIT_BANDS if b[0] == filters.wait_band), None)
    if band is not None:
        _, _, low, high = band
        # Waiting `low` days or more means opened on or before today - low.
        if low:
            lookups["opened_at__lt"] = _start_of(today - timedelta(days=low - 1))
        if high is not None:
            lookups["opened_at__gte"] = _start_of(today - timedelta(days=high))
    return lookups


def waiting_list(filters: WaitingListFilter, today: date | None = None) -> QuerySet[WorkItem]:
    """Every item of work waiting for a team, red first and then longest waiting, with its joins."""
    return (
        WorkItem.objects.waiting()
        .filter(**_waiting_filters(filters, today or timezone.localdate()))
        .select_related("person__neighbourhood", "team")
        .annotate(priority_rank=PRIORITY_RANK)
        .order_by("priority_rank", "opened_at", "id")
    )


# The columns one row of the waiting list shows (work.presenters.waiting_rows reads them in this order).
WAITING_COLUMNS = (
    "id",
    "person__given_name",
    "person__family_name",
    "person__neighbourhood__name",
    "kind",
    "team__name",
    "priority",
    "opened_at",
    "next_contact_due",
    "allocation_due",
)
# What each lookup of _waiting_filters compares its value with: it says how the value is adapted.
_WAITING_FIELDS = {
    "team_id": field_of(WorkItem, "team"),
    "person__neighbourhood_id": field_of(Person, "neighbourhood"),
    "kind": field_of(WorkItem, "kind"),
    "priority": field_of(WorkItem, "priority"),
    "opened_at__lt": field_of(WorkItem, "opened_at"),
    "opened_at__gte": field_of(WorkItem, "opened_at"),
}
_waiting_queries: dict[tuple[bool, tuple[str, ...]], CompiledQuery[Any]] = {}


def _waiting_query(lookups: tuple[str, ...], *, counting: bool = False) -> CompiledQuery[Any]:
    """The waiting list's rows (or their count) with these filters, compiled once per process (ADR-020)."""
    compiled = _waiting_queries.get((counting, lookups))
    if compiled is None:
        names = {lookup: f"v{index}" for index, lookup in enumerate(lookups)}

        def build(**values: Any) -> QuerySet[WorkItem]:
            waiting = WorkItem.objects.waiting().filter(**{lookup: values[name] for lookup, name in names.items()})
            if counting:
                return waiting.order_by().values_list(COUNT_ROWS)
            return (
                waiting.annotate(priority_rank=PRIORITY_RANK)
                .order_by("priority_rank", "opened_at", "id")
                .values_list(*WAITING_COLUMNS)
            )

        compiled = CompiledQuery(build, **{name: _WAITING_FIELDS[lookup] for lookup, name in names.items()})
        _waiting_queries[counting, lookups] = compiled
    return compiled


def waiting_page(filters: WaitingListFilter, *, offset: int, limit: int, today: date | None = None) -> list[Any]:
    """One page of the waiting list as rows of WAITING_COLUMNS, in waiting_list's order."""
    lookups = _waiting_filters(filters, today or timezone.localdate())
    values = {f"v{i}": value for i, value in enumerate(lookups.values())}
    return _waiting_query(tuple(lookups)).page_rows(offset, limit, **values)


# The waiting list's filter options, read on every look at it: compiled once per process (ADR-020).
_COUNCIL_WORK_TEAMS: CompiledQuery[Team] = CompiledQuery(
    lambda: Team.objects.filter(organisation__is_this_council=True, kind__in=WORK_TEAM_KINDS).order_by("name")
)
_NEIGHBOURHOODS: CompiledQuery[Neighbourhood] = CompiledQuery(lambda: Neighbourhood.objects.order_by("name"))


def teams_work_can_move_to(team: Team) -> QuerySet[Team]:
    """The council's other teams that hold work: where a manager of `team` can move a piece of its work."""
    return (
        Team.objects.filter(organisation__is_this_council=True, kind__in=WORK_TEAM_KINDS)
        .exclude(pk=team.pk)
        .select_related("organisation")
        .order_by("name")
    )


def council_work_teams() -> list[Team]:
    """The council's teams that hold work (WORK_TEAM_KINDS), by name."""
    return _COUNCIL_WORK_TEAMS.all()


def neighbourhoods() -> list[Neighbourhood]:
    return _NEIGHBOURHOODS.all()


def waiting_count(filters: WaitingListFilter, today: date | None = None) -> int:
    """How many are waiting with these filters."""
    lookups = _waiting_filters(filters, today or timezone.localdate())
    values = {f"v{i}": value for i, value in enumerate(lookups.values())}
    return int(_waiting_query(tuple(lookups), counting=True).rows(**values)[0][0])


def duty_view(team_ids: list[UUID], today: date | None = None) -> QuerySet[WorkItem]:
    """Unallocated work of the duty teams, breaches first, then by priority and wait."""
    today = today or timezone.localdate()
    return (
        WorkItem.objects.unallocated()
        .filter(team_id__in=team_ids)
        .select_related("person", "team")
        .annotate(
            priority_rank=PRIORITY_RANK,
            is_contact_overdue=Case(
                When(kind__in=WAITING_LIST_KINDS, next_contact_due__lt=today, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            is_allocation_overdue=Case(
                When(kind__in=WAITING_LIST_KINDS, allocation_due__lt=today, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("-is_allocation_overdue", "-is_contact_overdue", "priority_rank", "opened_at", "id")
    )


def duty_count(team_ids: list[UUID]) -> int:
    """How many items duty_view lists for these teams."""
    return WorkItem.objects.unallocated().filter(team_id__in=team_ids).count()


# Roles that hold no caseload: never offered as a worker to allocate to.
NOT_WORKER_ROLES = (Role.PARTNER, Role.DIRECTOR, Role.INFORMATION_GOVERNANCE_OFFICER)


def _with_caseload(users: QuerySet[User], team: Team) -> QuerySet[User]:
    """Each user with `open_items` (their open work in the team) and `cap` (their own caseload cap in the team, or
    else the team's default; None when neither is set), read in the same query as the users."""
    open_items = (
        WorkItem.objects.open()
        .filter(team=team, allocated_to=OuterRef("pk"))
        .order_by()
        .values("allocated_to")
        .annotate(n=Count("id"))
        .values("n")
    )
    caps = CaseloadCap.objects.filter(team=team)
    return users.annotate(
        open_items=Coalesce(Subquery(open_items), 0),
        cap=Coalesce(
            Subquery(caps.filter(user=OuterRef("pk")).values("cap")[:1]),
            Subquery(caps.filter(user__isnull=True).values("cap")[:1]),
        ),
    ).order_by("full_name", "pk")


def _team_members(team: Team) -> QuerySet[User]:
    return (
        User.objects.filter(memberships__team=team, is_active=True)
        .exclude(memberships__role__in=NOT_WORKER_ROLES)
        .distinct()
    )


def team_workers(team: Team) -> QuerySet[User]:
    """Who work can be allocated to in a team: its active workers, by name, with their caseload (_with_caseload)."""
    return _with_caseload(_team_members(team), team)


def caseload_holders(team: Team) -> QuerySet[User]:
    """Whose open work in a team can be moved: its active workers, and anyone else who still holds open work there
    (a leaver whose account is closed, or who has left the team), by name, with their caseload (_with_caseload)."""
    holding = WorkItem.objects.open().filter(team=team, allocated_to__isnull=False).values("allocated_to")
    members = _team_members(team).values("pk")
    return _with_caseload(User.objects.filter(Q(pk__in=members) | Q(pk__in=holding)), team)


def wait_band(opened_at: datetime, today: date) -> str:
    return band_of_days((today - timezone.localdate(opened_at)).days)


def band_of_days(days: int) -> str:
    for code, _, low, high in WAIT_BANDS:
        if days >= low and (high is None or days <= high):
            return code
    return WAIT_BANDS[0][0]


@dataclass
class Dashboard:
    waiting_total: int
    by_priority: dict[str, int]
    by_band: dict[str, dict[str, int]]
    median_wait_days: float | None
    p90_wait_days: float | None
    open_breaches: dict[str, int]
    allocations_this_week: int
    handoffs_this_week: int
    trend: list[tuple[date, int, int]] = field(default_factory=list)
    most_handed_off: list[tuple[str, UUID, int]] = field(default_factory=list)


def _percentile(values: list[int], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def dashboard(team_id: UUID | None, today: date | None = None, weeks: int = 12) -> Dashboard:
    """The prioritisation dashboard for one team, or the whole service when team_id is None."""
    today = today or timezone.localdate()
    waiting = WorkItem.objects.waiting()
    items = WorkItem.objects.filter(kind__in=WAITING_LIST_KINDS)
    handoffs = Handoff.objects.all()
    breaches = Breach.objects.open()
    if team_id is not None:
        waiting, items = waiting.filter(team_id=team_id), items.filter(team_id=team_id)
        handoffs, breaches = handoffs.filter(to_team_id=team_id), breaches.filter(work_item__team_id=team_id)
    # How many wait, by priority and by the local day they asked: a few hundred rows, whatever the list's length.
    per_day = waiting.order_by().annotate(day=TruncDate("opened_at")).values_list("priority", "day")
    by_priority: Counter[str] = Counter()
    by_band: dict[str, dict[str, int]] = {code: dict.fromkeys(Priority.values, 0) for code, *_ in WAIT_BANDS}
    waits: list[int] = []
    for priority, day, count in per_day.annotate(n=Count("id")):
        days = (today - day).days
        by_priority[priority] += count
        by_band[band_of_days(days)][priority] += count
        waits.extend([days] * count)
    week_start = _start_of(today - timedelta(days=today.weekday()))
    # Waiting at the end of each of the last `weeks` weeks, and allocations in each week: one query.
    ends = [week_start + timedelta(days=7 * (i + 1)) for i in range(-weeks, 0)]
    aggregates = {}
    for index, end in enumerate(ends):
        start = end - timedelta(days=7)
        aggregates[f"w{index}"] = Count(
            "id",
            filter=Q(opened_at__lt=end)
            & (Q(first_allocated_at__isnull=True) | Q(first_allocated_at__gte=end))
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=end)),
        )
        aggregates[f"a{index}"] = Count("id", filter=Q(first_allocated_at__gte=start, first_allocated_at__lt=end))
    counts = items.aggregate(**aggregates)
    trend = [
        (timezone.localdate(end) - timedelta(days=1), counts[f"w{i}"], counts[f"a{i}"]) for i, end in enumerate(ends)
    ]
    this_week = handoffs.filter(created_at__gte=week_start)
    # Count hand-offs per person first, so only the people handed off 3 or more times are joined to their names.
    often = handoffs.order_by().values("person_id").annotate(n=Count("id")).filter(n__gte=3).values("person_id")
    top = (
        handoffs.filter(person_id__in=often)
        .values("person_id", "person__given_name", "person__family_name")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
        .order_by("-n", "person__family_name")[:10]
    )
    return Dashboard(
        waiting_total=len(waits),
        by_priority={p: by_priority.get(p, 0) for p in Priority.values},
        by_band=by_band,
        median_wait_days=float(statistics.median(waits)) if waits else None,
        p90_wait_days=_percentile(waits, 0.9),
        open_breaches=dict.fromkeys(BreachKind.values, 0)
        | dict(breaches.values_list("kind").annotate(n=Count("id")).values_list("kind", "n")),
        # First allocations of waiting-list work this week: the same measure as the trend's allocations.
        allocations_this_week=items.filter(first_allocated_at__gte=week_start).count(),
        handoffs_this_week=this_week.count(),
        trend=trend,
        most_handed_off=[
            (f"{t['person__given_name']} {t['person__family_name']}", t["person_id"], t["n"]) for t in top
        ],
    )


@dataclass(frozen=True)
class Highlight:
    kind: str
    text: str
    work_item_id: UUID
    person_id: UUID | None = None


@dataclass(frozen=True)
class SupervisionLimits:
    """When supervision raises allocated work of one priority (work.PriorityPolicy, local practice)."""

    open_days: int
    no_contact_days: int


def supervision_limits() -> dict[str, SupervisionLimits]:
    """The supervision limits of each priority, in one query; a deleted policy row falls back to the defaults."""
    defaults = SupervisionLimits(
        open_days=PriorityPolicy._meta.get_field("supervision_open_days").get_default(),
        no_contact_days=PriorityPolicy._meta.get_field("supervision_no_contact_days").get_default(),
    )
    rows = PriorityPolicy.objects.values_list("priority", "supervision_open_days", "supervision_no_contact_days")
    found = {priority: SupervisionLimits(open_days, no_contact) for priority, open_days, no_contact in rows}
    return {priority: found.get(priority, defaults) for priority in Priority.values}


def item_highlights(item: WorkItem, today: date, limits: dict[str, SupervisionLimits]) -> list[Highlight]:
    """What a supervisor should raise about one piece of open work allocated to a worker (see supervision_highlights).

    Reads the item and its person only: no query.
    """
    highlights: list[Highlight] = []
    name = f"{item.person.full_name}: {item.title}"

    def add(kind: str, text: str) -> None:
        highlights.append(Highlight(kind, f"{name} – {text}", item.pk, item.person_id))

    limit = limits.get(item.priority) or limits[Priority.GREEN]
    if item.kind in WAITING_LIST_KINDS and item.next_contact_due is not None and item.next_contact_due < today:
        add("breach", f"keep-in-touch contact overdue (due {item.next_contact_due:%d/%m/%Y})")
    if item.due_on is not None and item.due_on < today:
        add("breach", f"past its due date ({item.due_on:%d/%m/%Y})")
    if item.priority == Priority.RED:
        add("red", "red priority")
    days = (today - timezone.localdate(item.opened_at)).days
    if days > limit.open_days:
        add("long_wait", f"open {days} days (limit {limit.open_days})")
    # The worker's clock starts when they were given the work: a contact made while it waited is not theirs.
    since = max((t for t in (item.last_contact_at, item.allocated_at) if t is not None), default=None)
    if since is None:
        add("no_contact", "no contact recorded since it was allocated")
    else:
        quiet = (today - timezone.localdate(since)).days
        if quiet > limit.no_contact_days:
            add("no_contact", f"no contact recorded for {quiet} days (limit {limit.no_contact_days})")
    return highlights


def supervision_highlights(worker: User, today: date | None = None) -> list[Highlight]:
    """What a supervisor should raise about the open work allocated to a worker, as a team manager reads it:

    - "breach" (timescales missed): waiting-list work (assessments and reviews) whose keep-in-touch contact is
      overdue, i.e. its next_contact_due, set by the priority's contact interval (work.PriorityPolicy), has passed
      with no contact recorded; and any work past its own due date (due_on: the statutory clocks of DoLS,
      safeguarding and the other capabilities). Allocated work has no Breach rows (the sweep looks at waiting
      work only, and allocation resolves them), so these are read from the work item's dates.
    - "red": red priority.
    - "long_wait": open (since the request) longer than the priority's supervision_open_days (default 84 days).
    - "no_contact": no keep-in-touch contact recorded for longer than the priority's supervision_no_contact_days
      (default 28 days), counted from the later of the last contact and the allocation.

    Two queries: the worker's open work with its people, and the limits.
    """
    today = today or timezone.localdate()
    limits = supervision_limits()
    items = WorkItem.objects.open().filter(allocated_to=worker).select_related("person")
    return [highlight for item in items for highlight in item_highlights(item, today, limits)]
