"""Screen-shaped reads of transition plans and continuity gaps, scoped to the user.

Council staff see a plan when it belongs to one of their teams or they coordinate it; otherwise they reach it
through the person's record (people.selectors.resolve_access: a working relationship, or a declared one).
Partners see only plans shared with their organisation, and nothing else of the person's record.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from safepathways.accounts.models import Membership, Role, Team, User
from safepathways.audit.models import AccessBasis
from safepathways.core.compiled import CompiledQuery
from safepathways.core.compiled import field as field_of
from safepathways.people.models import AccessGrant
from safepathways.people.selectors import resolve_access
from safepathways.transitions import gaps
from safepathways.transitions.models import (
    OPEN_PLAN_STATUSES,
    Gap,
    GapStatus,
    ItemStatus,
    Plan,
    PlanKind,
    PlanStatus,
    PlanStatusChange,
    TransitionSettings,
)


@dataclass(frozen=True)
class PlanAccess:
    plan: Plan
    basis: str
    grant: AccessGrant | None


def _plan_with_detail(pk: UUID | str) -> Plan | None:
    return (
        Plan.objects.select_related("person", "team", "coordinator", "ready_override_by")
        .prefetch_related(
            "steps__owner_organisation",
            "arrangements__owner_organisation",
            "risks__owner_organisation",
            "shared_with",
            Prefetch("status_changes", queryset=PlanStatusChange.objects.select_related("by")),
        )
        .filter(pk=pk)
        .first()
    )


def plan_access(user: User, pk: UUID | str) -> PlanAccess:
    """The plan and the basis on which `user` may see it; 404 outside scope.

    Raises people.selectors.RelationshipRequiredError for staff who must declare a relationship first.
    """
    if not user.is_authenticated:
        raise Http404
    plan = _plan_with_detail(pk)
    if plan is None:
        raise Http404
    if not user.is_council_staff:
        shared = {organisation.pk for organisation in plan.shared_with.all()}
        if not shared & set(user.organisation_ids):
            raise Http404
        return PlanAccess(plan, AccessBasis.PARTNER_SHARE, None)
    if plan.team_id in user.team_ids or plan.coordinator_id == user.pk:
        return PlanAccess(plan, AccessBasis.RELATIONSHIP, None)
    access = resolve_access(user, plan.person_id)
    return PlanAccess(plan, access.basis, access.grant)


def post_move_check_hours() -> int:
    """Hours after a move within which the check that it went as planned falls due (TransitionSettings)."""
    return TransitionSettings.current().post_move_check_hours


def plan_coordinators(plan: Plan) -> QuerySet[User]:
    """Who may coordinate the plan: active council staff of its team, and whoever coordinates it now (so a form
    showing the current coordinator does not change it unasked when they have since moved team)."""
    staff = Membership.objects.filter(team_id=plan.team_id, team__organisation__is_this_council=True).exclude(
        role=Role.PARTNER
    )
    return User.objects.filter(Q(pk__in=staff.values("user_id"), is_active=True) | Q(pk=plan.coordinator_id)).order_by(
        "full_name"
    )


def plan_coordinator_by_email(plan: Plan, email: str) -> User | None:
    """One of plan_coordinators, found by email address (the API names people by email)."""
    return plan_coordinators(plan).filter(email=email.strip().lower()).first()


@dataclass(frozen=True)
class PlanFilter:
    kind: str = ""
    status: str = "open"  # open, overdue, moved, closed, all
    team_id: UUID | None = None


def plans(user: User, filters: PlanFilter, today: date) -> QuerySet[Plan]:
    """Plans the user may list: their teams' and their own; partners, those shared with their organisation."""
    rows = Plan.objects.select_related("person", "team", "coordinator").annotate(
        open_essentials=Count(
            "arrangements", filter=Q(arrangements__is_essential=True, arrangements__status=ItemStatus.OPEN)
        )
    )
    if user.is_council_staff:
        if filters.team_id is not None:
            rows = rows.filter(team_id=filters.team_id)
        else:
            rows = rows.filter(Q(team_id__in=user.team_ids) | Q(coordinator=user))
    else:
        rows = rows.filter(pk__in=Plan.objects.shared_with_organisations(user.organisation_ids).values("pk"))
    if filters.kind in PlanKind.values:
        rows = rows.filter(kind=filters.kind)
    if filters.status == "open":
        rows = rows.filter(status__in=OPEN_PLAN_STATUSES)
    elif filters.status == "overdue":
        rows = rows.filter(status__in=OPEN_PLAN_STATUSES, planned_on__lt=today)
    elif filters.status == "moved":
        rows = rows.filter(status=PlanStatus.MOVED)
    elif filters.status == "closed":
        rows = rows.filter(status__in=[PlanStatus.CHECKED, PlanStatus.CANCELLED])
    return rows.order_by("planned_on", "id")


