"""An out-of-hours emergency move: the duty worker plans it, makes it ready and records it without a manager.

The emergency checklist's day-team handover is done after the move (Arrangement.after_move, migration 0005): the
move's readiness does not wait for it, its due date may fall after the move date, it stays on the checklist until
the check after the move, and the plan shows it once it is past its due date.
"""

import importlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.conftest import Persona
from safepathways.core.clocks import add_working_days
from safepathways.core.errors import ApplicationError
from safepathways.people.tests.factories import PersonFactory
from safepathways.transitions import gaps, services
from safepathways.transitions.models import (
    Arrangement,
    ArrangementTemplate,
    Gap,
    ItemStatus,
    Plan,
    PlanKind,
    PlanStatus,
)

pytestmark = pytest.mark.django_db

DAY_TEAM = "Day team handed over the next working day"


@pytest.fixture
def ooh_team(council: Organisation) -> Team:
    return Team.objects.create(
        organisation=council, name="Emergency duty (out of hours)", slug="out-of-hours", kind=TeamKind.OUT_OF_HOURS
    )


@pytest.fixture
def ooh_worker(make_persona: Callable[..., Persona], ooh_team: Team) -> Persona:
    return make_persona(ooh_team, Role.DUTY_WORKER, name="Owen Hale")


def _plan(by: Persona) -> Plan:
    return services.create_plan(
        person=PersonFactory.create(),
        kind=PlanKind.EMERGENCY_MOVE,
        moving_from="Home (flooded)",
        moving_to="Respite bed, Oak House",
        planned_on=timezone.localdate(),
        team=by.team,
        coordinator=by.user,
        by=by.user,
    )


def _update(plan: Plan, item: Arrangement, by: Persona, **changes: object) -> Arrangement:
    values: dict[str, object] = {"due_on": item.due_on, "status": item.status}
    values.update(changes)
    updated = services.update_item(
        plan=plan,
        by=by.user,
        kind="arrangement",
        item_id=item.pk,
        owner=services.Owner("Owen Hale", role="Duty worker"),
        **values,
    )
    assert isinstance(updated, Arrangement)
    return updated


def _before_the_move_done(plan: Plan, by: Persona) -> None:
    for item in plan.arrangements.filter(is_essential=True, after_move=False):
        _update(plan, item, by, status=ItemStatus.DONE)


def test_the_seeded_day_team_handover_is_done_after_the_move() -> None:
    template = ArrangementTemplate.objects.get(kind=PlanKind.EMERGENCY_MOVE, code="day_team")
    assert template.label == DAY_TEAM and template.is_essential and template.after_move
    others = ArrangementTemplate.objects.exclude(kind=PlanKind.EMERGENCY_MOVE, code="day_team")
    assert not others.filter(after_move=True).exists()


def test_the_migration_marks_the_handover_of_plans_already_started(ooh_worker: Persona) -> None:
    plan = _plan(ooh_worker)
    plan.arrangements.update(after_move=False)  # as a plan started before migration 0005
    importlib.import_module("safepathways.transitions.migrations.0005_seed_day_team_handover_after_move").seed(
        apps, None
    )
    assert list(plan.arrangements.filter(after_move=True).values_list("label", flat=True)) == [DAY_TEAM]


def test_the_duty_worker_makes_the_move_ready_and_records_it_without_a_manager(ooh_worker: Persona) -> None:
    # Given an emergency move planned tonight by the out-of-hours duty worker
    plan = _plan(ooh_worker)
    handover = plan.arrangements.get(label=DAY_TEAM)
    assert handover.is_essential and handover.after_move
    assert DAY_TEAM not in {a.label for a in services.blocking_arrangements(plan)}
    # The handover may be given its date, the next working day, though that is after tonight's move.
    next_working_day = add_working_days(plan.planned_on, 1)
    handover = _update(plan, handover, ooh_worker, due_on=next_working_day)
    assert handover.due_on == next_working_day

    # When the arrangements needed before the move are in place, the move is ready and happens
    _before_the_move_done(plan, ooh_worker)
    ready = services.mark_ready(plan=plan, by=ooh_worker.user)
    assert ready.status == PlanStatus.READY and ready.ready_override_reason == ""
    moved_at = timezone.now()
    moved = services.record_move(plan=plan, by=ooh_worker.user, moved_on=plan.planned_on, now=moved_at)

    # Then the check after the move falls due 72 hours later, with the handover still to do
    assert moved.status == PlanStatus.MOVED
    assert moved.check_due_at == moved_at + timedelta(hours=72)
    handover.refresh_from_db()
    assert handover.status == ItemStatus.OPEN and moved.checklist_open

    # And the day team records the handover the next working day
    _update(plan, handover, ooh_worker, status=ItemStatus.DONE, due_on=next_working_day)
    handover.refresh_from_db()
    assert handover.status == ItemStatus.DONE and handover.completed_by == ooh_worker.user
    plan.refresh_from_db()
    assert plan.status == PlanStatus.MOVED  # the check after the move is still due

    # The check not done by then is a continuity gap
    services.sweep_gaps(today=timezone.localdate(moved.check_due_at) + timedelta(days=1))
    assert Gap.objects.get(rule=gaps.POST_MOVE_CHECK).subject_key == f"check:{plan.pk}"


