"""Transition plans: checklists, owners, readiness, the move and the check; and the continuity gap sweep."""

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import Membership, Role, Team
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.notifications.models import Notification
from safepathways.people.models import ChronologyEntry
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.tests.factories import ServiceFactory
from safepathways.transitions import gaps, services
from safepathways.transitions.models import (
    ArrangementTemplate,
    Gap,
    GapStatus,
    Plan,
    PlanKind,
    PlanStatus,
    TransitionSettings,
)
from safepathways.transitions.tests.conftest import MakePlan, complete_essentials
from safepathways.work.models import WorkKind
from safepathways.work.services import allocate, open_work

pytestmark = pytest.mark.django_db


class TestCreatePlan:
    def test_a_plan_gets_the_checklist_for_its_kind_of_move(self, make_plan: MakePlan) -> None:
        plan = make_plan(kind=PlanKind.HOSPITAL_DISCHARGE)
        expected = set(
            ArrangementTemplate.objects.filter(kind=PlanKind.HOSPITAL_DISCHARGE).values_list("label", flat=True)
        )
        assert {a.label for a in plan.arrangements.all()} == expected
        assert "Medication to take home and the medicines chart" in expected
        assert plan.status == PlanStatus.PLANNING
        assert plan.status_changes.count() == 1
        assert ChronologyEntry.objects.filter(person=plan.person, category="transition").exists()
        assert AuditEvent.objects.filter(action="transition.plan_created").count() == 1

    def test_an_inactive_checklist_item_is_not_added(self, make_plan: MakePlan) -> None:
        ArrangementTemplate.objects.filter(kind=PlanKind.CARE_LEAVER, code="gp").update(is_active=False)
        plan = make_plan(kind=PlanKind.CARE_LEAVER)
        assert "gp" not in {a.code for a in plan.arrangements.all()}

    def test_a_move_date_in_the_past_is_refused(self, make_plan: MakePlan) -> None:
        with pytest.raises(ApplicationError) as error:
            make_plan(planned_on=timezone.localdate() - timedelta(days=1))
        assert error.value.field == "planned_on"
        assert "today or in the future" in error.value.message

    def test_an_essential_arrangement_must_be_due_by_the_move(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = make_plan()
        assert plan.planned_on is not None
        after = plan.planned_on + timedelta(days=1)
        owner = services.Owner("Handyperson service")
        with pytest.raises(ApplicationError, match="in place by the move") as error:
            services.add_arrangement(plan=plan, by=social_worker.user, label="Key safe", owner=owner, due_on=after)
        assert error.value.field == "due_on"
        # Not essential: it may follow the move (a visit from the handyperson the week after).
        services.add_arrangement(
            plan=plan, by=social_worker.user, label="Grab rail", owner=owner, due_on=after, is_essential=False
        )
        essential = plan.arrangements.filter(is_essential=True).first()
        assert essential is not None
        with pytest.raises(ApplicationError, match="in place by the move"):
            services.update_item(
                plan=plan,
                by=social_worker.user,
                kind="arrangement",
                item_id=essential.pk,
                owner=owner,
                due_on=after,
                status="open",
            )

    def test_missing_from_or_to_is_refused(self, make_plan: MakePlan) -> None:
        with pytest.raises(ApplicationError) as error:
            make_plan(moving_to="  ")
        assert error.value.field == "moving_to"

    def test_nobody_plans_a_move_for_someone_who_has_died(self, make_plan: MakePlan) -> None:
        person = PersonFactory.create(date_of_death=date(2026, 1, 2))
        with pytest.raises(ApplicationError):
            make_plan(person=person)


class TestCoordinator:
    def test_the_coordinator_changes_to_council_staff_only(
        self, make_plan: MakePlan, social_worker: Persona, team_manager: Persona, partner: Persona
    ) -> None:
        plan = make_plan()
        with pytest.raises(ApplicationError) as error:
            services.update_plan(plan=plan, by=social_worker.user, data={"coordinator": partner.user})
        assert error.value.field == "coordinator"
        team_manager.user.is_active = False
        team_manager.user.save()
        with pytest.raises(ApplicationError):
            services.update_plan(plan=plan, by=social_worker.user, data={"coordinator": team_manager.user})
        team_manager.user.is_active = True
        team_manager.user.save()
        changed = services.update_plan(plan=plan, by=social_worker.user, data={"coordinator": team_manager.user})
        assert changed.coordinator == team_manager.user
        assert "coordinator" in AuditEvent.objects.get(action="transition.plan_updated").snapshot["fields"]
        assert plan.person.chronology.filter(summary="Taylor Green now coordinates the move").exists()


class TestItems:
    def test_a_step_needs_an_owner(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan()
        with pytest.raises(ApplicationError) as error:
            services.add_step(
                plan=plan, by=social_worker.user, description="Book transport", owner=services.Owner(" "), due_on=None
            )
        assert error.value.field == "owner_name"
        assert plan.steps.count() == 0

    def test_a_step_due_in_the_past_is_refused(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan()
        with pytest.raises(ApplicationError) as error:
            services.add_step(
                plan=plan,
                by=social_worker.user,
                description="Book transport",
                owner=services.Owner("Ward clerk"),
                due_on=timezone.localdate() - timedelta(days=2),
            )
        assert error.value.field == "due_on"

    def test_a_risk_needs_a_contingency_and_an_owner(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan()
        with pytest.raises(ApplicationError) as error:
            services.add_risk(
                plan=plan,
                by=social_worker.user,
                risk="The carer cannot come",
                contingency="",
                owner=services.Owner("Agency"),
            )
        assert error.value.field == "contingency"
        risk = services.add_risk(
            plan=plan,
            by=social_worker.user,
            risk="The carer cannot come",
            contingency="The agency's on-call coordinator sends another carer",
            owner=services.Owner("Agency on call", phone="020 7946 0000"),
        )
        assert risk.owner_name == "Agency on call"

    def test_an_essential_arrangement_is_not_dropped_without_a_reason(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = make_plan()
        essential = plan.arrangements.filter(is_essential=True).first()
        assert essential is not None
        with pytest.raises(ApplicationError) as error:
            services.update_item(
                plan=plan,
                by=social_worker.user,
                kind="arrangement",
                item_id=essential.pk,
                owner=services.Owner("Ward nurse"),
                due_on=None,
                status="not_needed",
            )
        assert error.value.field == "note"


class TestReadiness:
    def test_a_move_is_not_ready_while_an_essential_arrangement_is_open(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = make_plan()
        with pytest.raises(ApplicationError) as error:
            services.mark_ready(plan=plan, by=social_worker.user)
        assert "Medication to take home" in error.value.message
        plan.refresh_from_db()
        assert plan.status == PlanStatus.PLANNING

    def test_a_practitioner_cannot_override(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan()
        with pytest.raises(ApplicationError) as error:
            services.mark_ready(plan=plan, by=social_worker.user, override_reason="Family will bring the tablets")
        assert "Only a team manager" in error.value.message

    def test_a_manager_overrides_with_a_recorded_reason(self, make_plan: MakePlan, team_manager: Persona) -> None:
        plan = make_plan()
        ready = services.mark_ready(plan=plan, by=team_manager.user, override_reason="Family bring the tablets at 6pm")
        assert ready.status == PlanStatus.READY
        assert ready.ready_override_by == team_manager.user
        event = AuditEvent.objects.get(action="transition.ready")
        assert event.snapshot["override"] is True
        assert "Transport home arranged" in event.snapshot["open_arrangements"]

    def test_ready_once_every_essential_arrangement_is_done(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan()
        complete_essentials(plan, social_worker.user)
        assert services.mark_ready(plan=plan, by=social_worker.user).status == PlanStatus.READY

    def test_a_manager_of_another_team_cannot_override(
        self, make_plan: MakePlan, make_persona: Callable[..., Persona], other_team: Team
    ) -> None:
        plan = make_plan()
        elsewhere = make_persona(other_team, Role.TEAM_MANAGER)
        with pytest.raises(ApplicationError) as error:
            services.mark_ready(plan=plan, by=elsewhere.user, override_reason="Family will bring the tablets")
        assert error.value.field == "override_reason"
        assert f"Only a team manager of {plan.team.name}" in error.value.message
        plan.refresh_from_db()
        assert plan.status == PlanStatus.PLANNING


class TestReadinessHolds:
    """Readiness is not a one-off check: an essential arrangement open again on a ready plan undoes it."""

    def _ready(self, make_plan: MakePlan, by: Persona) -> Plan:
        plan = make_plan(planned_on=timezone.localdate())
        complete_essentials(plan, by.user)
        return services.mark_ready(plan=plan, by=by.user)

    def test_adding_an_essential_arrangement_takes_a_ready_plan_back_to_planning(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = self._ready(make_plan, social_worker)
        services.add_arrangement(
            plan=plan,
            by=social_worker.user,
            label="Stair rail fitted",
            owner=services.Owner("Handyperson"),
            due_on=None,
        )
        plan.refresh_from_db()
        assert plan.status == PlanStatus.PLANNING
        change = plan.status_changes.last()
        assert change is not None
        assert change.status == PlanStatus.PLANNING
        assert change.by == social_worker.user
        assert "Stair rail fitted" in change.reason
        assert ChronologyEntry.objects.filter(
            person=plan.person, summary="Move no longer ready: an essential arrangement is open"
        ).exists()
        with pytest.raises(ApplicationError):
            services.record_move(plan=plan, by=social_worker.user, moved_on=timezone.localdate())

    def test_an_arrangement_that_is_not_essential_leaves_it_ready(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = self._ready(make_plan, social_worker)
        services.add_arrangement(
            plan=plan,
            by=social_worker.user,
            label="Radio tuned to her station",
            owner=services.Owner("Daughter"),
            due_on=None,
            is_essential=False,
        )
        plan.refresh_from_db()
        assert plan.status == PlanStatus.READY

    def test_setting_an_essential_arrangement_back_to_do_takes_it_back_to_planning(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = self._ready(make_plan, social_worker)
        medication = plan.arrangements.get(label="Medication to take home and the medicines chart")
        services.update_item(
            plan=plan,
            by=social_worker.user,
            kind="arrangement",
            item_id=medication.pk,
            owner=services.Owner("Ward pharmacist"),
            due_on=None,
            status="open",
        )
        plan.refresh_from_db()
        assert plan.status == PlanStatus.PLANNING
        change = plan.status_changes.last()
        assert change is not None
        assert "Medication to take home" in change.reason
        assert AuditEvent.objects.filter(action="transition.reopened", target_id=str(plan.pk)).exists()

    def test_with_a_managers_override_the_plan_stays_ready_and_moves(
        self, make_plan: MakePlan, social_worker: Persona, team_manager: Persona
    ) -> None:
        plan = make_plan(planned_on=timezone.localdate())
        services.mark_ready(plan=plan, by=team_manager.user, override_reason="Family bring the tablets at 6pm")
        services.add_arrangement(
            plan=plan,
            by=social_worker.user,
            label="Stair rail fitted",
            owner=services.Owner("Handyperson"),
            due_on=None,
        )
        plan.refresh_from_db()
        assert plan.status == PlanStatus.READY
        moved = services.record_move(plan=plan, by=social_worker.user, moved_on=timezone.localdate())
        assert moved.status == PlanStatus.MOVED

    def test_a_move_is_refused_while_an_essential_arrangement_is_open_without_an_override(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = make_plan(planned_on=timezone.localdate())
        # A plan left ready with arrangements open and no override (made ready before this rule was enforced).
        Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.READY)
        with pytest.raises(ApplicationError) as error:
            services.record_move(plan=plan, by=social_worker.user, moved_on=timezone.localdate())
        assert "still open" in error.value.message
        assert "Transport home arranged" in error.value.message
        plan.refresh_from_db()
        assert plan.status == PlanStatus.READY
        assert plan.moved_on is None


class TestMoveThatHappened:
    """A move another record says has happened (a hospital discharge) is recorded whatever the plan's readiness."""

    def test_a_plan_still_in_planning_is_moved_with_the_reason_and_the_check_scheduled(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = make_plan(planned_on=timezone.localdate())
        now = timezone.now()
        moved = services.record_move(
            plan=plan,
            by=social_worker.user,
            moved_on=timezone.localdate(now),
            now=now,
            happened_reason="Hospital discharge HD0000001 recorded",
        )
        assert moved.status == PlanStatus.MOVED
        assert moved.check_due_at == now + timedelta(hours=72)
        history = [(c.status, c.by, c.reason) for c in moved.status_changes.all()]
        assert history[1:] == [
            (PlanStatus.READY, None, "Hospital discharge HD0000001 recorded"),
            (PlanStatus.MOVED, social_worker.user, "Hospital discharge HD0000001 recorded"),
        ]
        assert moved.ready_override_by is None
        event = AuditEvent.objects.get(action="transition.moved")
        assert "Transport home arranged" in event.snapshot["open_arrangements"]

    def test_a_cancelled_plan_is_not_moved(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan(planned_on=timezone.localdate())
        services.cancel_plan(plan=plan, by=social_worker.user, reason="Stayed in hospital")
        with pytest.raises(ApplicationError):
            services.record_move(
                plan=plan, by=social_worker.user, moved_on=timezone.localdate(), happened_reason="Discharged"
            )


class TestMoveAndCheck:
    def test_the_check_falls_due_72_hours_after_the_move(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan(planned_on=timezone.localdate())
        complete_essentials(plan, social_worker.user)
        services.mark_ready(plan=plan, by=social_worker.user)
        now = timezone.now()
        moved = services.record_move(plan=plan, by=social_worker.user, moved_on=timezone.localdate(now), now=now)
        assert moved.check_due_at == now + timedelta(hours=72)

    def test_the_interval_is_a_local_setting(self, make_plan: MakePlan, social_worker: Persona) -> None:
        TransitionSettings.objects.update_or_create(pk=1, defaults={"post_move_check_hours": 24})
        plan = make_plan(planned_on=timezone.localdate())
        complete_essentials(plan, social_worker.user)
        services.mark_ready(plan=plan, by=social_worker.user)
        now = timezone.now()
        moved = services.record_move(plan=plan, by=social_worker.user, moved_on=timezone.localdate(now), now=now)
        assert moved.check_due_at == now + timedelta(hours=24)

    def test_a_move_cannot_be_recorded_before_it_is_ready_or_in_the_future(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = make_plan()
        with pytest.raises(ApplicationError):
            services.record_move(plan=plan, by=social_worker.user, moved_on=timezone.localdate())
        complete_essentials(plan, social_worker.user)
        services.mark_ready(plan=plan, by=social_worker.user)
        with pytest.raises(ApplicationError) as error:
            services.record_move(plan=plan, by=social_worker.user, moved_on=timezone.localdate() + timedelta(days=1))
        assert error.value.field == "moved_on"

    def test_problems_are_fed_back_to_the_coordinator_and_managers(
        self, make_plan: MakePlan, social_worker: Persona, team_manager: Persona
    ) -> None:
        plan = make_plan(planned_on=timezone.localdate())
        complete_essentials(plan, social_worker.user)
        services.mark_ready(plan=plan, by=social_worker.user)
        services.record_move(plan=plan, by=social_worker.user, moved_on=timezone.localdate())
        with pytest.raises(ApplicationError) as error:
            services.record_check(plan=plan, by=social_worker.user, spoke_to="Daughter", went_as_planned=False)
        assert error.value.field == "problems"
        services.record_check(
            plan=plan,
            by=social_worker.user,
            spoke_to="Daughter",
            went_as_planned=False,
            problems="The key safe code was wrong; the first visit was missed",
            feedback_to="Agency manager",
        )
        plan.refresh_from_db()
        assert plan.status == PlanStatus.CHECKED
        recipients = set(Notification.objects.values_list("recipient_id", flat=True))
        assert recipients == {social_worker.user.pk, team_manager.user.pk}


class TestGapSweep:
    def test_a_service_that_ended_with_nothing_next_is_a_gap_until_the_next_starts(
        self, social_worker: Persona
    ) -> None:
        today = timezone.localdate()
        person = PersonFactory.create()
        ended = ServiceFactory.create(
            person=person,
            start_on=today - timedelta(days=200),
            end_on=today - timedelta(days=10),
            team=social_worker.team,
        )
        ServiceFactory.create(
            start_on=today - timedelta(days=200), end_on=today - timedelta(days=10), end_reason="Moved away"
        )
        result = services.sweep_gaps(today=today)
        gap = Gap.objects.get(rule=gaps.SERVICE_ENDED)
        assert gap.subject_key == f"service:{ended.pk}"
        assert gap.since == ended.end_on
        assert gap.team == social_worker.team
        assert result.opened >= 1
        # Running it twice changes nothing.
        again = services.sweep_gaps(today=today)
        assert (again.opened, again.resolved, again.reopened) == (0, 0, 0)
        ServiceFactory.create(person=person, start_on=today - timedelta(days=1))
        services.sweep_gaps(today=today)
        gap.refresh_from_db()
        assert gap.status == GapStatus.RESOLVED

    def test_a_next_service_within_the_grace_period_is_not_a_gap(self) -> None:
        today = timezone.localdate()
        person = PersonFactory.create()
        ServiceFactory.create(person=person, start_on=today - timedelta(days=100), end_on=today - timedelta(days=3))
        ServiceFactory.create(person=person, start_on=today + timedelta(days=2))
        services.sweep_gaps(today=today)
        assert not Gap.objects.filter(rule=gaps.SERVICE_ENDED).exists()

    def test_a_person_who_died_has_no_gap(self) -> None:
        today = timezone.localdate()
        person = PersonFactory.create(date_of_death=today - timedelta(days=5))
        ServiceFactory.create(person=person, start_on=today - timedelta(days=100), end_on=today - timedelta(days=5))
        services.sweep_gaps(today=today)
        assert not Gap.objects.filter(rule=gaps.SERVICE_ENDED).exists()

    def test_an_open_plan_past_its_date_is_a_gap(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan(planned_on=timezone.localdate())
        services.sweep_gaps(today=plan.planned_on)
        assert not Gap.objects.filter(rule=gaps.PLAN_PAST_DATE).exists()
        services.sweep_gaps(today=plan.planned_on + timedelta(days=1))
        assert Gap.objects.get(rule=gaps.PLAN_PAST_DATE).subject_key == f"plan:{plan.pk}"
        services.cancel_plan(plan=plan, by=social_worker.user, reason="Stayed in hospital")
        services.sweep_gaps(today=plan.planned_on + timedelta(days=2))
        assert Gap.objects.get(rule=gaps.PLAN_PAST_DATE).status == GapStatus.RESOLVED

    def test_an_overdue_check_after_a_move_is_a_gap(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan(planned_on=timezone.localdate())
        complete_essentials(plan, social_worker.user)
        services.mark_ready(plan=plan, by=social_worker.user)
        services.record_move(plan=plan, by=social_worker.user, moved_on=timezone.localdate())
        services.sweep_gaps(today=timezone.localdate() + timedelta(days=3))
        assert not Gap.objects.filter(rule=gaps.POST_MOVE_CHECK).exists()
        services.sweep_gaps(today=timezone.localdate() + timedelta(days=4))
        assert Gap.objects.filter(rule=gaps.POST_MOVE_CHECK, status=GapStatus.OPEN).count() == 1

    def test_work_left_with_a_worker_who_left_is_a_gap(self, social_worker: Persona, team_manager: Persona) -> None:
        person = PersonFactory.create()
        item = open_work(
            person=person, kind=WorkKind.REVIEW, team=social_worker.team, title="Annual review", by=team_manager.user
        )
        allocate(
            work_item=item, to_user=social_worker.user, by=team_manager.user, expected_owner_id=None, reason="Caseload"
        )
        services.sweep_gaps()
        assert not Gap.objects.filter(rule=gaps.WORKER_LEFT).exists()
        Membership.objects.filter(user=social_worker.user).delete()
        services.sweep_gaps()
        gap = Gap.objects.get(rule=gaps.WORKER_LEFT)
        assert gap.person == person
        assert gap.team == social_worker.team

    def test_an_explained_gap_stays_closed(self, social_worker: Persona) -> None:
        today = timezone.localdate()
        ServiceFactory.create(
            start_on=today - timedelta(days=100), end_on=today - timedelta(days=5), team=social_worker.team
        )
        services.sweep_gaps(today=today)
        gap = Gap.objects.get()
        with pytest.raises(ApplicationError):
            services.explain_gap(gap=gap, by=social_worker.user, explanation=" ")
        services.explain_gap(gap=gap, by=social_worker.user, explanation="She chose to stop the meals; she cooks again")
        result = services.sweep_gaps(today=today)
        gap.refresh_from_db()
        assert gap.status == GapStatus.EXPLAINED
        assert result.opened == 0
        assert result.open_by_rule[gaps.SERVICE_ENDED] == 0

    def test_only_the_gaps_team_or_a_team_manager_explains_it(
        self,
        social_worker: Persona,
        other_team_worker: Persona,
        make_persona: Callable[..., Persona],
        other_team: Team,
    ) -> None:
        today = timezone.localdate()
        ServiceFactory.create(
            start_on=today - timedelta(days=100), end_on=today - timedelta(days=5), team=social_worker.team
        )
        ServiceFactory.create(start_on=today - timedelta(days=100), end_on=today - timedelta(days=5), team=None)
        services.sweep_gaps(today=today)
        ours, nobodys = Gap.objects.get(team=social_worker.team), Gap.objects.get(team=None)
        with pytest.raises(ApplicationError, match="Only the gap's team or a team manager"):
            services.explain_gap(gap=ours, by=other_team_worker.user, explanation="Not ours to say")
        with pytest.raises(ApplicationError):
            services.explain_gap(gap=nobodys, by=social_worker.user, explanation="Not ours to say")
        ours.refresh_from_db()
        assert ours.status == GapStatus.OPEN
        manager = make_persona(other_team, Role.TEAM_MANAGER)
        services.explain_gap(gap=nobodys, by=manager.user, explanation="Ended at her request; she has no needs now")
        services.explain_gap(gap=ours, by=social_worker.user, explanation="She chose to stop the meals")
        assert set(Gap.objects.values_list("status", flat=True)) == {GapStatus.EXPLAINED}

    def test_every_rule_is_registered_including_other_apps(self) -> None:
        codes = {rule.code for rule in gaps.all_rules()}
        assert {gaps.SERVICE_ENDED, gaps.PLAN_PAST_DATE, gaps.POST_MOVE_CHECK, gaps.WORKER_LEFT} <= codes


def test_the_move_time_is_noon_when_recorded_for_an_earlier_day(make_plan: MakePlan, social_worker: Persona) -> None:
    plan = make_plan(planned_on=timezone.localdate())
    complete_essentials(plan, social_worker.user)
    services.mark_ready(plan=plan, by=social_worker.user)
    now = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=1), datetime.min.time().replace(hour=9))
    )
    moved = services.record_move(plan=plan, by=social_worker.user, moved_on=timezone.localdate(), now=now)
    assert timezone.localtime(moved.check_due_at).hour == 12
