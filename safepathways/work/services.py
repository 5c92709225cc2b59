"""Opening, triaging, keeping in touch with, allocating and closing work. One transaction each."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Membership, Role, Team, User
from safepathways.audit import services as audit
from safepathways.core.clocks import add_working_days
from safepathways.core.errors import ApplicationError, ConflictError
from safepathways.notifications.services import notify
from safepathways.people.models import Neighbourhood, Person
from safepathways.people.services import add_to_chronology
from safepathways.work.models import (
    PRIORITY_ORDER,
    WORK_TEAM_KINDS,
    Breach,
    BreachKind,
    CaseloadCap,
    ContactMethod,
    Handoff,
    HandoffKind,
    KeepInTouch,
    Priority,
    PriorityPolicy,
    RiskFlag,
    RiskMatrix,
    Triage,
    WorkItem,
)

# The keep-in-touch summary of a waiting letter sent (record_waiting_letter_sent).
WAITING_LETTER_SUMMARY = "Sent the waiting letter: who to contact while waiting, and what to do if things get worse"

# Used when an administrator has deleted a policy row: the seeded defaults (migration 0003).
DEFAULT_POLICY = {Priority.RED: (7, 2), Priority.AMBER: (14, 10), Priority.GREEN: (28, 20)}


@dataclass(frozen=True)
class Rating:
    priority: str
    reasons: list[str]


def rate(*, likelihood: int, impact: int, flags: Sequence[str], kept: Collection[str] = ()) -> Rating:
    """The RAG rating from the risk matrix, raised by any flag's minimum priority, with the reasons.

    `kept` are the flags the work already carries. One of them that an administrator has since switched off (or
    deleted) is tolerated but not scored: the rating follows the flags in use now, and its reasons say so. Any
    other flag that is not in use is refused.
    """
    if not (1 <= likelihood <= 5 and 1 <= impact <= 5):
        raise ApplicationError("Likelihood and impact must each be from 1 to 5", field="likelihood")
    matrix = RiskMatrix.objects.filter(id=1).first() or RiskMatrix(amber_from=8, red_from=15)
    score = likelihood * impact
    if score >= matrix.red_from:
        priority = Priority.RED
    elif score >= matrix.amber_from:
        priority = Priority.AMBER
    else:
        priority = Priority.GREEN
    reasons = [
        f"Likelihood {likelihood} × impact {impact} = {score} ({Priority(priority).label.split(' –')[0].lower()})"
    ]
    rows = {flag.code: flag for flag in RiskFlag.objects.filter(code__in=list(flags))}
    known = {code: flag for code, flag in rows.items() if flag.is_active}
    unknown = sorted(set(flags) - set(known) - set(kept))
    if unknown:
        raise ApplicationError(f"Unknown risk flags: {', '.join(unknown)}", field="risk_flags")
    for code in flags:
        if code not in known:
            label = rows[code].label if code in rows else code
            reasons.append(f"{label}: no longer in use, not counted")
            continue
        flag = known[code]
        if PRIORITY_ORDER[Priority(flag.minimum_priority)] < PRIORITY_ORDER[Priority(priority)]:
            priority = Priority(flag.minimum_priority)
            reasons.append(f"{flag.label}: at least {flag.minimum_priority}")
        else:
            reasons.append(f"{flag.label}")
    return Rating(priority=str(priority), reasons=reasons)


def _policy(priority: str) -> tuple[int, int]:
    policy = PriorityPolicy.objects.filter(priority=priority).first()
    if policy is None:
        return DEFAULT_POLICY[Priority(priority)]
    return policy.contact_interval_days, policy.allocation_working_days


def allocation_due_on(opened: date, priority: str) -> date:
    """Allocate within N working days of the request (local policy; weekends and bank holidays skipped)."""
    return add_working_days(opened, _policy(priority)[1])


def next_contact_on(last: date, priority: str) -> date:
    return last + timedelta(days=_policy(priority)[0])


def _work_link(item: WorkItem) -> str:
    return reverse("work:detail", args=[item.pk])


@transaction.atomic
def open_work(
    *,
    person: Person,
    kind: str,
    team: Team,
    title: str,
    by: User | None,
    story: str = "",
    likelihood: int = 2,
    impact: int = 2,
    flags: Sequence[str] = (),
    why: str = "Rated when the work was opened",
    opened_at: datetime | None = None,
    due_on: date | None = None,
) -> WorkItem:
    """Open a piece of work for a team, rated on the risk matrix, with its allocation and contact dates."""
    rating = rate(likelihood=likelihood, impact=impact, flags=flags)
    opened_at = opened_at or timezone.now()
    opened = timezone.localdate(opened_at)
    item = WorkItem(
        person=person,
        kind=kind,
        title=title.strip() or kind,
        story=story,
        team=team,
        priority=rating.priority,
        priority_reasons=rating.reasons,
        likelihood=likelihood,
        impact=impact,
        risk_flags=list(flags),
        opened_at=opened_at,
        due_on=due_on,
        allocation_due=allocation_due_on(opened, rating.priority),
        next_contact_due=next_contact_on(opened, rating.priority),
    )
    item.full_clean()
    item.save()
    Triage.objects.create(
        work_item=item,
        likelihood=likelihood,
        impact=impact,
        risk_flags=list(flags),
        priority=rating.priority,
        reasons=rating.reasons,
        why=why,
        by=by,
    )
    add_to_chronology(
        person=person,
        category="work",
        summary=f"{item.get_kind_display()} requested for {team.name} ({rating.priority})",
        by=by,
        link=_work_link(item),
    )
    audit.record(
        actor=by,
        action="work.opened",
        target=item,
        person_id=person.pk,
        snapshot={"kind": kind, "priority": rating.priority},
        actor_label="" if by else "system",
    )
    return item


def _lock(item: WorkItem) -> WorkItem:
    # The worker is read after the lock, not joined: a join would show the row as it was before it.
    return WorkItem.objects.select_for_update(of=("self",)).select_related("person", "team").get(pk=item.pk)


def _with_switched_off_flags(flags: Sequence[str], current: Sequence[str]) -> list[str]:
    """`flags`, with those of `current` that are no longer in use (switched off or deleted) kept after them."""
    in_use = set(RiskFlag.objects.filter(code__in=list(current), is_active=True).values_list("code", flat=True))
    return [*flags, *(code for code in current if code not in in_use and code not in flags)]


@transaction.atomic
def retriage(
    *, work_item: WorkItem, likelihood: int, impact: int, flags: Sequence[str], why: str, by: User
) -> WorkItem:
    """Change the risk rating; the old rating stays in the history with who changed it and why.

    A flag the work carries that an administrator has since switched off stays on the work, whether or not it is
    sent back (a form has no box for it, so its absence is no change), and is not scored (rate).
    """
    if not why.strip():
        raise ApplicationError("Enter why the rating is changing", field="why")
    item = _lock(work_item)
    if item.closed_at is not None:
        raise ApplicationError("This work is closed")
    flags = _with_switched_off_flags(flags, item.risk_flags)
    rating = rate(likelihood=likelihood, impact=impact, flags=flags, kept=item.risk_flags)
    previous = item.priority
    item.priority, item.priority_reasons = rating.priority, rating.reasons
    item.likelihood, item.impact, item.risk_flags = likelihood, impact, list(flags)
    opened = timezone.localdate(item.opened_at)
    item.allocation_due = allocation_due_on(opened, rating.priority)
    last = timezone.localdate(item.last_contact_at) if item.last_contact_at else opened
    item.next_contact_due = next_contact_on(last, rating.priority)
    item.save()
    Triage.objects.create(
        work_item=item,
        likelihood=likelihood,
        impact=impact,
        risk_flags=list(flags),
        priority=rating.priority,
        reasons=rating.reasons,
        why=why.strip(),
        by=by,
    )
    if previous != rating.priority:
        add_to_chronology(
            person=item.person,
            category="work",
            summary=f"{item.title}: priority {previous} → {rating.priority}",
            by=by,
            detail=why.strip(),
            link=_work_link(item),
        )
    audit.record(
        actor=by,
        action="work.retriaged",
        target=item,
        person_id=item.person_id,
        snapshot={"from": previous, "to": rating.priority},
    )
    _resolve_breaches(item)
    return item


@transaction.atomic
def record_keep_in_touch(
    *,
    work_item: WorkItem,
    by: User,
    method: str,
    summary: str,
    situation_changed: bool = False,
    likelihood: int | None = None,
    impact: int | None = None,
    flags: Sequence[str] | None = None,
    contacted_at: datetime | None = None,
) -> KeepInTouch:
    """Log a "waiting well" contact; a changed situation re-rates the work there and then.

    A different set of risk flags (`flags`, None when not given) counts as a changed situation: the work is re-rated
    with the new flags, keeping its likelihood and impact unless new ones are given.
    """
    if not summary.strip():
        raise ApplicationError("Enter what was said and what has changed", field="summary")
    item = _lock(work_item)
    if item.closed_at is not None:
        raise ApplicationError("This work is closed")
    if flags is not None:
        # A flag switched off since it was given is kept (retriage): leaving it out is no change.
        flags = _with_switched_off_flags(flags, item.risk_flags)
    flags_changed = flags is not None and set(flags) != set(item.risk_flags)
    if flags_changed and not situation_changed:
        likelihood = item.likelihood if likelihood is None else likelihood
        impact = item.impact if impact is None else impact
        why = f"Risk flags changed at keep-in-touch contact: {summary.strip()}"
    else:
        why = f"Situation changed at keep-in-touch contact: {summary.strip()}"
    situation_changed = situation_changed or flags_changed
    contacted_at = contacted_at or timezone.now()
    if contacted_at > timezone.now():
        raise ApplicationError("The contact cannot be in the future", field="contacted_at")
    contact = KeepInTouch.objects.create(
        work_item=item,
        method=method,
        summary=summary.strip(),
        situation_changed=situation_changed,
        by=by,
        contacted_at=contacted_at,
    )
    item.last_contact_at = contacted_at
    item.next_contact_due = next_contact_on(timezone.localdate(contacted_at), item.priority)
    item.save(update_fields=["last_contact_at", "next_contact_due", "updated_at"])
    add_to_chronology(
        person=item.person,
        category="work",
        summary=f"Keep-in-touch: {contact.get_method_display()}",
        by=by,
        detail=summary.strip(),
        occurred_at=contacted_at,
        link=_work_link(item),
    )
    audit.record(
        actor=by,
        action="work.keep_in_touch",
        target=contact,
        person_id=item.person_id,
        snapshot={"method": method, "situation_changed": situation_changed},
    )
    if situation_changed:
        if likelihood is None or impact is None:
            raise ApplicationError("Rate the new situation: choose likelihood and impact", field="likelihood")
        retriage(
            work_item=item,
            likelihood=likelihood,
            impact=impact,
            flags=flags if flags is not None else item.risk_flags,
            why=why,
            by=by,
        )
    else:
        _resolve_breaches(item)
    return contact


@transaction.atomic
def record_waiting_letter_sent(*, work_item: WorkItem, by: User) -> KeepInTouch:
    """Record that the waiting letter (work.views.letter) was sent: a keep-in-touch contact by letter, so the next
    contact date moves on, with its chronology entry and audit. Once a day: a second press is refused."""
    item = _lock(work_item)  # two presses at once: the second waits, then finds the first
    already = item.keep_in_touch.filter(
        method=ContactMethod.LETTER,
        summary=WAITING_LETTER_SUMMARY,
        contacted_at__gte=_start_of_day(timezone.localdate()),
    )
    if already.exists():
        raise ApplicationError("The waiting letter has already been recorded as sent today")
    return record_keep_in_touch(work_item=item, by=by, method=ContactMethod.LETTER, summary=WAITING_LETTER_SUMMARY)


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def caseload_cap(*, team: Team, user: User) -> int | None:
    """The worker's own cap in the team, or the team's default; None when there is no cap."""
    caps = {
        cap.user_id: cap.cap
        for cap in CaseloadCap.objects.filter(team=team).filter(Q(user=user) | Q(user__isnull=True))
    }
    return caps.get(user.pk, caps.get(None))


def caseload(*, team: Team, user: User) -> int:
    return WorkItem.objects.open().filter(team=team, allocated_to=user).count()


# Who manages a team's work: its team managers, and the leads of the specialist teams (the DoLS lead in the DoLS
# team, the safeguarding lead in the safeguarding team), who allocate that team's work the same way.
MANAGING_ROLES = frozenset({Role.TEAM_MANAGER, Role.DOLS_LEAD, Role.SAFEGUARDING_LEAD})


def is_team_manager(user: User, team: Team) -> bool:
    return any(m.team_id == team.pk and m.role in MANAGING_ROLES for m in user.memberships_cached)


def _is_member(user: User, team: Team) -> bool:
    return Membership.objects.filter(user=user, team=team).exclude(role=Role.PARTNER).exists()


@transaction.atomic
def allocate(
    *,
    work_item: WorkItem,
    to_user: User,
    by: User,
    expected_owner_id: int | None,
    reason: str = "",
    over_cap_reason: str = "",
) -> WorkItem:
    """Give the work to a worker in its team.

    A worker may take work for themselves (self-allocation, e.g. at the weekly MDT) within their
    caseload cap; a team manager may allocate to anyone in the team, and over the cap with a reason.
    `expected_owner_id` is who the user saw holding it: if someone else changed it meanwhile, the
    allocation is refused rather than silently overwritten.
    """
    item = _lock(work_item)
    if item.closed_at is not None:
        raise ApplicationError("This work is closed")
    if item.allocated_to_id != expected_owner_id:
        holder = item.allocated_to.full_name if item.allocated_to else "nobody"
        raise ConflictError(
            f"Someone else changed this allocation while you were looking: it is now with {holder}. "
            "Check the work again before allocating.",
            field="to_user",
        )
    if item.allocated_to_id == to_user.pk:
        raise ApplicationError(f"This work is already allocated to {to_user.full_name}", field="to_user")
    manager = is_team_manager(by, item.team)
    if to_user.pk != by.pk and not manager:
        raise ApplicationError("Only a team manager can allocate work to someone else", field="to_user")
    if not _is_member(to_user, item.team):
        raise ApplicationError(f"{to_user.full_name} is not in {item.team.name}", field="to_user")
    cap = caseload_cap(team=item.team, user=to_user)
    if cap is not None and caseload(team=item.team, user=to_user) >= cap:
        if not manager:
            raise ApplicationError(
                f"Your caseload is at its cap of {cap}: ask your team manager to allocate this", field="to_user"
            )
        if not over_cap_reason.strip():
            raise ApplicationError(
                f"{to_user.full_name} is at the caseload cap of {cap}: give a reason to allocate over it",
                field="over_cap_reason",
            )
    previous = item.allocated_to
    now = timezone.now()
    item.allocated_to = to_user
    item.allocated_at = now
    item.first_allocated_at = item.first_allocated_at or now
    item.save(update_fields=["allocated_to", "allocated_at", "first_allocated_at", "updated_at"])
    why = reason.strip() or ("Self-allocated" if to_user.pk == by.pk else "Allocated by team manager")
    if over_cap_reason.strip():
        why = f"{why} (over cap: {over_cap_reason.strip()})"
    Handoff.objects.create(
        work_item=item,
        person=item.person,
        from_team=item.team,
        to_team=item.team,
        from_worker=previous,
        to_worker=to_user,
        reason=why[:300],
        by=by,
    )
    add_to_chronology(
        person=item.person,
        category="work",
        summary=f"{item.title} allocated to {to_user.full_name}" + (f" (was {previous.full_name})" if previous else ""),
        by=by,
        link=_work_link(item),
    )
    audit.record(
        actor=by,
        action="work.allocated",
        target=item,
        person_id=item.person_id,
        snapshot={"to": to_user.pk, "from": previous.pk if previous else None},
    )
    _resolve_breaches(item)
    return item


@transaction.atomic
def return_to_waiting(*, work_item: WorkItem, by: User, reason: str) -> WorkItem:
    """Take work off a worker and put it back on the waiting list (e.g. long-term absence)."""
    if not reason.strip():
        raise ApplicationError("Enter why the work is going back to the waiting list", field="reason")
    item = _lock(work_item)
    if item.allocated_to is None:
        raise ApplicationError("This work is not allocated")
    if by.pk != item.allocated_to_id and not is_team_manager(by, item.team):
        raise ApplicationError("Only the allocated worker or a team manager can do this")
    previous = item.allocated_to
    item.allocated_to = None
    item.allocated_at = None
    today = timezone.localdate()
    item.next_contact_due = min(item.next_contact_due or today, next_contact_on(today, item.priority))
    item.save(update_fields=["allocated_to", "allocated_at", "next_contact_due", "updated_at"])
    Handoff.objects.create(
        work_item=item,
        person=item.person,
        from_team=item.team,
        to_team=item.team,
        from_worker=previous,
        to_worker=None,
        reason=reason.strip()[:300],
        by=by,
    )
    add_to_chronology(
        person=item.person,
        category="work",
        summary=f"{item.title} returned to the waiting list by {by.full_name}",
        by=by,
        detail=reason.strip(),
        link=_work_link(item),
    )
    audit.record(actor=by, action="work.returned", target=item, person_id=item.person_id)
    return item


def record_handoff(
    *,
    person: Person,
    by: User | None,
    reason: str,
    from_worker: User | None = None,
    to_worker: User | None = None,
    from_team: Team | None = None,
    to_team: Team | None = None,
) -> Handoff | None:
    """Count a change of the worker (or team) responsible for a person that is not a piece of work's: a young
    person's transitions worker, a move's coordinator. Call it inside the caller's transaction. Nothing is counted
    when nobody was responsible before (a first allocation) or nothing changed."""
    if from_worker is None and from_team is None:
        return None
    if getattr(from_worker, "pk", None) == getattr(to_worker, "pk", None) and getattr(from_team, "pk", None) == getattr(
        to_team, "pk", None
    ):
        return None
    team_changed = from_team is not None and to_team is not None and from_team.pk != to_team.pk
    return Handoff.objects.create(
        kind=HandoffKind.TEAM if team_changed else HandoffKind.WORKER,
        person=person,
        from_team=from_team,
        to_team=to_team,
        from_worker=from_worker,
        to_worker=to_worker,
        reason=reason.strip()[:300],
        by=by,
    )


@transaction.atomic
def transfer_work(*, work_item: WorkItem, to_team: Team, by: User, reason: str) -> WorkItem:
    """Move a piece of work to another council team (boundaries, a move of home, the wrong team), as a hand-off.

    A manager of the team holding the work does it. The work keeps its place: it waits in the new team from the day
    it was first asked for, with its priority and dates; it is no longer allocated (the new team allocates it)."""
    if not reason.strip():
        raise ApplicationError("Enter why the work is moving to another team", field="reason")
    item = _lock(work_item)
    if item.closed_at is not None:
        raise ApplicationError("This work is closed: it cannot move to another team")
    if not is_team_manager(by, item.team):
        raise ApplicationError(f"Only a manager of {item.team.name} can move its work to another team")
    if to_team.pk == item.team_id:
        raise ApplicationError(f"This work is already with {to_team.name}", field="to_team")
    if to_team.kind not in WORK_TEAM_KINDS or not to_team.organisation.is_this_council:
        raise ApplicationError(f"{to_team.name} does not hold work: choose a council team that does", field="to_team")
    from_team, previous = item.team, item.allocated_to
    item.team = to_team
    item.allocated_to = None
    item.allocated_at = None
    item.save(update_fields=["team", "allocated_to", "allocated_at", "updated_at"])
    Handoff.objects.create(
        kind=HandoffKind.TEAM,
        work_item=item,
        person=item.person,
        from_team=from_team,
        to_team=to_team,
        from_worker=previous,
        to_worker=None,
        reason=reason.strip()[:300],
        by=by,
    )
    add_to_chronology(
        person=item.person,
        category="work",
        summary=f"{item.title} moved from {from_team.name} to {to_team.name}",
        detail=reason.strip(),
        by=by,
        link=_work_link(item),
    )
    audit.record(
        actor=by,
        action="work.transferred",
        target=item,
        person_id=item.person_id,
        snapshot={
            "from_team": str(from_team.pk),
            "to_team": str(to_team.pk),
            "from_worker": getattr(previous, "pk", None),
        },
    )
    # Breaches already raised stay open until the new team allocates; their escalation goes to the new team's managers.
    return item


@transaction.atomic
def bulk_transfer(
    *, team: Team, to_team: Team, by: User, reason: str, neighbourhood: Neighbourhood | None = None
) -> int:
    """Move all of a team's open work, or that of the people in one neighbourhood, to another team (a change of
    boundaries): each item as transfer_work moves it, all or nothing. Returns how many items moved."""
    if not is_team_manager(by, team):
        raise ApplicationError(f"Only a manager of {team.name} can move its work to another team")
    if not reason.strip():
        raise ApplicationError("Enter why the work is moving to another team", field="reason")
    items = WorkItem.objects.open().filter(team=team)
    if neighbourhood is not None:
        items = items.filter(person__neighbourhood=neighbourhood)
    moving = list(items.select_for_update(of=("self",)).order_by("opened_at", "id"))
    if not moving:
        where = f" for people in {neighbourhood.name}" if neighbourhood is not None else ""
        raise ApplicationError(f"{team.name} has no open work{where} to move", field="neighbourhood")
    for item in moving:
        transfer_work(work_item=item, to_team=to_team, by=by, reason=reason)
    return len(moving)


@transaction.atomic
def bulk_reassign(*, team: Team, from_user: User, to_user: User | None, by: User, reason: str) -> int:
    """Move all of a worker's open work in a team to another worker, or back to the waiting list."""
    if not is_team_manager(by, team):
        raise ApplicationError("Only a team manager can reassign a caseload")
    if not reason.strip():
        raise ApplicationError("Enter why the caseload is being reassigned", field="reason")
    if to_user is not None and not _is_member(to_user, team):
        raise ApplicationError(f"{to_user.full_name} is not in {team.name}", field="to_user")
    items = list(WorkItem.objects.open().filter(team=team, allocated_to=from_user).select_for_update())
    for item in items:
        if to_user is None:
            return_to_waiting(work_item=item, by=by, reason=reason)
        else:
            allocate(
                work_item=item,
                to_user=to_user,
                by=by,
                expected_owner_id=from_user.pk,
                reason=reason,
                over_cap_reason=f"Bulk reassignment: {reason}",
            )
    return len(items)


