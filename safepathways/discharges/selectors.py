"""Screen-shaped reads: the discharge board, one referral, the out-of-hours starts, the metrics, unsafe reports.

Scope: council staff see every referral; a partner sees its own trust's referrals and those shared with its
organisation (`visible_referrals`). Each screen is read in a fixed number of queries whatever its size.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any, NamedTuple
from uuid import UUID

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from safepathways.accounts.models import Organisation, OrganisationKind, Role, User
from safepathways.core.compiled import CompiledQuery
from safepathways.core.compiled import field as field_of
from safepathways.discharges.models import (
    OPEN_STATUSES,
    PLANNING_SHARES,
    DelayReason,
    DischargeSettings,
    Pathway,
    Referral,
    ReferralQuerySet,
    ReferralStatusName,
    UnsafeDischargeReport,
)
from safepathways.discharges.wording import owner_text, support_text
from safepathways.people.models import Share
from safepathways.transitions import selectors as transitions_selectors
from safepathways.transitions.models import OPEN_PLAN_STATUSES, Arrangement, ItemStatus, Plan, PlanStatus
from safepathways.work.models import WorkItem, WorkItemQuerySet, WorkKind

BOARD_LIMIT = 500
FRONT_DOOR_LIMIT = 100
OUT_OF_HOURS_LIMIT = 300
# The board's pathway: the agreed one, or the ward's proposal until one is agreed.
CURRENT_PATHWAY = Coalesce(F("agreed_pathway"), F("proposed_pathway"), output_field=IntegerField())


def partner_organisation_ids(user: User) -> list[object]:
    """Organisations, other than this council, in which the user works as a partner."""
    ids = {
        m.team.organisation_id
        for m in user.memberships_cached
        if m.role == Role.PARTNER and not m.team.organisation.is_this_council
    }
    return sorted(ids, key=str)


def visible_referrals(user: User) -> ReferralQuerySet:
    """Council staff see every referral; a partner only its trust's and those shared with its organisation."""
    if not user.is_authenticated:
        return Referral.objects.none()
    if user.is_council_staff:
        return Referral.objects.all()
    return Referral.objects.for_partner(partner_organisation_ids(user))


def referral_detail(user: User, pk: UUID | str) -> Referral | None:
    """One referral with everything its page shows, or None when outside the user's scope."""
    return (
        visible_referrals(user)
        .select_related(
            "person",
            "hospital",
            "delay_reason",
            "next_action_owner_organisation",
            "work_item__team",
            "plan",
            "referred_by",
            "support_started_by",
        )
        .with_history()
        .filter(pk=pk)
        .first()
    )


# Every request of the board and its forms reads these: compiled once per process (ADR-020).
_ALL_TRUSTS: CompiledQuery[Organisation] = CompiledQuery(
    lambda: Organisation.objects.filter(kind=OrganisationKind.NHS_TRUST).order_by("name")
)
_PARTNER_TRUSTS: CompiledQuery[Organisation] = CompiledQuery(
    lambda organisations: Organisation.objects.filter(kind=OrganisationKind.NHS_TRUST, pk__in=organisations).order_by(
        "name"
    ),
    organisations=field_of(Organisation, "id"),
)


def trusts(user: User) -> list[Organisation]:
    """NHS trusts a user may refer from or filter by: all for council staff, their own for partners."""
    if user.is_council_staff:
        return _ALL_TRUSTS.all()
    return _PARTNER_TRUSTS.all(organisations=partner_organisation_ids(user))


def active_delay_reasons() -> QuerySet[DelayReason]:
    return DelayReason.objects.filter(is_active=True)


def partner_organisations() -> QuerySet[Organisation]:
    """Organisations a next action may be owned by (anyone but this council)."""
    return Organisation.objects.filter(is_this_council=False).order_by("name")


class BoardRow(NamedTuple):
    """One line of the board: only what the board shows, read as plain values. A named tuple: the board builds
    up to 500 of them per request, and a tuple is the cheapest record Python builds."""

    pk: UUID
    reference: str
    status: str
    person_id: UUID
    person_name: str
    nhs_number: str
    hospital_name: str
    ward: str
    admitted_on: date
    discharge_ready_on: date | None
    days_since_ready: int | None
    pathway: int
    pathway_agreed: bool
    next_action: str
    next_action_owner: str
    next_action_due: date | None
    delay_reason: str
    support: str