def test_the_move_does_not_wait_for_the_handover_but_does_for_the_rest(ooh_worker: Persona) -> None:
    plan = _plan(ooh_worker)
    with pytest.raises(ApplicationError) as refused:
        services.mark_ready(plan=plan, by=ooh_worker.user, override_reason="No manager on duty")
    assert "Only a team manager" in refused.value.message
    assert DAY_TEAM not in refused.value.message and "Placement confirmed for tonight" in refused.value.message
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PLANNING


def test_an_essential_needed_before_the_move_may_still_not_fall_due_after_it(ooh_worker: Persona) -> None:
    plan = _plan(ooh_worker)
    placement = plan.arrangements.get(code="placement")
    with pytest.raises(ApplicationError) as refused:
        _update(plan, placement, ooh_worker, due_on=plan.planned_on + timedelta(days=1))
    assert refused.value.field == "due_on"


def test_reopening_the_handover_after_the_move_is_ready_keeps_it_ready(ooh_worker: Persona) -> None:
    plan = _plan(ooh_worker)
    _before_the_move_done(plan, ooh_worker)
    handover = _update(plan, plan.arrangements.get(label=DAY_TEAM), ooh_worker, status=ItemStatus.DONE)
    services.mark_ready(plan=plan, by=ooh_worker.user)
    _update(plan, handover, ooh_worker, status=ItemStatus.OPEN)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY


def test_an_open_handover_gets_the_next_working_day_when_the_move_is_recorded(ooh_worker: Persona) -> None:
    plan = _plan(ooh_worker)
    _before_the_move_done(plan, ooh_worker)
    services.mark_ready(plan=plan, by=ooh_worker.user)
    services.record_move(plan=plan, by=ooh_worker.user, moved_on=plan.planned_on)
    handover = plan.arrangements.get(label=DAY_TEAM)
    assert handover.due_on == add_working_days(plan.planned_on, 1)


class TestThePlanPage:
    def test_the_duty_worker_marks_the_move_ready_and_records_it(self, ooh_worker: Persona) -> None:
        plan = _plan(ooh_worker)
        _before_the_move_done(plan, ooh_worker)
        page = ooh_worker.http.get(reverse("transitions:plan", args=[plan.pk])).content.decode()
        assert "Not ready to move" not in page
        assert f"Done after the move, so the move does not wait for it: {DAY_TEAM}" in page

        response = ooh_worker.http.post(reverse("transitions:ready", args=[plan.pk]), {"ready-override_reason": ""})
        assert response.status_code == 302
        day = plan.planned_on
        response = ooh_worker.http.post(
            reverse("transitions:move", args=[plan.pk]),
            {"move-moved_on_day": day.day, "move-moved_on_month": day.month, "move-moved_on_year": day.year},
        )
        assert response.status_code == 302
        plan.refresh_from_db()
        assert plan.status == PlanStatus.MOVED and plan.ready_override_by is None
        page = ooh_worker.http.get(reverse("transitions:plan", args=[plan.pk])).content.decode()
        assert f"To do after the move: {DAY_TEAM} (due " in page

    def test_an_open_handover_past_its_due_date_shows_on_the_plan(
        self, ooh_worker: Persona, social_worker: Persona
    ) -> None:
        # An emergency move recorded ten days ago: the handover was due the next working day after it
        plan = services.record_emergency_move(
            person=PersonFactory.create(),
            moving_from="Rose House (flooded)",
            moving_to="Oak Lodge",
            team=ooh_worker.team,
            coordinator=ooh_worker.user,
            by=ooh_worker.user,
            reason="Residents moved out of a flooded home at night",
            now=timezone.now() - timedelta(days=10),
        )
        handover = plan.arrangements.get(label=DAY_TEAM)
        assert handover.due_on is not None and handover.due_on < timezone.localdate()
        page = ooh_worker.http.get(reverse("transitions:plan", args=[plan.pk])).content.decode()
        assert f"Overdue after the move: {DAY_TEAM} (due " in page
        assert "After the move</strong>" in page

        _update(plan, handover, ooh_worker, status=ItemStatus.DONE, due_on=None)
        page = ooh_worker.http.get(reverse("transitions:plan", args=[plan.pk])).content.decode()
        assert "Overdue after the move" not in page


def test_the_api_says_which_arrangements_are_done_after_the_move(ooh_worker: Persona) -> None:
    plan = _plan(ooh_worker)
    client = APIClient()
    client.force_authenticate(ooh_worker.user)
    response = client.get(reverse("api:transition_plan", args=[plan.pk]))
    assert response.status_code == 200, response.content.decode()[:500]
    after = {row["label"]: row["after_move"] for row in response.json()["arrangements"]}
    assert after[DAY_TEAM] is True and after["Placement confirmed for tonight"] is False