@transaction.atomic
def close_work(*, work_item: WorkItem, by: User, outcome: str) -> WorkItem:
    if not outcome.strip():
        raise ApplicationError("Enter the outcome", field="outcome")
    item = _lock(work_item)
    if item.closed_at is not None:
        raise ApplicationError("This work is already closed")
    item.closed_at = timezone.now()
    item.outcome = outcome.strip()[:200]
    item.save(update_fields=["closed_at", "outcome", "updated_at"])
    add_to_chronology(
        person=item.person,
        category="work",
        summary=f"{item.title} closed: {item.outcome}",
        by=by,
        link=_work_link(item),
    )
    audit.record(
        actor=by, action="work.closed", target=item, person_id=item.person_id, snapshot={"outcome": item.outcome}
    )
    _resolve_breaches(item)
    return item


def _resolve_breaches(item: WorkItem) -> None:
    """Close the item's open breaches whose date is no longer missed (allocated, contacted, closed)."""
    today = timezone.localdate()
    for breach in Breach.objects.open().filter(work_item=item):
        due = item.next_contact_due if breach.kind == BreachKind.CONTACT_OVERDUE else item.allocation_due
        if not (item.is_waiting and due is not None and due < today):
            breach.resolved_at = timezone.now()
            breach.save(update_fields=["resolved_at", "updated_at"])


