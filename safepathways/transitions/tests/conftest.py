"""A plan factory for transition tests: a hospital discharge planned for the social worker's team."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from safepathways.conftest import Persona
from safepathways.people.tests.factories import PersonFactory
from safepathways.transitions import services
from safepathways.transitions.models import Plan, PlanKind

MakePlan = Callable[..., Plan]


@pytest.fixture
def make_plan(social_worker: Persona) -> MakePlan:
    def make(**overrides: Any) -> Plan:
        values: dict[str, Any] = {
            "person": overrides.pop("person", None) or PersonFactory.create(),
            "kind": PlanKind.HOSPITAL_DISCHARGE,
            "moving_from": "Royal Free, ward 8 North",
            "moving_to": "Home",
            "planned_on": timezone.localdate() + timedelta(days=3),
            "team": social_worker.team,
            "coordinator": social_worker.user,
            "by": social_worker.user,
        }
        values.update(overrides)
        return services.create_plan(**values)

    return make


def complete_essentials(plan: Plan, by: Any) -> None:
    for arrangement in plan.arrangements.filter(is_essential=True):
        services.update_item(
            plan=plan,
            by=by,
            kind="arrangement",
            item_id=arrangement.pk,
            owner=services.Owner("Ward nurse"),
            due_on=None,
            status="done",
        )
