"""A new coordinator for a move is a hand-off for the person (work.services.record_handoff), counted with the rest."""

from safepathways.conftest import Persona
from safepathways.transitions import services
from safepathways.transitions.tests.conftest import MakePlan
from safepathways.work.models import Handoff, HandoffKind


def test_a_new_coordinator_is_a_worker_handoff(
    make_plan: MakePlan, social_worker: Persona, team_manager: Persona
) -> None:
    plan = make_plan()
    first = plan.coordinator
    services.update_plan(plan=plan, by=social_worker.user, data={"coordinator": team_manager.user})

    handoff = Handoff.objects.get()
    assert handoff.kind == HandoffKind.WORKER and handoff.person == plan.person
    assert (handoff.from_worker, handoff.to_worker, handoff.work_item) == (first, team_manager.user, None)
    assert handoff.reason.startswith("Coordinator of the") and handoff.by == social_worker.user


def test_other_changes_to_the_plan_are_not_handoffs(make_plan: MakePlan, social_worker: Persona) -> None:
    plan = make_plan()
    services.update_plan(
        plan=plan, by=social_worker.user, data={"coordinator": plan.coordinator, "moving_to": "Flat 2, Oak Court"}
    )
    assert not Handoff.objects.exists()
