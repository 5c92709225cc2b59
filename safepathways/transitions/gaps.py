"""Continuity: the rules that find people falling between services, and the registry other apps add theirs to.

Each rule is a query over the live record that returns findings (a person, the subject the gap is about,
when it began). transitions.services.sweep_gaps runs every registered rule once a day and keeps one Gap row per
finding. Rules must be set-based (one or two queries whatever the borough's size): the sweep runs over a
county of 200,000 people (`make bench` times the sweep: bench/database.py).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from django.db.models import DateField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from safepathways.accounts.models import Membership
from safepathways.providers.models import Service
from safepathways.transitions.models import Plan, PlanStatus, TransitionSettings
from safepathways.work.models import WorkItem


@dataclass(frozen=True)
class Finding:
    person_id: UUID
    subject_key: str
    detail: str
    since: date
    team_id: UUID | None


@dataclass(frozen=True)
class GapRule:
    code: str
    label: str
    what_to_do: str
    find: Callable[[date], Iterable[Finding]]


_RULES: dict[str, GapRule] = {}


def register(rule: GapRule) -> None:
    """Add a rule (each app calls this from its AppConfig.ready()); registering a code twice replaces it."""
    _RULES[rule.code] = rule


def all_rules() -> list[GapRule]:
    return list(_RULES.values())


def get_rule(code: str) -> GapRule | None:
    return _RULES.get(code)


SERVICE_ENDED = "service_ended"
PLAN_PAST_DATE = "plan_past_date"
POST_MOVE_CHECK = "post_move_check"
WORKER_LEFT = "worker_left"


def service_ended_with_nothing_next(today: date) -> Iterator[Finding]:
    """A service that ended with no recorded reason and no service after it.

    Another service of the same person that runs past this one's end counts as "next" once it has started, or
    when it is planned to start within the grace period after the end. The person must be alive.
    """
    config = TransitionSettings.current()
    grace = timedelta(days=config.next_service_grace_days)
    starts_soon = Q(start_on__lte=ExpressionWrapper(OuterRef("end_on") + grace, output_field=DateField()))
    later = (
        Service.objects.filter(person_id=OuterRef("person_id"))
        .filter(starts_soon | Q(start_on__lte=today))
        .filter(Q(end_on__isnull=True) | Q(end_on__gt=OuterRef("end_on")))
    )
    ended = (
        Service.objects.filter(
            end_on__lt=today,
            end_on__gte=today - timedelta(days=config.service_gap_lookback_days),
            end_reason="",
            person__date_of_death__isnull=True,
            person__merged_into__isnull=True,
        )
        .exclude(Exists(later.exclude(pk=OuterRef("pk"))))
        .values_list("pk", "person_id", "end_on", "team_id", "service_type")
    )
    for pk, person_id, end_on, team_id, service_type in ended.iterator(chunk_size=2000):
        yield Finding(
            person_id=person_id,
            subject_key=f"service:{pk}",
            detail=f"{service_type} ended on {end_on:%-d %B %Y} with no reason and no next service",
            since=end_on or today,
            team_id=team_id,
        )


def plan_past_its_date(today: date) -> Iterator[Finding]:
    """A transition plan whose move date has passed while it is still open (planning or ready)."""
    rows = (
        Plan.objects.open().filter(planned_on__lt=today).values_list("pk", "person_id", "planned_on", "team_id", "kind")
    )
    for pk, person_id, planned_on, team_id, kind in rows.iterator(chunk_size=2000):
        yield Finding(
            person_id=person_id,
            subject_key=f"plan:{pk}",
            detail=f"Transition plan ({kind.replace('_', ' ')}) for {planned_on:%-d %B %Y} is still open",
            since=planned_on,
            team_id=team_id,
        )


def post_move_check_overdue(today: date) -> Iterator[Finding]:
    """A move that happened with its check that it went as planned now overdue."""
    rows = Plan.objects.filter(status=PlanStatus.MOVED, check_due_at__date__lt=today).values_list(
        "pk", "person_id", "check_due_at", "team_id"
    )
    for pk, person_id, due_at, team_id in rows.iterator(chunk_size=2000):
        yield Finding(
            person_id=person_id,
            subject_key=f"check:{pk}",
            detail="The check that the move went as planned is overdue",
            since=due_at.date() if due_at else today,
            team_id=team_id,
        )


def worker_left_work_unallocated(today: date) -> Iterator[Finding]:
    """Open work still allocated to a worker who has left (account closed or leaving date passed) or left the team.

    The gap begins when the worker left, not when the work was allocated to them (a caseload held for years and
    left yesterday is a day-old gap): their leaving date when it is recorded and has passed, else the sweep's day,
    the first day it finds them gone (the sweep runs daily; nothing records when an account was closed or a
    membership ended). Work allocated after the leaving date has had nobody from its allocation.
    """
    in_team = Membership.objects.filter(user_id=OuterRef("allocated_to_id"), team_id=OuterRef("team_id"))
    rows = (
        WorkItem.objects.open()
        .filter(allocated_to__isnull=False)
        .filter(Q(allocated_to__is_active=False) | Q(allocated_to__left_on__lte=today) | ~Exists(in_team))
        .values_list("pk", "person_id", "allocated_at", "allocated_to__left_on", "team_id", "title")
    )
    for pk, person_id, allocated_at, left_on, team_id, title in rows.iterator(chunk_size=2000):
        since = left_on if left_on is not None and left_on <= today else today
        if allocated_at is not None:
            since = max(since, timezone.localdate(allocated_at))
        yield Finding(
            person_id=person_id,
            subject_key=f"work:{pk}",
            detail=f"{title}: the allocated worker has left; the work has nobody working it",
            since=since,
            team_id=team_id,
        )


def register_own_rules() -> None:
    register(
        GapRule(
            SERVICE_ENDED,
            "Service ended with nothing next",
            "Record why the service ended, or arrange what comes next.",
            service_ended_with_nothing_next,
        )
    )
    register(
        GapRule(
            PLAN_PAST_DATE,
            "Transition plan past its date",
            "Record the move, move the date, or cancel the plan with a reason.",
            plan_past_its_date,
        )
    )
    register(
        GapRule(
            POST_MOVE_CHECK,
            "Check after a move overdue",
            "Contact the person and record whether the move went as planned.",
            post_move_check_overdue,
        )
    )
    register(
        GapRule(
            WORKER_LEFT,
            "Worker left, work unallocated",
            "A team manager allocates the work to someone in the team.",
            worker_left_work_unallocated,
        )
    )