@dataclass
class Board:
    """The board: its rows as read (`values`, BOARD_COLUMNS), and as BoardRow records when asked for (`rows`);
    the page writes its HTML straight from the values (discharges.presenters.board_rows)."""

    today: date
    values: list[tuple[Any, ...]]
    hospitals: list[Organisation]
    is_truncated: bool
    ready_count: int = 0
    delayed_count: int = 0
    by_pathway: dict[int, int] = field(default_factory=dict)
    # Referral id -> how many essential arrangements of its open transition plan are still open (none: absent).
    open_essentials: dict[UUID, int] = field(default_factory=dict)

    @cached_property
    def rows(self) -> list[BoardRow]:
        return [_board_row(values, self.today) for values in self.values]


def _board_rows(user: User, *, hospital_id: UUID | None, pathway: int | None) -> ReferralQuerySet:
    rows = visible_referrals(user).open().annotate(current_pathway=CURRENT_PATHWAY)
    if hospital_id is not None:
        rows = rows.filter(hospital_id=hospital_id)
    if pathway is not None:
        rows = rows.filter(current_pathway=pathway)
    # Longest since discharge-ready first; those not yet ready after them, longest in hospital first.
    return rows.order_by(F("discharge_ready_on").asc(nulls_last=True), "admitted_on", "reference")


# The board's columns, in the order BoardRow is built from them.
BOARD_COLUMNS = (
    "id",
    "reference",
    "status",
    "person_id",
    "person__given_name",
    "person__family_name",
    "person__nhs_number",
    "hospital__name",
    "ward",
    "admitted_on",
    "discharge_ready_on",
    "current_pathway",
    "agreed_pathway",
    "next_action",
    "next_action_owner_name",
    "next_action_owner_organisation__name",
    "next_action_due",
    "delay_reason__label",
    "support_kind",
    "support_start_on",
    "support_start_time",
    "support_provider",
)


def _board_row(values: tuple[Any, ...], today: date) -> BoardRow:
    (pk, reference, status, person_id, given, family, nhs_number, hospital, ward, admitted_on, ready_on) = values[:11]
    (pathway, agreed, action, owner_name, owner_organisation, due, delay, kind, start_on, start_time) = values[11:21]
    return BoardRow(
        pk,
        reference,
        status,
        person_id,
        f"{given} {family}",
        nhs_number,
        hospital,
        ward,
        admitted_on,
        ready_on,
        # Open referrals only: days to today (Referral.days_since_ready).
        None if ready_on is None else max((today - ready_on).days, 0),
        pathway,
        agreed is not None,
        action,
        owner_text(owner_name, owner_organisation),
        due,
        delay or "",
        support_text(kind, start_on, start_time, values[21]),
    )


_board_queries: dict[tuple[bool, bool, bool], CompiledQuery[Any]] = {}


def _board_query(*, staff: bool, hospital: bool, pathway: bool) -> CompiledQuery[Any]:
    """The board's rows for council staff or for partners, with or without each filter: compiled once (ADR-020)."""
    key = (staff, hospital, pathway)
    compiled = _board_queries.get(key)
    if compiled is None:

        def build(**values: Any) -> QuerySet[Referral, Any]:
            rows = Referral.objects.all() if staff else Referral.objects.for_partner(values["organisations"])
            rows = rows.open().annotate(current_pathway=CURRENT_PATHWAY)
            if hospital:
                rows = rows.filter(hospital_id=values["hospital"])
            if pathway:
                rows = rows.filter(current_pathway=values["pathway"])  # type: ignore[misc]
            ordered = rows.order_by(F("discharge_ready_on").asc(nulls_last=True), "admitted_on", "reference")
            return ordered.values_list(*BOARD_COLUMNS)[: BOARD_LIMIT + 1]

        fields: dict[str, Any] = {}
        if not staff:
            fields["organisations"] = field_of(Organisation, "id")
        if hospital:
            fields["hospital"] = field_of(Referral, "hospital")
        if pathway:
            fields["pathway"] = CURRENT_PATHWAY.output_field  # what the value is compared with: an integer
        compiled = _board_queries[key] = CompiledQuery(build, **fields)
    return compiled


def _board_values(user: User, *, hospital_id: UUID | None, pathway: int | None) -> list[tuple[Any, ...]]:
    """The board's rows as BOARD_COLUMNS, at most BOARD_LIMIT + 1 (as _board_rows orders them)."""
    if not user.is_authenticated:
        return []
    staff = user.is_council_staff
    values: dict[str, Any] = {}
    if not staff:
        values["organisations"] = partner_organisation_ids(user)
    if hospital_id is not None:
        values["hospital"] = hospital_id
    if pathway is not None:
        values["pathway"] = pathway
    compiled = _board_query(staff=staff, hospital=hospital_id is not None, pathway=pathway is not None)
    return compiled.rows(**values)


