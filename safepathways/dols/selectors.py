"""Screen-shaped reads: the tracker, the roster, one request, a partner's requests, the data return."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from safepathways.accounts.models import Role, User
from safepathways.dols import clocks
from safepathways.dols.models import (
    WAITING_PRIORITY_RANK,
    Assessment,
    Authorisation,
    BestInterestsAssessor,
    CourtCase,
    DolsRequest,
    DolsRequestQuerySet,
    DolsSettings,
    Oversight,
    PriorityLevel,
    RequestStatusName,
    Requirement,
)
from safepathways.people.models import Neighbourhood, Person
from safepathways.providers.models import Location
from safepathways.work.models import WorkItem, WorkKind

TRACKER_PAGE_SIZE = 50
LIST_LIMIT = 50
FORECAST_WEEKS = 12
RATE_WEEKS = 12


def partner_organisation_ids(user: User) -> list[object]:
    """Organisations, other than this council, in which the user works as a partner."""
    return sorted(
        {
            m.team.organisation_id
            for m in user.memberships_cached
            if m.role == Role.PARTNER and not m.team.organisation.is_this_council
        },
        key=str,
    )


def visible_requests(user: User) -> DolsRequestQuerySet:
    """Council staff see every request; a partner only those its organisation submitted."""
    if not user.is_authenticated:
        return DolsRequest.objects.none()
    if user.is_council_staff:
        return DolsRequest.objects.all()
    return DolsRequest.objects.made_by(partner_organisation_ids(user))


def _with_listing(requests: DolsRequestQuerySet) -> DolsRequestQuerySet:
    return requests.select_related("person", "managing_authority", "work_item__team", "authorisation")


# What the tracker shows of each request (dols/tracker.html): only these columns are read for its rows. The
# waiting requests have no authorisation yet; the authorisation lists show no care home or team.
TRACKER_WAITING_COLUMNS = (
    "reference",
    "request_type",
    "received_on",
    "is_urgent",
    "assessments_due_on",
    "priority",
    "status",
    "person__given_name",
    "person__family_name",
    "managing_authority__name",
    "work_item__team__name",
)
TRACKER_AUTHORISATION_COLUMNS = (
    "reference",
    "person__given_name",
    "person__family_name",
    "authorisation__ends_on",
    "authorisation__conditions_review_on",
)


def request_detail(user: User, pk: UUID | str) -> DolsRequest | None:
    """One request with everything its page shows, or None when outside the user's scope."""
    return (
        visible_requests(user)
        .select_related("person", "managing_authority__provider", "work_item__team", "signed_off_by", "renews")
        .prefetch_related(
            Prefetch("assessments", queryset=Assessment.objects.select_related("assessor").order_by("created_at")),
            Prefetch("oversights", queryset=_oversights()),
            Prefetch("authorisation", queryset=Authorisation.objects.select_related("granted_by")),
        )
        .with_history()
        .filter(pk=pk)
        .first()
    )


def _oversights() -> QuerySet[Oversight]:
    return Oversight.objects.select_related("by")


def partner_requests(user: User) -> DolsRequestQuerySet:
    """A managing authority's own requests, newest first, with their status history."""
    return (
        visible_requests(user)
        .select_related("managing_authority", "authorisation")
        .with_history()
        .order_by("-received_on", "-created_at")
    )


def person_requests(person_id: UUID) -> DolsRequestQuerySet:
    return _with_listing(DolsRequest.objects.filter(person_id=person_id)).order_by("-received_on")


def dols_settings() -> DolsSettings:
    settings_row, _ = DolsSettings.objects.get_or_create(id=1)
    return settings_row


@dataclass(frozen=True)
class WeekForecast:
    week_starting: date
    from_expiries: int
    from_new_requests: int

    @property
    def total(self) -> int:
        return self.from_expiries + self.from_new_requests


@dataclass
class Tracker:
    """The DoLS team's tracking document, computed: waiting against the clock, breaches, expiries, renewals.

    `waiting` is one page of the requests waiting, by priority then due date; the authorisation lists show
    at most LIST_LIMIT rows each, soonest ending first, beside their full counts.
    """

    today: date
    waiting: list[DolsRequest]
    waiting_count: int
    waiting_by_priority: dict[str, int]
    breached_count: int
    expiring_28: list[DolsRequest]
    expiring_28_count: int
    expiring_56_count: int
    renewals_due: list[DolsRequest]
    renewals_due_count: int
    conditions_to_review: list[DolsRequest]
    conditions_count: int
    forecast: list[WeekForecast]
    weekly_rate: float
    court_reviews_due: list[CourtCase] = field(default_factory=list)
    page: int = 1
    pages: int = 1


