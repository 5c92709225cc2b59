"""Transition plans: creating, planning, readiness, the move, the check after it; and the daily continuity sweep.

One transaction each (ADR-005). Other apps (hospital discharge, young people) create plans through create_plan.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Organisation, Role, Team, User
from safepathways.audit import services as audit
from safepathways.core.clocks import add_working_days
from safepathways.core.errors import ApplicationError
from safepathways.notifications.services import notify
from safepathways.people.models import Person
from safepathways.people.services import add_to_chronology
from safepathways.transitions import gaps, rules
from safepathways.transitions.models import (
    ALLOWED_TRANSITIONS,
    Agreement,
    Arrangement,
    ArrangementTemplate,
    Gap,
    GapStatus,
    ItemStatus,
    MoveRisk,
    Plan,
    PlanKind,
    PlanStatus,
    PlanStatusChange,
    PostMoveCheck,
    Step,
    TransitionSettings,
)
from safepathways.work.handoffs import record_move_handoff
from safepathways.work.models import HandoffKind
from safepathways.work.services import record_handoff

# Run as listener(plan, by) in the same transaction whenever what makes a plan ready may have changed: an essential
# arrangement done or open again, one added, the plan marked ready or taken back to planning. A layer above (hospital
# discharge) keeps its own idea of "ready" in step with the plan's without transitions importing it.
PlanListener = Callable[[Plan, User], None]
_readiness_listeners: list[PlanListener] = []


def register_readiness_listener(listener: PlanListener) -> None:
    """Run `listener(plan, by)` when a plan's readiness may have changed, in its transaction (twice is harmless)."""
    if listener not in _readiness_listeners:
        _readiness_listeners.append(listener)


def _readiness_may_have_changed(plan: Plan, by: User) -> None:
    for listener in _readiness_listeners:
        listener(plan, by)


def plan_link(plan: Plan) -> str:
    return reverse("transitions:plan", args=[plan.pk])


def _lock(plan: Plan) -> Plan:
    return Plan.objects.select_for_update(of=("self",)).select_related("person", "team").get(pk=plan.pk)


def _change_status(plan: Plan, status: str, *, by: User | None, reason: str = "") -> None:
    if status not in ALLOWED_TRANSITIONS[plan.status]:
        raise ApplicationError(
            f"A plan that is {plan.get_status_display().lower()} cannot become {PlanStatus(status).label.lower()}"
        )
    plan.status = status
    PlanStatusChange.objects.create(plan=plan, status=status, reason=reason, by=by)


def _manages_team(user: User, team_id: object) -> bool:
    """A team manager of this team. ADR-014: overriding readiness is the plan's own team's call, not any manager's."""
    return user.is_council_staff and any(
        m.team_id == team_id and m.role == Role.TEAM_MANAGER for m in user.memberships_cached
    )


def _works_here_now(user: User) -> bool:
    return user.is_active and user.is_council_staff