def person_plans(person_id: UUID) -> list[Plan]:
    return list(Plan.objects.filter(person_id=person_id).select_related("team").order_by("-planned_on"))


@dataclass(frozen=True)
class RuleCount:
    code: str
    label: str
    what_to_do: str
    open: int


@dataclass(frozen=True)
class GapFilter:
    rule: str = ""
    team_id: UUID | None = None


_GAP_COUNTS: dict[bool, CompiledQuery[Any]] = {
    False: CompiledQuery(lambda: Gap.objects.open().order_by().values_list("rule").annotate(n=Count("id"))),
    True: CompiledQuery(
        lambda team: Gap.objects.open().filter(team_id=team).order_by().values_list("rule").annotate(n=Count("id")),
        team=field_of(Gap, "team"),
    ),
}


_COUNCIL_TEAMS: CompiledQuery[Team] = CompiledQuery(  # the filter shows a name and sends an id: nothing more is read
    lambda: Team.objects.filter(organisation__is_this_council=True).only("id", "name").order_by("name")
)


def council_teams() -> list[Team]:
    """The council's teams, by name (the continuity view's team filter): compiled once (ADR-020)."""
    return _COUNCIL_TEAMS.all()


def open_gap_counts(team_id: UUID | None) -> dict[str, int]:
    """Open gaps per rule code (one query, compiled once per process: ADR-020)."""
    if team_id is None:
        return dict(_GAP_COUNTS[False].rows())
    return dict(_GAP_COUNTS[True].rows(team=team_id))


def gap_counts(team_id: UUID | None, counts: dict[str, int] | None = None) -> list[RuleCount]:
    """Open gaps per rule (every registered rule listed, with zero when it found nothing)."""
    counts = open_gap_counts(team_id) if counts is None else counts
    return [RuleCount(rule.code, rule.label, rule.what_to_do, counts.get(rule.code, 0)) for rule in gaps.all_rules()]


# The columns of one row of the continuity view (transitions.presenters.gap_rows reads them by name).
GAP_COLUMNS = (
    "id",
    "person_id",
    "rule",
    "detail",
    "since",
    "given_name",
    "family_name",
    "reference",
    "team_id",
    "team_name",
)


def _gap_rows(rule: str | None = None, team: UUID | None = None) -> QuerySet[Gap, Any]:
    """The continuity view's rows, longest open first: only what the page shows (GAP_COLUMNS), as plain values."""
    rows = Gap.objects.open()
    if rule is not None:
        rows = rows.filter(rule=rule)
    if team is not None:
        rows = rows.filter(team_id=team)
    return rows.order_by("since", "id").values_list(
        "id",
        "person_id",
        "rule",
        "detail",
        "since",
        "person__given_name",
        "person__family_name",
        "person__reference",
        "team_id",
        "team__name",
    )


_RULE, _TEAM = field_of(Gap, "rule"), field_of(Gap, "team")
_GAP_PAGES: dict[tuple[bool, bool], CompiledQuery[Any]] = {
    (False, False): CompiledQuery(_gap_rows),
    (True, False): CompiledQuery(lambda rule: _gap_rows(rule=rule), rule=_RULE),
    (False, True): CompiledQuery(lambda team: _gap_rows(team=team), team=_TEAM),
    (True, True): CompiledQuery(_gap_rows, rule=_RULE, team=_TEAM),
}


def gap_page(filters: GapFilter, *, offset: int, limit: int) -> list[dict[str, Any]]:
    """One page of the continuity view's rows (GAP_COLUMNS), longest open first, compiled once (ADR-020)."""
    values: dict[str, Any] = {}
    if filters.rule:
        values["rule"] = filters.rule
    if filters.team_id is not None:
        values["team"] = filters.team_id
    compiled = _GAP_PAGES[bool(filters.rule), filters.team_id is not None]
    return [dict(zip(GAP_COLUMNS, row, strict=True)) for row in compiled.page_rows(offset, limit, **values)]


def open_gaps(filters: GapFilter) -> QuerySet[Gap]:
    rows = Gap.objects.open().select_related("person", "team")
    if filters.rule:
        rows = rows.filter(rule=filters.rule)
    if filters.team_id is not None:
        rows = rows.filter(team_id=filters.team_id)
    return rows.order_by("since", "id")


def gap(pk: UUID | str) -> Gap | None:
    return Gap.objects.select_related("person", "team").filter(pk=pk, status=GapStatus.OPEN).first()