def tracker(today: date, page: int = 1) -> Tracker:
    """Every tile of the tracker in a fixed number of queries, whatever the number of requests.

    Counting, ordering and paging are SQL: only one page of the waiting requests and the first LIST_LIMIT rows
    of each authorisation list are read, however many there are.
    """
    settings_row = dols_settings()
    window = settings_row.renewal_window_days
    counts = DolsRequest.objects.waiting().aggregate(
        total=Count("id"),
        breached=Count("id", filter=Q(assessments_due_on__lt=today)),
        high=Count("id", filter=Q(priority=PriorityLevel.HIGH)),
        medium=Count("id", filter=Q(priority=PriorityLevel.MEDIUM) | Q(priority="")),
        low=Count("id", filter=Q(priority=PriorityLevel.LOW)),
    )
    pages = max(1, -(-counts["total"] // TRACKER_PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * TRACKER_PAGE_SIZE
    waiting = list(
        DolsRequest.objects.waiting()
        .select_related("person", "managing_authority", "work_item__team")
        .only(*TRACKER_WAITING_COLUMNS)
        .alias(priority_rank=WAITING_PRIORITY_RANK)
        .order_by("priority_rank", "assessments_due_on", "received_on", "pk")[start : start + TRACKER_PAGE_SIZE]
    )
    expiring = Q(authorisation__ends_on__gte=today, authorisation__ends_on__lte=today + timedelta(days=28))
    renewal_due = Q(
        authorisation__ends_on__gte=today, authorisation__ends_on__lte=today + timedelta(days=window)
    ) & ~Exists(DolsRequest.objects.filter(renews_id=OuterRef("authorisation__pk")))
    conditions_due = Q(authorisation__conditions_review_on__lte=today)
    in_force = DolsRequest.objects.in_force().aggregate(
        expiring_28=Count("id", filter=expiring),
        expiring_56=Count(
            "id",
            filter=Q(authorisation__ends_on__gte=today, authorisation__ends_on__lte=today + timedelta(days=56)),
        ),
        renewals=Count("id", filter=renewal_due),
        conditions=Count("id", filter=conditions_due),
    )
    by_end = (
        DolsRequest.objects.in_force()
        .select_related("person", "authorisation")
        .only(*TRACKER_AUTHORISATION_COLUMNS)
        .order_by("authorisation__ends_on", "pk")
    )
    forecast, rate = _forecast(today, window)
    court_reviews = list(CourtCase.objects.review_reminders(today).select_related("person").order_by("review_due_on"))
    return Tracker(
        today=today,
        waiting=waiting,
        waiting_count=counts["total"],
        waiting_by_priority={"high": counts["high"], "medium": counts["medium"], "low": counts["low"]},
        breached_count=counts["breached"],
        expiring_28=list(by_end.filter(expiring)[:LIST_LIMIT]),
        expiring_28_count=in_force["expiring_28"],
        expiring_56_count=in_force["expiring_56"],
        renewals_due=list(by_end.filter(renewal_due)[:LIST_LIMIT]),
        renewals_due_count=in_force["renewals"],
        conditions_to_review=list(by_end.filter(conditions_due)[:LIST_LIMIT]),
        conditions_count=in_force["conditions"],
        forecast=forecast,
        weekly_rate=rate,
        court_reviews_due=court_reviews,
        page=page,
        pages=pages,
    )


def _forecast(today: date, window: int) -> tuple[list[WeekForecast], float]:
    """Assessments needed each of the next 12 weeks.

    From expiries: every authorisation ending that week needs a further request assessed, counted in the
    week its renewal window opens (it ends 28 days later). From new requests: the average weekly number
    received over the last 12 weeks, rounded, assumed to continue. Simple on purpose, and shown as such.
    """
    since = today - timedelta(weeks=RATE_WEEKS)
    received = DolsRequest.objects.filter(received_on__gt=since, received_on__lte=today, renews__isnull=True).count()
    rate = received / RATE_WEEKS
    horizon_end = today + timedelta(weeks=FORECAST_WEEKS)
    ends = (
        Authorisation.objects.in_force()
        .filter(ends_on__gte=today + timedelta(days=window), ends_on__lt=horizon_end + timedelta(days=window))
        .values("ends_on")
        .annotate(ending=Count("id"))
        .order_by("ends_on")
    )
    opens = [(clocks.renewal_opens(row["ends_on"], window), row["ending"]) for row in ends]
    weeks = []
    for week in range(FORECAST_WEEKS):
        start = today + timedelta(weeks=week)
        end = start + timedelta(weeks=1)
        from_expiries = sum(ending for day, ending in opens if start <= day < end)
        weeks.append(WeekForecast(start, from_expiries, round(rate)))
    return weeks, rate


@dataclass(frozen=True)
class RosterRow:
    assessor: BestInterestsAssessor
    open_assessments: int
    is_current: bool
    area_names: list[str]

    @property
    def spare(self) -> int:
        return max(self.assessor.monthly_capacity - self.open_assessments, 0) if self.is_current else 0


@dataclass
class Roster:
    rows: list[RosterRow]
    capacity: int
    load: int
    unallocated_waiting: int
    expiring_training: list[RosterRow]
    uncovered_areas: list[str]

    @property
    def gap(self) -> int:
        """Requests waiting for a BIA beyond the spare capacity this month (0 when covered)."""
        return max(self.unallocated_waiting - sum(row.spare for row in self.rows), 0)


def bia_roster(today: date) -> Roster:
    """The roster with each assessor's current load (open best interests assessments) and the gaps."""
    assessors = list(
        BestInterestsAssessor.objects.select_related("user")
        .prefetch_related("neighbourhoods")
        .annotate(
            open_count=Count(
                "user__dols_assessments",
                filter=Q(
                    user__dols_assessments__completed_on__isnull=True,
                    user__dols_assessments__requirement=Requirement.BEST_INTERESTS,
                ),
            )
        )
    )
    rows = [
        RosterRow(
            assessor=a,
            open_assessments=a.open_count,
            is_current=a.is_current(today),
            area_names=[n.name for n in a.neighbourhoods.all()],
        )
        for a in assessors
    ]
    covered = {name for row in rows if row.is_current for name in row.area_names}
    all_areas = list(Neighbourhood.objects.order_by("name").values_list("name", flat=True))
    waiting = DolsRequest.objects.filter(status__in=[RequestStatusName.RECEIVED, RequestStatusName.SCREENED]).count()
    return Roster(
        rows=rows,
        capacity=sum(r.assessor.monthly_capacity for r in rows if r.is_current),
        load=sum(r.open_assessments for r in rows),
        unallocated_waiting=waiting,
        expiring_training=[r for r in rows if r.is_current and r.assessor.current_until <= today + timedelta(days=56)],
        uncovered_areas=[name for name in all_areas if name not in covered],
    )


def suggest_assessors(dols_request: DolsRequest, today: date) -> list[RosterRow]:
    """Current BIAs with spare capacity, those covering the person's neighbourhood first, then the least loaded."""
    neighbourhood = dols_request.person.neighbourhood_id
    rows = [row for row in bia_roster(today).rows if row.is_current and row.spare > 0]
    covering = {
        row.assessor.pk for row in rows if any(n.pk == neighbourhood for n in row.assessor.neighbourhoods.all())
    }
    return sorted(rows, key=lambda row: (row.assessor.pk not in covering, row.open_assessments))


def court_cases() -> QuerySet[CourtCase]:
    return CourtCase.objects.select_related("person").order_by("status", "review_due_on", "created_at")


def visible_court_case(user: User, pk: UUID | str) -> CourtCase | None:
    if not user.is_authenticated or not user.is_council_staff:
        return None
    return (
        CourtCase.objects.select_related("person", "work_item__team")
        .prefetch_related("consultations")
        .filter(pk=pk)
        .first()
    )


def open_dols_work(pk: UUID) -> WorkItem | None:
    """Open DoLS work (e.g. from the front door) not yet made into a request."""
    return (
        WorkItem.objects.open()
        .filter(kind=WorkKind.DOLS, pk=pk, dols_request__isnull=True, court_case__isnull=True)
        .select_related("person")
        .first()
    )


def roster_users() -> QuerySet[User]:
    """Users on the BIA roster, for the allocation form's choices."""
    return User.objects.filter(bia_profile__is_active=True)


def waiting_dols_work() -> QuerySet[WorkItem]:
    """DoLS work the front door opened that no request has picked up yet, oldest first."""
    return (
        WorkItem.objects.open()
        .filter(kind=WorkKind.DOLS, dols_request__isnull=True, court_case__isnull=True)
        .select_related("person", "team")
        .order_by("opened_at")
    )


# --- a managing authority's own requests: the care home's or hospital's web pages ---------------------------------


def managing_authority_requests(user: User) -> DolsRequestQuerySet:
    """The requests the partner's organisation made (the API's scope, visible_requests), newest first."""
    return (
        visible_requests(user)
        .select_related("person", "managing_authority", "authorisation")
        .order_by("-received_on", "-created_at", "id")
    )


def managing_authority_request(user: User, pk: UUID | str) -> DolsRequest | None:
    """One of them with its history, what it renews and any further request made for it; None outside the scope."""
    return (
        visible_requests(user)
        .select_related("person", "managing_authority", "authorisation", "renews__request")
        .with_history()
        .prefetch_related(
            Prefetch(
                "authorisation__further_requests",
                queryset=visible_requests(user).only("id", "reference", "received_on", "renews_id"),
            )
        )
        .filter(pk=pk)
        .first()
    )


def managing_authority_locations(user: User) -> QuerySet[Location]:
    """The locations of the providers run by the partner's organisations: where it may ask for a DoLS."""
    return (
        Location.objects.filter(provider__organisation_id__in=partner_organisation_ids(user))
        .select_related("provider")
        .order_by("name")
    )


def people_shared_with_managing_authority(user: User) -> QuerySet[Person]:
    """The people whose records the council shares with the partner's organisations: whom it may ask about."""
    return (
        Person.objects.shared_with_organisations(partner_organisation_ids(user))
        .filter(merged_into__isnull=True)
        .order_by("family_name", "given_name", "id")
    )


def renewable_authorisations(person: Person) -> QuerySet[Authorisation]:
    """The person's authorisations still in force, which a further request may renew, soonest ending first."""
    return Authorisation.objects.in_force().filter(request__person=person).select_related("request").order_by("ends_on")