def board(
    user: User,
    *,
    today: date,
    hospital_id: UUID | None = None,
    pathway: int | None = None,
    hospitals: list[Organisation] | None = None,
) -> Board:
    """The daily discharge meeting's board: trusts for the filter (unless given), the rows, and the essential
    arrangements still open on their transition plans (3 queries; 2 when the board is empty)."""
    hospitals = trusts(user) if hospitals is None else hospitals
    found = _board_values(user, hospital_id=hospital_id, pathway=pathway)
    values = found[:BOARD_LIMIT]
    by_pathway = dict.fromkeys(Pathway.values, 0)
    ready = delayed = 0
    for row in values:  # status is column 2, discharge_ready_on 10, the current pathway 11 (BOARD_COLUMNS)
        by_pathway[row[11]] += 1
        ready += row[2] == ReferralStatusName.READY
        delayed += row[10] is not None and row[10] < today
    return Board(
        today=today,
        values=values,
        hospitals=hospitals,
        is_truncated=len(found) > BOARD_LIMIT,
        ready_count=ready,
        delayed_count=delayed,
        by_pathway=by_pathway,
        open_essentials=_of_rows(open_essential_counts(), values) if values else {},
    )


def _of_rows(counts: dict[UUID, int], values: list[tuple[Any, ...]]) -> dict[UUID, int]:
    """The counts of the board's own referrals only (column 0 is the id): the board is given nothing about referrals
    it does not list, such as another organisation's."""
    return {row[0]: counts[row[0]] for row in values if row[0] in counts}


# Every open referral's open essentials, counted by referral: compiled once (ADR-020). It takes no list of the board's
# referral ids: sent as 500 parameters, that list cost the page more than the rows themselves. The board lists open
# referrals only, so counting them all covers every row it shows; other open referrals' counts (a filtered board, or
# a partner's) are never looked at.
_OPEN_ESSENTIALS: CompiledQuery[Any] = CompiledQuery(
    lambda: (
        Arrangement.objects.filter(
            plan__discharge_referral__status__in=OPEN_STATUSES,
            plan__status__in=OPEN_PLAN_STATUSES,
            is_essential=True,
            status=ItemStatus.OPEN,
        )
        .order_by()
        .values_list("plan__discharge_referral")
        .annotate(n=Count("id"))
        .values_list("plan__discharge_referral", "n")
    )
)


def open_essential_counts() -> dict[UUID, int]:
    """For each open referral whose transition plan is open, how many of the plan's essential arrangements are still
    open (keys, medication, transport...): one query for the whole board, whatever its size or filter."""
    return dict(_OPEN_ESSENTIALS.rows())


def open_essentials(plan_id: UUID | None) -> list[Arrangement]:
    """The essential arrangements of a transition plan still open, in checklist order, with their owner's
    organisation (one query; none without a plan, or for a cancelled one)."""
    if plan_id is None:
        return []
    return list(
        Arrangement.objects.filter(plan_id=plan_id, is_essential=True, status=ItemStatus.OPEN)
        .exclude(plan__status=PlanStatus.CANCELLED)
        .select_related("owner_organisation")
        .order_by("order", "created_at")
    )


def board_referrals(
    user: User, *, hospital_id: UUID | None = None, pathway: int | None = None
) -> tuple[list[Referral], bool]:
    """The board's referrals as records (for the API), in board order, and whether the limit cut the list."""
    found = list(
        _board_rows(user, hospital_id=hospital_id, pathway=pathway).select_related(
            "person", "hospital", "delay_reason", "next_action_owner_organisation"
        )[: BOARD_LIMIT + 1]
    )
    return found[:BOARD_LIMIT], len(found) > BOARD_LIMIT


# --- discharge work the front door opened ------------------------------------------------------------------------


def _front_door_discharge_work() -> WorkItemQuerySet:
    """Hospital discharge work that is not the review of an unsafe discharge report: what the front door opens."""
    return WorkItem.objects.filter(kind=WorkKind.DISCHARGE, unsafe_discharge_report__isnull=True)


def waiting_discharge_work() -> tuple[list[WorkItem], bool]:
    """Open discharge work the front door opened that no referral has taken over yet, oldest first, with the person
    and team (one query), and whether the limit cut the list. The hospital team starts each referral from it."""
    found = list(
        _front_door_discharge_work()
        .open()
        .filter(discharge_referral__isnull=True)
        .select_related("person", "team")
        .order_by("opened_at", "id")[: FRONT_DOOR_LIMIT + 1]
    )
    return found[:FRONT_DOOR_LIMIT], len(found) > FRONT_DOOR_LIMIT