@dataclass(frozen=True)
class SweepResult:
    detected: int
    escalated_to: int


def team_managers(team_id: UUID) -> list[User]:
    return list(
        User.objects.filter(
            memberships__team_id=team_id, memberships__role=Role.TEAM_MANAGER, is_active=True
        ).distinct()
    )


def breach_recipients(team: Team) -> list[User]:
    """Who a breach in `team` is escalated to: its team managers.

    A team with no active manager (a vacancy, long-term absence) would leave the breach unseen, so it goes instead
    to the managers of the organisation's other teams of the same kind, who cover each other's work as peers (one
    neighbourhood team's manager for another's); and where there are none, to the organisation's directors, who
    oversee the whole service (accounts has no service-wide lead role below them). Each person once, however many
    of those teams they manage.
    """
    own = team_managers(team.pk)
    if own:
        return own
    people = User.objects.filter(is_active=True).order_by("full_name", "pk")
    # One filter() call: the role, the kind and the organisation are of the same membership.
    cover = people.filter(
        memberships__role=Role.TEAM_MANAGER,
        memberships__team__kind=team.kind,
        memberships__team__organisation_id=team.organisation_id,
    ).distinct()
    found = list(cover)
    if found:
        return found
    return list(
        people.filter(
            memberships__role=Role.DIRECTOR, memberships__team__organisation_id=team.organisation_id
        ).distinct()
    )


