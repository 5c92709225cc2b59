"""A recorded move hands the person on from one organisation or team to another: one hand-off for the person
(work.handoffs.record_move_handoff), counted with the rest on the dashboard."""

import pytest
from django.utils import timezone

from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people.tests.factories import PersonFactory
from safepathways.transitions import services
from safepathways.transitions.models import PlanKind
from safepathways.transitions.tests.conftest import MakePlan, complete_essentials
from safepathways.work.models import Handoff, HandoffKind

pytestmark = pytest.mark.django_db


def _moved(make_plan: MakePlan, by: Persona, **plan: object) -> None:
    moving = make_plan(planned_on=timezone.localdate(), **plan)
    complete_essentials(moving, by.user)
    services.mark_ready(plan=moving, by=by.user)
    services.record_move(plan=moving, by=by.user, moved_on=timezone.localdate())


def test_a_move_between_providers_is_one_organisation_handoff(make_plan: MakePlan, social_worker: Persona) -> None:
    _moved(
        make_plan,
        social_worker,
        kind=PlanKind.BETWEEN_PROVIDERS,
        moving_from="Bluebell Homecare",
        moving_to="Oak Care Ltd",
    )

    handoff = Handoff.objects.get()
    assert handoff.kind == HandoffKind.ORGANISATION
    assert handoff.reason == "Between providers: from Bluebell Homecare to Oak Care Ltd"
    assert (handoff.to_team, handoff.by, handoff.work_item) == (social_worker.team, social_worker.user, None)


def test_child_to_adult_services_is_a_team_handoff(make_plan: MakePlan, social_worker: Persona) -> None:
    _moved(
        make_plan,
        social_worker,
        kind=PlanKind.CHILD_TO_ADULT,
        moving_from="Children with disabilities team",
        moving_to="Adult learning disability team",
    )
    assert Handoff.objects.get().kind == HandoffKind.TEAM


def test_an_emergency_move_recorded_after_the_event_is_a_handoff(social_worker: Persona) -> None:
    plan = services.record_emergency_move(
        person=PersonFactory.create(),
        moving_from="Rose House (flooded)",
        moving_to="Oak Lodge",
        team=social_worker.team,
        coordinator=social_worker.user,
        by=social_worker.user,
        reason="Residents moved out of a flooded home at night",
    )
    handoff = Handoff.objects.get(person=plan.person)
    assert handoff.reason == "Out-of-hours emergency move: from Rose House (flooded) to Oak Lodge"


def test_planning_a_move_is_not_a_handoff_until_it_happens(make_plan: MakePlan, social_worker: Persona) -> None:
    plan = make_plan(kind=PlanKind.INTO_CARE_HOME, planned_on=timezone.localdate())
    with pytest.raises(ApplicationError):
        services.record_move(plan=plan, by=social_worker.user, moved_on=timezone.localdate())  # not ready
    services.cancel_plan(plan=plan, by=social_worker.user, reason="Stayed at home")
    assert not Handoff.objects.exists()


def test_a_move_to_the_same_place_is_not_a_handoff(make_plan: MakePlan, social_worker: Persona) -> None:
    _moved(make_plan, social_worker, kind=PlanKind.BETWEEN_PROVIDERS, moving_from="Oak Care", moving_to="oak care")
    assert not Handoff.objects.exists()
