"""Transition plans as the services make them, written in bulk: for the borough's discharges and young people.

transitions.services.create_plan starts a plan with a "Plan started" status change, the practical arrangements
the kind of move needs (the active ArrangementTemplate rows) and a line in the person's chronology; the apps that
start plans (hospital discharge, young people) may share it with a partner. PlanRows builds the same rows, plus
the steps, readiness, move and check after the move that staff would have recorded since, and writes them with
bulk_create (no per-row service calls, so it stays fast at county scale). Nothing is audited: the generator
records one `borough.generated` event for the whole borough.
"""

import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import User
from safepathways.people.models import ChronologyEntry
from safepathways.transitions.models import (
    Arrangement,
    ArrangementTemplate,
    ItemStatus,
    Plan,
    PlanKind,
    PlanStatus,
    PlanStatusChange,
    PostMoveCheck,
    Step,
    TransitionSettings,
)

BATCH = 2000


def fork(rng: random.Random, salt: str) -> random.Random:
    """A stream of its own, seeded from `rng`'s state without drawing from it.

    The linked records are generated from the fork, so everything the generator makes after them (and so the rest
    of the borough for a given seed) is the same as before they were added.
    """
    return random.Random(f"{salt}:{rng.getstate()[1][:8]}")


class PlanRows:
    """Collects plans and their rows; `write` inserts them in one go, parents first."""

    def __init__(self, *, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.check_hours = TransitionSettings.current().post_move_check_hours
        self.templates: dict[str, list[ArrangementTemplate]] = {}
        for template in ArrangementTemplate.objects.filter(is_active=True).order_by("kind", "order", "label"):
            self.templates.setdefault(template.kind, []).append(template)
        self.plans: list[Plan] = []
        self.changes: list[PlanStatusChange] = []
        self.arrangements: list[Arrangement] = []
        self.steps: list[Step] = []
        self.checks: list[PostMoveCheck] = []
        self.shares: list[tuple[uuid.UUID, uuid.UUID]] = []
        self.chronology: list[ChronologyEntry] = []

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: date, hour: int = 11) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, self.rng.choice([0, 15, 30, 45]))))

    def start(
        self,
        *,
        person_id: uuid.UUID,
        kind: str,
        moving_from: str,
        moving_to: str,
        planned_on: date,
        team_id: uuid.UUID,
        coordinator: User,
        source_label: str,
        started_on: date,
        persons_views: str = "",
        what_matters: str = "",
    ) -> Plan:
        """A plan in planning, as create_plan leaves it, with a "Plan started" change and a chronology line."""
        plan = Plan(
            id=self.new_id(),
            person_id=person_id,
            kind=kind,
            moving_from=moving_from,
            moving_to=moving_to,
            planned_on=planned_on,
            team_id=team_id,
            coordinator=coordinator,
            source_label=source_label[:100],
            persons_views=persons_views,
            what_matters=what_matters,
            created_by=coordinator,
        )
        self.plans.append(plan)
        self.status(plan, PlanStatus.PLANNING, coordinator, "Plan started")
        self.story(
            plan,
            self.at(started_on),
            f"{PlanKind(kind).label} planned for {planned_on:%-d %B %Y}: {moving_from} to {moving_to}",
            coordinator,
        )
        return plan

    def status(self, plan: Plan, status: str, by: User | None, reason: str = "") -> None:
        plan.status = status
        self.changes.append(PlanStatusChange(id=self.new_id(), plan=plan, status=status, reason=reason, by=by))

    def story(self, plan: Plan, when: datetime, summary: str, by: User, detail: str = "") -> None:
        self.chronology.append(
            ChronologyEntry(
                id=self.new_id(),
                person_id=plan.person_id,
                occurred_at=min(when, self.now),
                category="transition",
                summary=summary[:300],
                detail=detail,
                recorded_by=by,
                recorded_by_label=by.full_name,
                link=reverse("transitions:plan", args=[plan.pk]),
            )
        )

    def checklist(
        self,
        plan: Plan,
        *,
        done: Callable[[ArrangementTemplate], bool],
        owner: Callable[[str], tuple[str, str]],
        by: User,
        completed_on: date,
        due_on: date | None = None,
    ) -> list[Arrangement]:
        """The kind of move's arrangements; those `done` picks are marked done by `by` on `completed_on`."""
        made = []
        for template in self.templates.get(plan.kind, []):
            is_done = done(template)
            name, role = owner(template.code)
            item = Arrangement(
                id=self.new_id(),
                plan=plan,
                code=template.code,
                label=template.label,
                is_essential=template.is_essential,
                after_move=template.after_move,
                order=template.order,
                owner_name=name,
                owner_role=role,
                due_on=None if is_done else due_on,
                status=ItemStatus.DONE if is_done else ItemStatus.OPEN,
                completed_at=self.at(completed_on, 15) if is_done else None,
                completed_by=by if is_done else None,
            )
            made.append(item)
        self.arrangements.extend(made)
        return made

    def step(
        self,
        plan: Plan,
        description: str,
        *,
        owner_name: str,
        owner_role: str = "",
        due_on: date | None,
        done_by: User | None = None,
    ) -> None:
        self.steps.append(
            Step(
                id=self.new_id(),
                plan=plan,
                description=description,
                owner_name=owner_name,
                owner_role=owner_role,
                due_on=due_on,
                status=ItemStatus.DONE if done_by else ItemStatus.OPEN,
                completed_at=self.at(due_on or self.today, 16) if done_by else None,
                completed_by=done_by,
            )
        )

    def ready(self, plan: Plan, by: User) -> None:
        self.status(plan, PlanStatus.READY, by)

    def moved(self, plan: Plan, moved_on: date, by: User, *, reason: str = "") -> None:
        """Ready, then moved (record_move): the check after the move falls due after the configured hours."""
        if plan.status == PlanStatus.PLANNING:
            self.ready(plan, by)
        plan.moved_on = moved_on
        plan.check_due_at = self.at(moved_on, 12) + timedelta(hours=self.check_hours)
        self.status(plan, PlanStatus.MOVED, by, reason)
        self.story(plan, self.at(moved_on, 17), f"Moved to {plan.moving_to} on {moved_on:%-d %B %Y}", by)

    def checked(self, plan: Plan, by: User, *, spoke_to: str, problems: str = "", feedback_to: str = "") -> None:
        """The check after the move (record_check), on the day it fell due."""
        assert plan.check_due_at is not None
        checked_at = min(plan.check_due_at, self.now)
        went_well = not problems
        self.checks.append(
            PostMoveCheck(
                id=self.new_id(),
                plan=plan,
                checked_at=checked_at,
                by=by,
                spoke_to=spoke_to,
                went_as_planned=went_well,
                problems=problems,
                feedback_to=feedback_to,
            )
        )
        self.status(plan, PlanStatus.CHECKED, by)
        summary = "Check after the move: went as planned" if went_well else "Check after the move: problems found"
        self.story(plan, checked_at, summary, by, detail=problems)

    def share(self, plan: Plan, organisation_id: uuid.UUID) -> None:
        self.shares.append((plan.pk, organisation_id))

    def write(self) -> None:
        Plan.objects.bulk_create(self.plans, batch_size=BATCH)
        PlanStatusChange.objects.bulk_create(self.changes, batch_size=BATCH)
        Arrangement.objects.bulk_create(self.arrangements, batch_size=BATCH)
        Step.objects.bulk_create(self.steps, batch_size=BATCH)
        PostMoveCheck.objects.bulk_create(self.checks, batch_size=BATCH)
        through = Plan.shared_with.through
        through.objects.bulk_create(
            [through(plan_id=plan_id, organisation_id=org_id) for plan_id, org_id in self.shares], batch_size=BATCH
        )
        ChronologyEntry.objects.bulk_create(self.chronology, batch_size=BATCH)