@transaction.atomic
def sweep_breaches(*, today: date | None = None) -> SweepResult:
    """Find unallocated work past its contact or allocation date and escalate each once to its managers (or, for a
    team without one, to those breach_recipients names).

    Idempotent: a breach is recorded once per item, kind and due date, and its notification once.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    detected = 0
    managers_notified: set[int] = set()
    checks = (
        (BreachKind.CONTACT_OVERDUE, WorkItem.objects.contact_overdue(today), "next_contact_due"),
        (BreachKind.ALLOCATION_OVERDUE, WorkItem.objects.allocation_overdue(today), "allocation_due"),
    )
    managers_by_team: dict[UUID, list[User]] = {}
    for kind, queryset, field in checks:
        existing = set(Breach.objects.filter(kind=kind, work_item__in=queryset).values_list("work_item_id", "due_on"))
        for item in queryset.select_related("person", "team"):
            due = getattr(item, field)
            if (item.pk, due) in existing:
                continue
            breach = Breach.objects.create(work_item=item, kind=kind, due_on=due, detected_at=now)
            detected += 1
            if item.team_id not in managers_by_team:
                managers_by_team[item.team_id] = breach_recipients(item.team)
            managers = managers_by_team[item.team_id]
            notify(
                recipients=managers,
                message=(
                    f"{breach.get_kind_display()}: {item.person.full_name}, {item.title} "
                    f"({item.priority}), due {due:%d/%m/%Y}"
                ),
                link=_work_link(item),
                dedupe_key=f"breach:{breach.pk}",
            )
            managers_notified.update(m.pk for m in managers)
    if detected:
        audit.record(
            actor=None,
            action="work.breaches_swept",
            target=RiskMatrix.objects.get_or_create(id=1)[0],
            snapshot={"detected": detected, "on": today.isoformat()},
            actor_label="breach sweep",
        )
    return SweepResult(detected=detected, escalated_to=len(managers_notified))