def front_door_work(pk: UUID | str) -> WorkItem | None:
    """Discharge work for the referral form's `?work=`, open or not, with its person and the referral that took it
    over (if any): the view says what to do with work no longer waiting; the service refuses it."""
    return _front_door_discharge_work().select_related("person", "team", "discharge_referral").filter(pk=pk).first()


# --- out of hours -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutOfHoursRow:
    referral: Referral
    is_out_of_hours: bool
    is_overdue: bool


def out_of_hours_starts(today: date, config: DischargeSettings | None = None) -> tuple[list[OutOfHoursRow], bool]:
    """Support due to start from the last working day to the horizon, not yet confirmed (one query), and whether
    there were more than OUT_OF_HOURS_LIMIT (the earliest are listed; the page says the rest are not).

    Out of hours first (weekends, bank holidays, outside office hours), then in time order. Starts already
    past and still unconfirmed stay on the list as overdue, for up to 7 days.
    """
    config = config or DischargeSettings.current()
    found = list(
        Referral.objects.support_due(
            today - timedelta(days=7), today + timedelta(days=config.out_of_hours_horizon_days)
        )
        .select_related("person", "hospital")
        .order_by("support_start_on", "support_start_time", "reference")[: OUT_OF_HOURS_LIMIT + 1]
    )
    rows = [
        OutOfHoursRow(
            referral=r,
            is_out_of_hours=r.support_starts_out_of_hours(config),
            is_overdue=r.support_start_on is not None and r.support_start_on < today,
        )
        for r in found[:OUT_OF_HOURS_LIMIT]
    ]
    return sorted(rows, key=lambda row: (not row.is_overdue, not row.is_out_of_hours)), len(found) > OUT_OF_HOURS_LIMIT


def support_start_referral(pk: UUID | str, today: date) -> Referral | None:
    """A referral whose support start the out-of-hours team may record: arranged and not yet confirmed."""
    return (
        Referral.objects.filter(support_start_on__isnull=False, support_started_at__isnull=True)
        .exclude(status__in=[ReferralStatusName.WITHDRAWN, ReferralStatusName.DIED])
        .select_related("person", "hospital")
        .filter(pk=pk)
        .first()
    )


# --- metrics ------------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100) by linear interpolation between closest ranks (as numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)


@dataclass(frozen=True)
class PathwayMetrics:
    pathway: int
    open_delays: int
    discharges: int
    median_days: float | None
    p90_days: float | None
    share: float | None  # of discharges in the period, as a percentage
    planning_direction: str
    planning_share: int

    @property
    def meets_planning_share(self) -> bool | None:
        if self.share is None:
            return None
        if self.planning_direction == "at least":
            return self.share >= self.planning_share
        return self.share <= self.planning_share


@dataclass
class Metrics:
    start: date
    end: date
    pathways: list[PathwayMetrics]
    discharges: int
    without_ready_date: int
    median_days: float | None
    p90_days: float | None
    open_delays: int
    unsafe_reports: int
    unsafe_under_review: int
    early_readmissions: int


def metrics(*, start: date, end: date, today: date) -> Metrics:
    """Delays now, and over discharges in [start, end]: days from discharge-ready to discharge, shares by pathway
    against the national planning shares, early readmissions, and unsafe discharge reports (3 queries)."""
    delays = dict(
        Referral.objects.delayed(today)
        .annotate(current_pathway=CURRENT_PATHWAY)
        .order_by()
        .values_list("current_pathway")
        .annotate(n=Count("id"))
        .values_list("current_pathway", "n")
    )
    discharged = list(
        Referral.objects.filter(status=ReferralStatusName.DISCHARGED, discharged_on__gte=start, discharged_on__lte=end)
        .annotate(current_pathway=CURRENT_PATHWAY)
        .values_list("current_pathway", "discharge_ready_on", "discharged_on", "is_early_readmission")
    )
    reports = UnsafeDischargeReport.objects.filter(reported_at__date__gte=start, reported_at__date__lte=end).aggregate(
        total=Count("id"), open=Count("id", filter=Q(review_closed_at__isnull=True))
    )
    days_by_pathway: dict[int, list[float]] = {value: [] for value in Pathway.values}
    count_by_pathway: dict[int, int] = dict.fromkeys(Pathway.values, 0)
    for pathway, ready_on, discharged_on, _early in discharged:
        count_by_pathway[pathway] += 1
        if ready_on is not None and discharged_on is not None:
            days_by_pathway[pathway].append(float((discharged_on - ready_on).days))
    total = len(discharged)
    rows = []
    for value in Pathway.values:
        direction, share = PLANNING_SHARES[value]
        days = days_by_pathway[value]
        rows.append(
            PathwayMetrics(
                pathway=value,
                open_delays=delays.get(value, 0),
                discharges=count_by_pathway[value],
                median_days=median(days),
                p90_days=percentile(days, 90),
                share=100 * count_by_pathway[value] / total if total else None,
                planning_direction=direction,
                planning_share=share,
            )
        )
    all_days = [d for days in days_by_pathway.values() for d in days]
    return Metrics(
        start=start,
        end=end,
        pathways=rows,
        discharges=total,
        without_ready_date=sum(1 for row in discharged if row[1] is None),
        median_days=median(all_days),
        p90_days=percentile(all_days, 90),
        open_delays=sum(delays.values()),
        unsafe_reports=reports["total"],
        unsafe_under_review=reports["open"],
        early_readmissions=sum(1 for row in discharged if row[3]),
    )


