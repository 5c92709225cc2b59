"""Reads for the dashboard's team select and for supervision: who a manager supervises, and what to raise."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from safepathways.accounts.models import Membership, Role, Team, User
from safepathways.work.models import SupervisionRecord, WorkItem
from safepathways.work.selectors import Highlight, item_highlights, supervision_limits

# The kinds of highlight work.selectors.supervision_highlights gives, in the order a supervisor reads them.
HIGHLIGHT_KINDS = ("breach", "red", "long_wait", "no_contact")


def dashboard_teams(selected_slug: str = "") -> list[Team]:
    """The council's teams that have work waiting, for the team select, and the chosen team even if none waits."""
    council = Team.objects.filter(organisation__is_this_council=True).order_by()
    teams = council.filter(pk__in=WorkItem.objects.waiting().values("team_id"))
    if selected_slug:
        # A UNION, not an OR: "IN (waiting) OR slug = ..." made PostgreSQL read every waiting item to hash their
        # teams (about 20 ms at county scale); each half alone is an index probe per team.
        teams = teams.union(council.filter(slug=selected_slug))
    return list(teams.order_by("name"))


def managed_teams(user: User) -> list[Team]:
    """The council teams `user` manages (read from the memberships cached on the user: no query after the first)."""
    teams: dict[UUID, Team] = {}
    for membership in user.memberships_cached:
        if membership.role == Role.TEAM_MANAGER and membership.team.organisation.is_this_council:
            teams.setdefault(membership.team_id, membership.team)
    return sorted(teams.values(), key=lambda team: team.name)


@dataclass(frozen=True)
class SupervisionAccess:
    """Whose supervision is being read, and the teams in which the reader may record it (none for one's own)."""

    worker: User
    teams: list[Team]


def supervisable_worker(user: User, worker_id: int) -> SupervisionAccess:
    """The worker whose supervision `user` may open: themself, or a staff member of a team they manage.

    Anyone else is a 404, whether or not they exist (rule 15).
    """
    if worker_id == user.pk:
        return SupervisionAccess(worker=user, teams=[])
    managed = managed_teams(user)
    memberships = list(
        Membership.objects.filter(user_id=worker_id, team__in=managed)
        .exclude(role=Role.PARTNER)
        .select_related("user", "team")
        .order_by("team__name")
    )
    if not memberships:
        raise Http404
    teams = list({m.team_id: m.team for m in memberships}.values())
    return SupervisionAccess(worker=memberships[0].user, teams=teams)


def supervision_records(access: SupervisionAccess) -> list[SupervisionRecord]:
    """Past sessions: all of them for the worker reading their own, else those held in the reader's teams."""
    records = access.worker.supervisions.select_related("supervisor", "team")
    if access.teams:
        records = records.filter(team__in=access.teams)
    return list(records.order_by("-held_on", "-created_at"))


@dataclass(frozen=True)
class HighlightedWork:
    """A piece of open work allocated to a worker, with what supervision raises about it (none are left out)."""

    item: WorkItem
    highlights: tuple[Highlight, ...]


def highlighted_work(worker: User, today: date) -> list[HighlightedWork]:
    """The worker's open work that supervision raises, with its person and team, for the worker's download.

    The same highlights as work.selectors.supervision_highlights (the worker's page), in two queries whatever the
    caseload: the worker's open work with its people and teams, and the supervision limits.
    """
    limits = supervision_limits()
    items = (
        WorkItem.objects.open().filter(allocated_to=worker).select_related("person", "team").order_by("opened_at", "pk")
    )
    found = []
    for item in items:
        highlights = item_highlights(item, today, limits)
        if highlights:
            found.append(HighlightedWork(item=item, highlights=tuple(highlights)))
    return found


def highlights_by_worker(worker_ids: Collection[int], today: date) -> dict[int, list[Highlight]]:
    """supervision_highlights for many workers at once, in two queries whatever their caseloads: their open work
    with its people, and the supervision limits."""
    found: dict[int, list[Highlight]] = defaultdict(list)
    limits = supervision_limits()
    items = WorkItem.objects.open().filter(allocated_to_id__in=list(worker_ids)).select_related("person")
    for item in items:
        if item.allocated_to_id is not None:
            found[item.allocated_to_id].extend(item_highlights(item, today, limits))
    return dict(found)


@dataclass(frozen=True)
class WorkerSummary:
    worker: User
    role: str
    counts: dict[str, int]
    last_supervised_on: date | None
    highlights: tuple[Highlight, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class TeamRoster:
    team: Team
    workers: list[WorkerSummary]


def supervision_roster(manager: User, today: date | None = None) -> list[TeamRoster]:
    """Each team the manager manages, with its staff, their highlight counts and their last supervision.

    Four queries whatever the team sizes: members, open items, supervision limits, last sessions.
    """
    today = today or timezone.localdate()
    teams = managed_teams(manager)
    memberships = list(
        Membership.objects.filter(team__in=teams, user__is_active=True)
        .exclude(role=Role.PARTNER)
        .exclude(user=manager)
        .select_related("user")
        .order_by("user__full_name", "role")
    )
    worker_ids = {m.user_id for m in memberships}
    highlights = highlights_by_worker(worker_ids, today)
    last_sessions = dict(
        SupervisionRecord.objects.filter(worker_id__in=worker_ids, team__in=teams)
        .values("worker_id")
        .annotate(last=Max("held_on"))
        .values_list("worker_id", "last")
    )
    roster = []
    for team in teams:
        seen: dict[int, WorkerSummary] = {}
        for membership in memberships:
            if membership.team_id != team.pk or membership.user_id in seen:
                continue
            counts = dict.fromkeys(HIGHLIGHT_KINDS, 0)
            found = highlights.get(membership.user_id, [])
            for highlight in found:
                counts[highlight.kind] = counts.get(highlight.kind, 0) + 1
            seen[membership.user_id] = WorkerSummary(
                worker=membership.user,
                role=membership.get_role_display(),
                counts=counts,
                last_supervised_on=last_sessions.get(membership.user_id),
                highlights=tuple(found),
            )
        roster.append(TeamRoster(team=team, workers=list(seen.values())))
    return roster