def _require(value: str, message: str, field_name: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise ApplicationError(message, field=field_name)
    return cleaned


@transaction.atomic
def create_plan(
    *,
    person: Person,
    kind: str,
    moving_from: str,
    moving_to: str,
    planned_on: date,
    team: Team,
    coordinator: User,
    by: User | None,
    source_label: str = "",
    shared_with: Iterable[Organisation] = (),
    today: date | None = None,
) -> Plan:
    """Start a plan for a move, with the practical arrangements that this kind of move needs."""
    today = today or timezone.localdate()
    if kind not in PlanKind.values:
        raise ApplicationError("Choose what kind of move this is", field="kind")
    _require(moving_from, "Enter where the person is moving from", "moving_from")
    _require(moving_to, "Enter where the person is moving to", "moving_to")
    if planned_on < today:
        raise ApplicationError("The planned move date must be today or in the future", field="planned_on")
    if person.date_of_death is not None:
        raise ApplicationError("This person has died; a move cannot be planned", field="person")
    if not coordinator.is_active:
        raise ApplicationError("Choose a coordinator who works here now", field="coordinator")
    plan = Plan(
        person=person,
        kind=kind,
        moving_from=moving_from.strip(),
        moving_to=moving_to.strip(),
        planned_on=planned_on,
        team=team,
        coordinator=coordinator,
        source_label=source_label,
        created_by=by,
    )
    plan.full_clean()
    plan.save()
    PlanStatusChange.objects.create(plan=plan, status=PlanStatus.PLANNING, reason="Plan started", by=by)
    templates = ArrangementTemplate.objects.filter(kind=kind, is_active=True)
    Arrangement.objects.bulk_create(
        Arrangement(
            plan=plan, code=t.code, label=t.label, is_essential=t.is_essential, after_move=t.after_move, order=t.order
        )
        for t in templates
    )
    organisations = list(shared_with)
    if organisations:
        plan.shared_with.add(*organisations)
    add_to_chronology(
        person=person,
        category="transition",
        summary=f"{plan.get_kind_display()} planned for {planned_on:%-d %B %Y}: {plan.moving_from} to {plan.moving_to}",
        by=by,
        link=plan_link(plan),
    )
    audit.record(
        actor=by,
        action="transition.plan_created",
        target=plan,
        person_id=person.pk,
        snapshot={"kind": kind, "planned_on": planned_on.isoformat()},
        actor_label="" if by else "system",
    )
    return plan


PLAN_DETAIL_FIELDS = (
    "moving_from",
    "moving_to",
    "planned_on",
    "coordinator",
    "persons_views",
    "what_matters",
    "carers_views",
    "person_agreement",
    "carer_agreement",
)


@transaction.atomic
def update_plan(*, plan: Plan, by: User, data: dict[str, Any], today: date | None = None) -> Plan:
    """Change the move's details, or record the person's and carer's views and whether they agreed."""
    today = today or timezone.localdate()
    unknown = set(data) - set(PLAN_DETAIL_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    locked = _open_plan(plan)
    for name in ("moving_from", "moving_to"):
        if name in data:
            data[name] = _require(str(data[name]), f"Enter where the person is moving {name.split('_')[1]}", name)
    brought_forward: list[tuple[Arrangement, date]] = []
    if "planned_on" in data and data["planned_on"] != locked.planned_on:
        if data["planned_on"] < today:
            raise ApplicationError("The planned move date must be today or in the future", field="planned_on")
        brought_forward = _essentials_due_after(locked, data["planned_on"])
    for name in ("person_agreement", "carer_agreement"):
        if name in data and data[name] not in Agreement.values:
            raise ApplicationError("Choose whether they agreed the plan", field=name)
    # The coordinator is named to the person and family as who organises the move: council staff only.
    coordinator: User | None = data.get("coordinator")
    if coordinator is not None and coordinator.pk != locked.coordinator_id and not _works_here_now(coordinator):
        raise ApplicationError("Choose a coordinator who works for the council now", field="coordinator")
    changed = sorted(name for name, value in data.items() if getattr(locked, name) != value)
    previous_coordinator = locked.coordinator
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    if "planned_on" in changed:
        add_to_chronology(
            person=locked.person,
            category="transition",
            summary=f"Move date changed to {locked.planned_on:%-d %B %Y}",
            by=by,
            link=plan_link(locked),
        )
    if brought_forward:
        _bring_forward(locked, brought_forward, by)
    if "coordinator" in changed:
        add_to_chronology(
            person=locked.person,
            category="transition",
            summary=f"{locked.coordinator.full_name} now coordinates the move",
            by=by,
            link=plan_link(locked),
        )
        record_handoff(
            person=locked.person,
            by=by,
            reason=f"Coordinator of the {locked.get_kind_display().lower()} plan changed",
            from_worker=previous_coordinator,
            to_worker=locked.coordinator,
        )
    snapshot: dict[str, Any] = {"fields": changed}
    if brought_forward:
        snapshot["brought_forward"] = [f"{item.label} (was due {was.isoformat()})" for item, was in brought_forward]
    audit.record(
        actor=by, action="transition.plan_updated", target=locked, person_id=locked.person_id, snapshot=snapshot
    )
    return locked


def _essentials_due_after(plan: Plan, planned_on: date) -> list[tuple[Arrangement, date]]:
    """The open essential arrangements due after a new, earlier move date: refused, unless the hospital set it.

    ADR-014: an essential arrangement must be in place by the move, so a move date cannot be brought before the
    date one of them is due; the practitioner changes the arrangement's date first. The exception is a plan that
    follows a hospital discharge referral, when the new date is the planned discharge date the hospital team has
    just agreed (discharges.services calls update_plan with it). The hospital decides when the person is well
    enough to leave, and that decision is not held up by the plan: the arrangements' due dates are brought forward
    to the new move date instead, and _bring_forward records that and tells the coordinator. The arrangements
    stay open, so readiness still waits for them. Returns those arrangements with the date each was due.
    An arrangement done after the move (Arrangement.after_move) is not held to the move date.
    """
    late = list(
        plan.arrangements.filter(
            is_essential=True, after_move=False, status=ItemStatus.OPEN, due_on__gt=planned_on
        ).order_by("due_on", "order")
    )
    if not late:
        return []
    # The referral is a layer above transitions: read through the relation's name, without importing it.
    set_by_hospital = Plan.objects.filter(pk=plan.pk, discharge_referral__planned_discharge_on=planned_on).exists()
    if not set_by_hospital:
        if len(late) == 1:
            only = late[0]
            message = f"{only.label} is due on {only.due_on:%-d %B %Y}, after the new move date; change its date first"
        else:
            names = [f"{a.label} (due {a.due_on:%-d %B %Y})" for a in late]
            message = (
                f"{', '.join(names[:-1])} and {names[-1]} are due after the new move date; change their dates first"
            )
        raise ApplicationError(message, field="planned_on")
    found: list[tuple[Arrangement, date]] = []
    for item in late:
        assert item.due_on is not None  # filtered on due_on__gt
        found.append((item, item.due_on))
    return found


def _bring_forward(plan: Plan, late: list[tuple[Arrangement, date]], by: User) -> None:
    """Make the open essential arrangements due on the plan's new, earlier move date, and say so."""
    for item, _was in late:
        item.due_on = plan.planned_on
        item.save(update_fields=["due_on", "updated_at"])
    detail = "; ".join(f"{item.label} (was due {was:%-d %B %Y})" for item, was in late)
    add_to_chronology(
        person=plan.person,
        category="transition",
        summary=(
            f"Hospital discharge date moved to {plan.planned_on:%-d %B %Y}: open essential arrangements brought "
            "forward to it"
        ),
        by=by,
        detail=detail,
        link=plan_link(plan),
    )
    notify(
        recipients=[u for u in (plan.coordinator,) if u.pk != by.pk and u.is_active],
        message=(
            f"The move for {plan.person.reference} is now on {plan.planned_on:%-d %B %Y}, the new discharge date: "
            f"these essential arrangements are now due that day: {detail}"
        ),
        link=plan_link(plan),
    )


@dataclass(frozen=True)
class Owner:
    name: str
    organisation: Organisation | None = None
    role: str = ""
    phone: str = ""


def _owner_fields(owner: Owner) -> dict[str, Any]:
    return {
        "owner_name": _require(owner.name, "Enter who will do it", "owner_name"),
        "owner_organisation": owner.organisation,
        "owner_role": owner.role.strip(),
        "owner_phone": owner.phone.strip(),
    }


def _closed_message(plan: Plan) -> str:
    """Why this plan cannot be changed, in the words of its status."""
    if plan.status == PlanStatus.CANCELLED:
        return "This move was cancelled; its plan can no longer be changed"
    if plan.status == PlanStatus.CHECKED:
        return "The move has been checked and the plan is closed; it can no longer be changed"
    if plan.status == PlanStatus.MOVED:
        return (
            "The person has moved; only the plan's steps, arrangements and risks can be updated until the check "
            "after the move"
        )
    return "This plan is closed; it can no longer be changed"


def _open_plan(plan: Plan) -> Plan:
    """The plan, locked, while the move is still being planned (planning or ready)."""
    locked = _lock(plan)
    if not locked.is_open:
        raise ApplicationError(_closed_message(locked))
    return locked


def _plan_with_open_checklist(plan: Plan) -> Plan:
    """The plan, locked, while its steps and arrangements may still be updated and risks added.

    That is while it is planned or ready, and after the move until the check after it: an emergency move is recorded
    after the event with its checklist open for the day team to complete, and a recorded hospital discharge moves a
    plan whatever is still open. A cancelled or checked plan is closed.
    """
    locked = _lock(plan)
    if not locked.checklist_open:
        raise ApplicationError(_closed_message(locked))
    return locked


def _check_due(due_on: date | None, today: date) -> None:
    if due_on is not None and due_on < today:
        raise ApplicationError("The due date must be today or in the future", field="due_on")


def _check_essential_due(plan: Plan, due_on: date | None) -> None:
    """An essential arrangement is one the move cannot safely happen without (ADR-014): due after the planned
    move, it could not be in place on the day."""
    if due_on is not None and plan.planned_on is not None and due_on > plan.planned_on:
        raise ApplicationError(
            f"An essential arrangement must be in place by the move on {plan.planned_on:%-d %B %Y}: "
            "choose a date on or before it",
            field="due_on",
        )


def _readiness_lost(plan: Plan, by: User, what: str) -> None:
    """An essential arrangement is open again on a ready plan: the plan goes back to planning.

    ADR-014: a move is ready only while no essential arrangement is open, unless a team manager overrode that with
    a reason. Without an override, adding an essential arrangement or setting one back to "to do" undoes the
    readiness, so it is recorded as any other change of status is (history, chronology, audit). With an override
    the manager has already accepted going ahead with arrangements open, so the plan stays ready.
    """
    if plan.status != PlanStatus.READY or plan.ready_override_reason:
        return
    reason = f"Back to planning: the essential arrangement “{what}” is not in place"
    _change_status(plan, PlanStatus.PLANNING, by=by, reason=reason)
    plan.save()
    add_to_chronology(
        person=plan.person,
        category="transition",
        summary="Move no longer ready: an essential arrangement is open",
        by=by,
        detail=reason,
        link=plan_link(plan),
    )
    audit.record(
        actor=by, action="transition.reopened", target=plan, person_id=plan.person_id, snapshot={"arrangement": what}
    )


@transaction.atomic
def add_step(
    *, plan: Plan, by: User, description: str, owner: Owner, due_on: date | None, today: date | None = None
) -> Step:
    """Add what happens next and who does it (after the move too, until the check after it)."""
    locked = _plan_with_open_checklist(plan)
    _check_due(due_on, today or timezone.localdate())
    step = Step(plan=locked, description=_require(description, "Enter what will happen", "description"), due_on=due_on)
    for name, value in _owner_fields(owner).items():
        setattr(step, name, value)
    step.full_clean()
    step.save()
    audit.record(
        actor=by,
        action="transition.step_added",
        target=step,
        person_id=locked.person_id,
        snapshot={"owner": owner.name},
    )
    return step


@transaction.atomic
def add_arrangement(
    *,
    plan: Plan,
    by: User,
    label: str,
    owner: Owner,
    due_on: date | None,
    is_essential: bool = True,
    today: date | None = None,
) -> Arrangement:
    """Add a practical arrangement the checklist for this kind of move does not already have."""
    locked = _open_plan(plan)
    _check_due(due_on, today or timezone.localdate())
    if is_essential:
        _check_essential_due(locked, due_on)
    last = locked.arrangements.order_by("-order").values_list("order", flat=True).first() or 0
    item = Arrangement(
        plan=locked,
        label=_require(label, "Enter the arrangement", "label"),
        is_essential=is_essential,
        due_on=due_on,
        order=last + 1,
    )
    for name, value in _owner_fields(owner).items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    audit.record(actor=by, action="transition.arrangement_added", target=item, person_id=locked.person_id, snapshot={})
    if item.is_essential:
        _readiness_lost(locked, by, item.label)
        _readiness_may_have_changed(locked, by)
    return item


def _item(model: type[Step] | type[Arrangement], plan: Plan, item_id: UUID) -> Step | Arrangement:
    found = model.objects.filter(plan=plan, pk=item_id).first()
    if found is None:
        raise ApplicationError("That item is not part of this plan")
    return found


@transaction.atomic
def update_item(
    *,
    plan: Plan,
    by: User,
    kind: str,
    item_id: UUID,
    owner: Owner,
    due_on: date | None,
    status: str,
    note: str = "",
    today: date | None = None,
) -> Step | Arrangement:
    """Give a step or an arrangement its owner and due date, or mark it done or not needed.

    After the move too, until the check after it (an emergency move's checklist is completed by the day team). The
    move has then happened, so an essential arrangement is no longer held to be due by the move date; nor, ever, is
    one done after the move (Arrangement.after_move), which the move's readiness does not wait for either.
    """
    locked = _plan_with_open_checklist(plan)
    model: type[Step] | type[Arrangement] = Step if kind == "step" else Arrangement
    item = _item(model, locked, item_id)
    if status not in ItemStatus.values:
        raise ApplicationError("Choose whether it is done", field="status")
    if due_on != item.due_on:
        _check_due(due_on, today or timezone.localdate())
        if isinstance(item, Arrangement) and item.holds_readiness and locked.is_open:
            _check_essential_due(locked, due_on)
    for name, value in _owner_fields(owner).items():
        setattr(item, name, value)
    if status == ItemStatus.NOT_NEEDED and isinstance(item, Arrangement) and item.is_essential and not note.strip():
        raise ApplicationError("Say why an essential arrangement is not needed", field="note")
    previous = item.status
    item.due_on, item.status, item.note = due_on, status, note.strip()
    if status != ItemStatus.OPEN and previous == ItemStatus.OPEN:
        item.completed_at, item.completed_by = timezone.now(), by
    elif status == ItemStatus.OPEN:
        item.completed_at, item.completed_by = None, None
    item.full_clean()
    item.save()
    audit.record(
        actor=by,
        action=f"transition.{kind}_updated",
        target=item,
        person_id=locked.person_id,
        snapshot={"status": status, "owner": owner.name},
    )
    if isinstance(item, Arrangement) and item.holds_readiness and status == ItemStatus.OPEN and previous != status:
        _readiness_lost(locked, by, item.label)
    if isinstance(item, Arrangement) and item.holds_readiness and previous != status:
        _readiness_may_have_changed(locked, by)
    return item


@transaction.atomic
def add_risk(*, plan: Plan, by: User, risk: str, contingency: str, owner: Owner) -> MoveRisk:
    """Record a risk of the move and the contingency if it comes about, with who acts on it (until the check)."""
    locked = _plan_with_open_checklist(plan)
    row = MoveRisk(
        plan=locked,
        risk=_require(risk, "Enter what could go wrong", "risk"),
        contingency=_require(contingency, "Enter what happens if it does", "contingency"),
        owner_name=_require(owner.name, "Enter who acts on it", "owner_name"),
        owner_organisation=owner.organisation,
        owner_phone=owner.phone.strip(),
    )
    row.full_clean()
    row.save()
    audit.record(actor=by, action="transition.risk_added", target=row, person_id=locked.person_id, snapshot={})
    return row


def blocking_arrangements(plan: Plan) -> list[Arrangement]:
    """The essential arrangements still open that are done before the move: while there are any, it is not ready.

    One done after the move (Arrangement.after_move, e.g. the day team's handover after an out-of-hours move) cannot
    be in place first, so readiness does not wait for it: it stays on the checklist until the check after the move,
    and the plan shows it once it is past its due date.
    """
    return list(plan.arrangements.filter(is_essential=True, after_move=False, status=ItemStatus.OPEN))


@transaction.atomic
def mark_ready(*, plan: Plan, by: User, override_reason: str = "") -> Plan:
    """The move is ready: every essential arrangement done before the move is in place, or a manager overrides with
    a reason. Those done after the move (Arrangement.after_move) are not waited for."""
    locked = _open_plan(plan)
    blocking = blocking_arrangements(locked)
    reason = override_reason.strip()
    if blocking:
        names = ", ".join(a.label for a in blocking)
        if not reason:
            raise ApplicationError(f"These essential arrangements are still open: {names}", field="override_reason")
        if not _manages_team(by, locked.team_id):
            raise ApplicationError(
                f"Only a team manager of {locked.team.name} can mark a move ready while essential arrangements "
                f"are open ({names})",
                field="override_reason",
            )
        locked.ready_override_reason, locked.ready_override_by = reason, by
    _change_status(locked, PlanStatus.READY, by=by, reason=reason)
    locked.save()
    add_to_chronology(
        person=locked.person,
        category="transition",
        summary="Move marked ready" + (" by manager override" if blocking else ""),
        by=by,
        detail=reason,
        link=plan_link(locked),
    )
    audit.record(
        actor=by,
        action="transition.ready",
        target=locked,
        person_id=locked.person_id,
        snapshot={"override": bool(blocking), "open_arrangements": [a.label for a in blocking]},
    )
    _readiness_may_have_changed(locked, by)
    return locked


@transaction.atomic
def reopen_planning(*, plan: Plan, by: User, reason: str) -> Plan:
    """Take a ready plan back to planning (something changed)."""
    locked = _lock(plan)
    _change_status(locked, PlanStatus.PLANNING, by=by, reason=_require(reason, "Enter what changed", "reason"))
    locked.ready_override_reason, locked.ready_override_by = "", None
    locked.save()
    audit.record(actor=by, action="transition.reopened", target=locked, person_id=locked.person_id, snapshot={})
    _readiness_may_have_changed(locked, by)
    return locked


# Every kind of move hands the person on from one organisation or team to another (the issue: "every change of
# responsible team, worker or organisation counted per person"): to another provider, council, care home or
# placement, or out of hospital. Child to adult services hands them from the children's team to an adult team.
HANDOFF_KINDS: dict[str, str] = {PlanKind.CHILD_TO_ADULT: HandoffKind.TEAM}


def _count_handoff(plan: Plan, by: User | None, taken_over_by: str = "") -> None:
    """The move hands the person on from where they were to where they went: counted once, when it is recorded."""
    taken_over_by = taken_over_by.strip()
    record_move_handoff(
        person=plan.person,
        by=by,
        what=plan.get_kind_display(),
        handed_from=plan.moving_from,
        handed_to=f"{taken_over_by} ({plan.moving_to})" if taken_over_by else plan.moving_to,
        team=plan.team,
        kind=HANDOFF_KINDS.get(plan.kind, HandoffKind.ORGANISATION),
    )


def _date_after_move_arrangements(plan: Plan, moved_on: date) -> None:
    """An open arrangement done after the move with no due date falls due the next working day after it.

    The seeded one is the day team's handover of an out-of-hours move "the next working day" (migration 0002): with
    that date, one still open after it shows on the plan as past its due date. Its owner may change the date.
    """
    plan.arrangements.filter(after_move=True, status=ItemStatus.OPEN, due_on__isnull=True).update(
        due_on=add_working_days(moved_on, 1), updated_at=timezone.now()
    )


def _moved_at(moved_on: date, now: datetime) -> datetime:
    if moved_on == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.combine(moved_on, time(12)))


@transaction.atomic
def record_move(
    *,
    plan: Plan,
    by: User,
    moved_on: date,
    now: datetime | None = None,
    happened_reason: str = "",
    taken_over_by: str = "",
) -> Plan:
    """The person moved: the check that it went as planned falls due after the configured interval.

    A move is recorded from a ready plan with no essential arrangement open, unless a team manager overrode that
    (ADR-014). `happened_reason` is for a move that another record already says has happened, such as a recorded
    hospital discharge: the person has gone, so readiness cannot hold the fact back. The plan then passes through
    ready by itself with that reason standing as the override, as record_emergency_move does, so its history shows
    that nobody marked it ready and why, the arrangements still open are kept in the audit snapshot, and the check
    after the move is still scheduled. The date is that record's own, already checked by its service, and may be
    before the plan was started (a discharge recorded late).

    The move is counted as a hand-off for the person, from the plan's moving_from to its moving_to, or to
    `taken_over_by` there when the destination does not name who takes over (a discharge names the support
    provider). That is the one count for the move: a recorded hospital discharge that moves its plan here does not
    count it again (discharges.services.record_discharge).
    """
    now = now or timezone.now()
    locked = _lock(plan)
    happened = happened_reason.strip()
    if locked.status != PlanStatus.READY and not (happened and locked.status == PlanStatus.PLANNING):
        raise ApplicationError("Mark the move ready before recording that it happened")
    if moved_on > timezone.localdate(now):
        raise ApplicationError("The move date must be today or in the past", field="moved_on")
    blocking = blocking_arrangements(locked)
    if not happened:
        if blocking and not locked.ready_override_reason:
            names = ", ".join(a.label for a in blocking)
            raise ApplicationError(
                f"These essential arrangements are still open: {names}. Put them in place, or take the plan back "
                "to planning for a team manager to decide whether the move goes ahead without them"
            )
        if moved_on < timezone.localdate(locked.created_at):
            raise ApplicationError("The move date must be on or after the day the plan was started", field="moved_on")
    if locked.status == PlanStatus.PLANNING:
        locked.ready_override_reason, locked.ready_override_by = happened, None
        _change_status(locked, PlanStatus.READY, by=None, reason=happened)
    hours = TransitionSettings.current().post_move_check_hours
    locked.moved_on = moved_on
    locked.check_due_at = _moved_at(moved_on, now) + timedelta(hours=hours)
    _change_status(locked, PlanStatus.MOVED, by=by, reason=happened)
    locked.save()
    _date_after_move_arrangements(locked, moved_on)
    _count_handoff(locked, by, taken_over_by)
    add_to_chronology(
        person=locked.person,
        category="transition",
        summary=f"Moved to {locked.moving_to} on {moved_on:%-d %B %Y}",
        by=by,
        detail=happened,
        link=plan_link(locked),
    )
    audit.record(
        actor=by,
        action="transition.moved",
        target=locked,
        person_id=locked.person_id,
        snapshot={
            "moved_on": moved_on.isoformat(),
            "check_due_at": locked.check_due_at.isoformat(),
            "reason": happened,
            "open_arrangements": [a.label for a in blocking],
        },
    )
    return locked


@transaction.atomic
def record_check(
    *,
    plan: Plan,
    by: User,
    spoke_to: str,
    went_as_planned: bool,
    problems: str = "",
    feedback_to: str = "",
    now: datetime | None = None,
) -> PostMoveCheck:
    """Record the check after the move; problems are fed back to the coordinator and the team's managers."""
    locked = _lock(plan)
    if locked.status != PlanStatus.MOVED:
        raise ApplicationError("Record the move before the check after it")
    spoke = _require(spoke_to, "Enter who you spoke to", "spoke_to")
    if not went_as_planned and not problems.strip():
        raise ApplicationError("Describe what did not go as planned", field="problems")
    if not went_as_planned and not feedback_to.strip():
        raise ApplicationError("Enter who the problems were fed back to", field="feedback_to")
    check = PostMoveCheck.objects.create(
        plan=locked,
        checked_at=now or timezone.now(),
        by=by,
        spoke_to=spoke,
        went_as_planned=went_as_planned,
        problems=problems.strip(),
        feedback_to=feedback_to.strip(),
    )
    _change_status(locked, PlanStatus.CHECKED, by=by)
    locked.save()
    summary = "Check after the move: went as planned" if went_as_planned else "Check after the move: problems found"
    add_to_chronology(
        person=locked.person,
        category="transition",
        summary=summary,
        by=by,
        detail=check.problems,
        link=plan_link(locked),
    )
    if not went_as_planned:
        managers = User.objects.filter(
            memberships__team_id=locked.team_id, memberships__role=Role.TEAM_MANAGER, is_active=True
        )
        notify(
            recipients=[locked.coordinator, *managers],
            message=f"A move did not go as planned ({locked.person.reference}): {check.problems}",
            link=plan_link(locked),
        )
    audit.record(
        actor=by,
        action="transition.checked",
        target=check,
        person_id=locked.person_id,
        snapshot={"went_as_planned": went_as_planned},
    )
    return check


@transaction.atomic
def record_emergency_move(
    *,
    person: Person,
    moving_from: str,
    moving_to: str,
    team: Team,
    coordinator: User,
    by: User,
    reason: str,
    now: datetime | None = None,
) -> Plan:
    """An emergency move that has already happened (e.g. residents moved out of a flooded home at night).

    The plan is recorded after the event: it goes straight to moved, with the reason as the readiness override,
    so the check after the move falls due and the emergency checklist stays open for the day team to complete. The
    move is counted as a hand-off, as record_move counts one.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    plan = create_plan(
        person=person,
        kind=PlanKind.EMERGENCY_MOVE,
        moving_from=moving_from,
        moving_to=moving_to,
        planned_on=today,
        team=team,
        coordinator=coordinator,
        by=by,
        source_label=reason[:100],
        today=today,
    )
    plan.ready_override_reason, plan.ready_override_by = reason, by
    _change_status(plan, PlanStatus.READY, by=by, reason=reason)
    plan.moved_on = today
    plan.check_due_at = now + timedelta(hours=TransitionSettings.current().post_move_check_hours)
    _change_status(plan, PlanStatus.MOVED, by=by, reason=reason)
    plan.save()
    _date_after_move_arrangements(plan, today)
    _count_handoff(plan, by)
    add_to_chronology(
        person=person,
        category="transition",
        summary=f"Emergency move to {plan.moving_to}",
        by=by,
        detail=reason,
        link=plan_link(plan),
    )
    audit.record(
        actor=by, action="transition.emergency_move", target=plan, person_id=person.pk, snapshot={"reason": reason}
    )
    return plan


@transaction.atomic
def cancel_plan(*, plan: Plan, by: User, reason: str) -> Plan:
    locked = _lock(plan)
    _change_status(
        locked, PlanStatus.CANCELLED, by=by, reason=_require(reason, "Enter why the move is cancelled", "reason")
    )
    locked.save()
    add_to_chronology(
        person=locked.person,
        category="transition",
        summary="Move cancelled",
        by=by,
        detail=reason,
        link=plan_link(locked),
    )
    audit.record(actor=by, action="transition.cancelled", target=locked, person_id=locked.person_id, snapshot={})
    return locked


@transaction.atomic
def share_plan(*, plan: Plan, by: User, organisation: Organisation) -> Plan:
    """Let a partner organisation see and follow this plan (not the rest of the person's record)."""
    if organisation.is_this_council:
        raise ApplicationError("Choose a partner organisation", field="organisation")
    plan.shared_with.add(organisation)
    audit.record(
        actor=by,
        action="transition.shared",
        target=plan,
        person_id=plan.person_id,
        snapshot={"organisation": organisation.name},
    )
    return plan


@transaction.atomic
def unshare_plan(*, plan: Plan, by: User, organisation: Organisation) -> Plan:
    """Stop sharing the plan with a partner organisation: its staff no longer see it, at once."""
    if not plan.shared_with.filter(pk=organisation.pk).exists():
        raise ApplicationError(f"The plan is not shared with {organisation.name}", field="organisation")
    plan.shared_with.remove(organisation)
    audit.record(
        actor=by,
        action="transition.unshared",
        target=plan,
        person_id=plan.person_id,
        snapshot={"organisation": organisation.name},
    )
    return plan


# --- Continuity: the daily gap sweep -------------------------------------------------------------------------


@dataclass
class GapSweepResult:
    opened: int = 0
    resolved: int = 0
    reopened: int = 0
    open_by_rule: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def sweep_gaps(*, today: date | None = None) -> GapSweepResult:
    """Run every continuity rule; open new gaps, resolve those no longer found. Running it twice changes nothing."""
    today = today or timezone.localdate()
    result = GapSweepResult()
    for rule in gaps.all_rules():
        existing = {
            key: (pk, status)
            for pk, key, status in Gap.objects.filter(rule=rule.code).values_list("pk", "subject_key", "status")
        }
        found: set[str] = set()
        new: list[Gap] = []
        reopen: list[object] = []
        for finding in rule.find(today):
            if finding.subject_key in found:
                continue
            found.add(finding.subject_key)
            known = existing.get(finding.subject_key)
            if known is None:
                new.append(
                    Gap(
                        rule=rule.code,
                        subject_key=finding.subject_key,
                        person_id=finding.person_id,
                        team_id=finding.team_id,
                        detail=finding.detail[:300],
                        since=finding.since,
                        found_on=today,
                    )
                )
            elif known[1] == GapStatus.RESOLVED:
                reopen.append(known[0])
        Gap.objects.bulk_create(new, batch_size=1000)
        gone = [pk for key, (pk, status) in existing.items() if status == GapStatus.OPEN and key not in found]
        for start in range(0, len(gone), 1000):
            Gap.objects.filter(pk__in=gone[start : start + 1000]).update(
                status=GapStatus.RESOLVED, closed_on=today, updated_at=timezone.now()
            )
        for start in range(0, len(reopen), 1000):
            Gap.objects.filter(pk__in=reopen[start : start + 1000]).update(
                status=GapStatus.OPEN, closed_on=None, found_on=today, updated_at=timezone.now()
            )
        result.opened += len(new)
        result.resolved += len(gone)
        result.reopened += len(reopen)
        result.open_by_rule[rule.code] = sum(
            1 for key in found if existing.get(key, (None, GapStatus.OPEN))[1] != GapStatus.EXPLAINED
        )
    return result


@transaction.atomic
def explain_gap(*, gap: Gap, by: User, explanation: str) -> Gap:
    """Staff say why this is not a gap (e.g. the person chose to stop the service); it stays closed."""
    locked = Gap.objects.select_for_update(of=("self",)).get(pk=gap.pk)
    if not rules.may_explain_gap(by, locked.team_id):
        raise ApplicationError("Only the gap's team or a team manager can explain this gap")
    if locked.status != GapStatus.OPEN:
        raise ApplicationError("This gap is already closed")
    locked.status = GapStatus.EXPLAINED
    locked.explanation = _require(explanation, "Enter why this is not a gap, or what was done", "explanation")
    locked.explained_by, locked.closed_on = by, timezone.localdate()
    locked.save()
    add_to_chronology(
        person=locked.person,
        category="continuity",
        summary=f"Continuity check explained: {locked.detail}",
        by=by,
        detail=locked.explanation,
    )
    audit.record(actor=by, action="continuity.explained", target=locked, person_id=locked.person_id, snapshot={})
    return locked