# --- unsafe discharge reports -------------------------------------------------------------------------------------


def unsafe_reports() -> QuerySet[UnsafeDischargeReport]:
    """Reports under review first, newest first (council staff only)."""
    return UnsafeDischargeReport.objects.select_related("person", "referral__hospital").order_by(
        F("review_closed_at").desc(nulls_first=True), "-reported_at", "id"
    )


class UnsafeReportCounts(NamedTuple):
    total: int
    under_review: int


def unsafe_report_counts() -> UnsafeReportCounts:
    """How many reports there are, and how many are under review (one query): the list's caption and its pager."""
    found = UnsafeDischargeReport.objects.aggregate(
        total=Count("id"), under_review=Count("id", filter=Q(review_closed_at__isnull=True))
    )
    return UnsafeReportCounts(found["total"], found["under_review"])


def unsafe_report_page(*, offset: int, limit: int) -> list[UnsafeDischargeReport]:
    """One page of unsafe_reports() with the person and the referral's hospital (one query)."""
    return list(unsafe_reports()[offset : offset + limit])


def unsafe_report(pk: UUID | str) -> UnsafeDischargeReport | None:
    return (
        UnsafeDischargeReport.objects.select_related(
            "person", "referral__hospital", "reported_by", "review_closed_by", "work_item__team"
        )
        .filter(pk=pk)
        .first()
    )


def person_referrals(person_id: UUID) -> ReferralQuerySet:
    return Referral.objects.filter(person_id=person_id).select_related("hospital").order_by("-admitted_on")


def plan_referral(plan_id: UUID) -> Referral | None:
    """The hospital discharge referral a transition plan was started for, if any."""
    return Referral.objects.filter(plan_id=plan_id).first()


@dataclass(frozen=True)
class PersonMoves:
    """A person's hospital discharge referrals (newest admission first) and transition plans (latest date first)."""

    referrals: list[Referral]
    plans: list[Plan]


def person_moves(user: User, person_id: UUID) -> PersonMoves:
    """What the person page "Moves and hospital discharges" lists, for someone already allowed the person's record
    (people.selectors.resolve_access): everything for council staff; for a partner with a share of the record, only
    the referrals and plans shared with its organisation, since those are all it may open (2 queries)."""
    if user.is_council_staff:
        return PersonMoves(list(person_referrals(person_id)), transitions_selectors.person_plans(person_id))
    referrals = visible_referrals(user).filter(person_id=person_id).select_related("hospital").order_by("-admitted_on")
    plans = (
        Plan.objects.filter(
            pk__in=Plan.objects.shared_with_organisations(user.organisation_ids).values("pk"), person_id=person_id
        )
        .select_related("team")
        .order_by("-planned_on")
    )
    return PersonMoves(list(referrals), list(plans))


# The purpose services.create_referral gave the share of the person's whole record it made for the referring trust,
# until issue 5 stopped it (a partner sees only the plans and referrals shared with it).
REFERRAL_SHARE_PURPOSE = "Hospital discharge referral"


def referral_record_shares() -> QuerySet[Share]:
    """Whole-record shares still in force that a ward referral made: that purpose, with a trust that referred the
    person. services.revoke_referral_record_shares revokes them."""
    referred = Referral.objects.filter(person_id=OuterRef("person_id"), hospital_id=OuterRef("organisation_id"))
    return (
        Share.objects.current()
        .filter(Exists(referred), purpose=REFERRAL_SHARE_PURPOSE)
        .select_related("organisation", "person")
        .order_by("created_at", "id")
    )
