"""Synthetic transition plans and ended services for the borough: what the continuity view and plans list show.

Reads the people, teams and staff the generator already made and bulk-inserts; about one open plan per 150
people (some past their date, some moved with the check due), and one ended service per 60 people (most with a
reason or a next service, some with neither: the gaps the daily sweep should find).
"""

import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from safepathways.accounts.models import Membership, TeamKind
from safepathways.people.models import Person
from safepathways.providers.codes import ServiceComponent, ServiceType
from safepathways.providers.models import Service
from safepathways.transitions.models import (
    Arrangement,
    ArrangementTemplate,
    ItemStatus,
    Plan,
    PlanKind,
    PlanStatus,
    PlanStatusChange,
    Step,
)

PLAN_PLACES = {
    PlanKind.HOSPITAL_DISCHARGE: ("Royal Free Hospital, ward {n} North", "Home"),
    PlanKind.BETWEEN_PROVIDERS: ("Home care from {provider}", "Home care from a new provider"),
    PlanKind.INTO_CARE_HOME: ("Home", "{home}"),
    PlanKind.OUT_OF_CARE_HOME: ("{home}", "Home, with reablement"),
    PlanKind.BETWEEN_AREAS: ("Home", "Sister's home in Barnet"),
}
END_REASONS = ["Needs met", "Moved out of the borough", "Person chose to stop", "Admitted to hospital"]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def generate_transitions(*, rng: random.Random, today: date, log: Callable[[str], None]) -> int:
    """Add plans and ended services; returns how many plans were made."""
    people = list(Person.objects.filter(date_of_death__isnull=True).values_list("pk", "neighbourhood__team_id"))
    if not people:
        return 0
    staff: dict[uuid.UUID, list[int]] = {}
    for user_id, team_id in Membership.objects.filter(
        team__kind__in=[TeamKind.NEIGHBOURHOOD, TeamKind.HOSPITAL_SOCIAL_WORK]
    ).values_list("user_id", "team_id"):
        staff.setdefault(team_id, []).append(user_id)
    teams = list(staff)
    templates: dict[str, list[ArrangementTemplate]] = {}
    for template in ArrangementTemplate.objects.filter(is_active=True):
        templates.setdefault(template.kind, []).append(template)
    homes = ["Rose House", "Heath View Care Home", "Primrose Lodge", "Fleet Court Nursing Home"]
    plans: list[Plan] = []
    changes: list[PlanStatusChange] = []
    arrangements: list[Arrangement] = []
    steps: list[Step] = []
    services: list[Service] = []
    now = timezone.now()
    for person_id, home_team in rng.sample(people, k=max(1, len(people) // 150)):
        team_id = home_team if home_team in staff else rng.choice(teams)
        coordinator = rng.choice(staff[team_id])
        kind = rng.choice(list(PLAN_PLACES))
        origin, destination = PLAN_PLACES[kind]
        home = rng.choice(homes)
        roll = rng.random()
        planned_on = today + timedelta(days=rng.randint(-3, 21) if roll < 0.85 else rng.randint(-10, -1))
        status = PlanStatus.PLANNING
        moved_on = check_due = None
        if roll > 0.7 and planned_on <= today:
            status = PlanStatus.MOVED
            moved_on = planned_on
            check_due = timezone.make_aware(datetime.combine(moved_on, time(12))) + timedelta(hours=72)
        elif roll > 0.55:
            status = PlanStatus.READY
        plan = Plan(
            id=_uuid(rng),
            person_id=person_id,
            kind=kind,
            moving_from=origin.format(n=rng.randint(2, 10), provider="Camden Care", home=home),
            moving_to=destination.format(home=home),
            planned_on=planned_on,
            team_id=team_id,
            coordinator_id=coordinator,
            status=status,
            moved_on=moved_on,
            check_due_at=check_due,
            persons_views=rng.choice(["", "I want to be home before the weekend.", "I am worried about the stairs."]),
            created_by_id=coordinator,
        )
        plans.append(plan)
        changes.append(PlanStatusChange(id=_uuid(rng), plan=plan, status=PlanStatus.PLANNING, by_id=coordinator))
        if status != PlanStatus.PLANNING:
            changes.append(PlanStatusChange(id=_uuid(rng), plan=plan, status=PlanStatus.READY, by_id=coordinator))
        if status == PlanStatus.MOVED:
            changes.append(PlanStatusChange(id=_uuid(rng), plan=plan, status=PlanStatus.MOVED, by_id=coordinator))
        for template in templates.get(kind, []):
            done = status != PlanStatus.PLANNING or rng.random() < 0.5
            arrangements.append(
                Arrangement(
                    id=_uuid(rng),
                    plan=plan,
                    code=template.code,
                    label=template.label,
                    is_essential=template.is_essential,
                    order=template.order,
                    owner_name=rng.choice(["Ward nurse", "Daughter", "Agency coordinator", "OT", ""]),
                    status=ItemStatus.DONE if done else ItemStatus.OPEN,
                    completed_at=now if done else None,
                )
            )
        steps.append(
            Step(
                id=_uuid(rng),
                plan=plan,
                description="Confirm the time of the move with the person and family",
                owner_name="Coordinator",
                due_on=max(today, planned_on - timedelta(days=1)),
            )
        )
    for person_id, home_team in rng.sample(people, k=max(1, len(people) // 60)):
        ended = today - timedelta(days=rng.randint(1, 80))
        reason = rng.choice(END_REASONS) if rng.random() < 0.7 else ""
        services.append(
            Service(
                id=_uuid(rng),
                person_id=person_id,
                service_type=ServiceType.ST_MAX,
                service_component=ServiceComponent.REABLEMENT,
                team_id=home_team,
                start_on=ended - timedelta(days=rng.randint(14, 42)),
                end_on=ended,
                end_reason=reason,
            )
        )
        if not reason and rng.random() < 0.4:
            services.append(
                Service(
                    id=_uuid(rng),
                    person_id=person_id,
                    service_type=ServiceType.LT_COMMUNITY,
                    service_component=ServiceComponent.HOME_SUPPORT,
                    team_id=home_team,
                    start_on=ended + timedelta(days=rng.randint(0, 5)),
                )
            )
    with transaction.atomic():
        Plan.objects.bulk_create(plans, batch_size=2000)
        PlanStatusChange.objects.bulk_create(changes, batch_size=2000)
        Arrangement.objects.bulk_create(arrangements, batch_size=2000)
        Step.objects.bulk_create(steps, batch_size=2000)
        Service.objects.bulk_create(services, batch_size=2000)
    log(f"  {len(plans)} transition plans, {len(services)} ended or following services")
    return len(plans)
