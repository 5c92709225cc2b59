"""After the move, until the check: the checklist of a moved plan stays open; cancelled and checked plans are closed.

An emergency move is recorded after the event with its checklist open, and a recorded hospital discharge moves a
plan whatever is still open: the day team must be able to finish those arrangements afterwards.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Organisation
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.tests.factories import ServiceFactory
from safepathways.transitions import services
from safepathways.transitions.models import Arrangement, ItemStatus, Plan, PlanStatus
from safepathways.transitions.tests.conftest import MakePlan, complete_essentials

pytestmark = pytest.mark.django_db

DAY_TEAM = "Day team handed over the next working day"


def _emergency(social_worker: Persona) -> Plan:
    person = PersonFactory.create()
    ServiceFactory.create(person=person, team=social_worker.team)
    return services.record_emergency_move(
        person=person,
        moving_from="Rose House (flooded)",
        moving_to="Oak Lodge",
        team=social_worker.team,
        coordinator=social_worker.user,
        by=social_worker.user,
        reason="Residents moved out of a flooded home at night",
    )


def _arrangement(plan: Plan, label: str) -> Arrangement:
    return plan.arrangements.get(label=label)


def _done(plan: Plan, item: Arrangement, by: Persona) -> None:
    services.update_item(
        plan=plan,
        by=by.user,
        kind="arrangement",
        item_id=item.pk,
        owner=services.Owner("Dee Day", role="Day team social worker"),
        due_on=None,
        status=ItemStatus.DONE,
    )


class TestServices:
    def test_the_day_team_completes_an_emergency_moves_checklist(self, social_worker: Persona) -> None:
        plan = _emergency(social_worker)
        assert plan.status == PlanStatus.MOVED
        handover = _arrangement(plan, DAY_TEAM)
        _done(plan, handover, social_worker)
        handover.refresh_from_db()
        assert handover.status == ItemStatus.DONE
        assert handover.completed_by == social_worker.user
        step = services.add_step(
            plan=plan,
            by=social_worker.user,
            description="Find a longer-term home",
            owner=services.Owner("Dee Day"),
            due_on=timezone.localdate() + timedelta(days=7),
        )
        risk = services.add_risk(
            plan=plan,
            by=social_worker.user,
            risk="Oak Lodge cannot keep her past Friday",
            contingency="Duty team finds another placement",
            owner=services.Owner("Duty team"),
        )
        assert step.plan_id == risk.plan_id == plan.pk
        plan.refresh_from_db()
        assert plan.status == PlanStatus.MOVED  # the check after the move is still due

    def test_an_essential_arrangement_may_fall_due_after_a_move_that_has_happened(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = make_plan(planned_on=timezone.localdate())
        services.record_move(
            plan=plan,
            by=social_worker.user,
            moved_on=timezone.localdate(),
            happened_reason="Hospital discharge HD0000001 recorded",
        )
        medication = _arrangement(plan, "Medication to take home and the medicines chart")
        tomorrow = timezone.localdate() + timedelta(days=1)
        services.update_item(
            plan=plan,
            by=social_worker.user,
            kind="arrangement",
            item_id=medication.pk,
            owner=services.Owner("Community pharmacist"),
            due_on=tomorrow,
            status=ItemStatus.OPEN,
        )
        medication.refresh_from_db()
        assert medication.due_on == tomorrow
        with pytest.raises(ApplicationError) as error:  # still not in the past
            services.update_item(
                plan=plan,
                by=social_worker.user,
                kind="arrangement",
                item_id=medication.pk,
                owner=services.Owner("Community pharmacist"),
                due_on=timezone.localdate() - timedelta(days=1),
                status=ItemStatus.OPEN,
            )
        assert error.value.field == "due_on"

    def test_a_cancelled_plan_stays_closed(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan()
        item = plan.arrangements.first()
        assert item is not None
        services.cancel_plan(plan=plan, by=social_worker.user, reason="Stayed in hospital")
        with pytest.raises(ApplicationError, match="cancelled; its plan can no longer be changed"):
            _done(plan, item, social_worker)
        with pytest.raises(ApplicationError, match="cancelled"):
            services.add_step(
                plan=plan, by=social_worker.user, description="X", owner=services.Owner("Jo"), due_on=None
            )
        with pytest.raises(ApplicationError, match="cancelled"):
            services.add_risk(plan=plan, by=social_worker.user, risk="X", contingency="Y", owner=services.Owner("Jo"))
        item.refresh_from_db()
        assert item.status == ItemStatus.OPEN

    def test_a_checked_plan_stays_closed(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan(planned_on=timezone.localdate())
        complete_essentials(plan, social_worker.user)
        services.mark_ready(plan=plan, by=social_worker.user)
        services.record_move(plan=plan, by=social_worker.user, moved_on=timezone.localdate())
        services.record_check(plan=plan, by=social_worker.user, spoke_to="Her son", went_as_planned=True)
        item = plan.arrangements.filter(status=ItemStatus.OPEN).first()
        assert item is not None
        with pytest.raises(ApplicationError, match="checked and the plan is closed"):
            _done(plan, item, social_worker)
        with pytest.raises(ApplicationError, match="checked and the plan is closed"):
            services.add_risk(plan=plan, by=social_worker.user, risk="X", contingency="Y", owner=services.Owner("Jo"))

    def test_the_move_details_are_not_changed_after_the_move(self, social_worker: Persona) -> None:
        plan = _emergency(social_worker)
        with pytest.raises(ApplicationError, match="The person has moved"):
            services.update_plan(plan=plan, by=social_worker.user, data={"moving_to": "Elm House"})


class TestPages:
    def test_the_update_links_show_after_the_move_and_the_family_copy_follows(self, social_worker: Persona) -> None:
        plan = _emergency(social_worker)
        handover = _arrangement(plan, DAY_TEAM)
        item_url = reverse("transitions:item", args=[plan.pk, "arrangement", handover.pk])
        page = social_worker.http.get(reverse("transitions:plan", args=[plan.pk])).content.decode()
        assert f'href="{item_url}"' in page
        assert 'action="{}"'.format(reverse("transitions:add_step", args=[plan.pk])) in page
        assert 'action="{}"'.format(reverse("transitions:add_risk", args=[plan.pk])) in page
        # The day team's handover is done after the move: not one of those the person moved without.
        assert "The person has moved with 5 essential arrangements still open" in page
        assert f"To do after the move: {DAY_TEAM} (due " in page
        response = social_worker.http.post(
            item_url, {"owner_name": "Dee Day", "owner_role": "Day team", "status": "done", "note": "Handed over 9am"}
        )
        assert response.status_code == 302
        handover.refresh_from_db()
        assert handover.status == ItemStatus.DONE
        family = social_worker.http.get(reverse("transitions:family_copy", args=[plan.pk])).content.decode()
        row = family.split(DAY_TEAM, 1)[1].split("</tr>", 1)[0]
        assert "Yes" in row and "Not yet" not in row

    def test_no_update_links_on_a_cancelled_plan(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan()
        item = plan.arrangements.first()
        assert item is not None
        services.cancel_plan(plan=plan, by=social_worker.user, reason="Stayed in hospital")
        item_url = reverse("transitions:item", args=[plan.pk, "arrangement", item.pk])
        page = social_worker.http.get(reverse("transitions:plan", args=[plan.pk])).content.decode()
        assert item_url not in page
        refused = social_worker.http.post(item_url, {"owner_name": "Jo", "status": "done"})
        assert refused.status_code == 200
        assert "cancelled; its plan can no longer be changed" in refused.content.decode()
        item.refresh_from_db()
        assert item.status == ItemStatus.OPEN

    def test_a_partner_still_updates_only_their_own_items_after_the_move(
        self, make_plan: MakePlan, social_worker: Persona, partner: Persona, hospital: Organisation
    ) -> None:
        plan = make_plan(planned_on=timezone.localdate())
        services.share_plan(plan=plan, by=social_worker.user, organisation=hospital)
        ours, theirs = plan.arrangements.all()[:2]
        services.update_item(
            plan=plan,
            by=social_worker.user,
            kind="arrangement",
            item_id=ours.pk,
            owner=services.Owner("Ward 8 nurse", organisation=hospital),
            due_on=None,
            status=ItemStatus.OPEN,
        )
        services.record_move(
            plan=plan, by=social_worker.user, moved_on=timezone.localdate(), happened_reason="Discharged"
        )
        url = reverse("transitions:item", args=[plan.pk, "arrangement", ours.pk])
        page = partner.http.get(reverse("transitions:plan", args=[plan.pk])).content.decode()
        assert f'href="{url}"' in page
        assert reverse("transitions:item", args=[plan.pk, "arrangement", theirs.pk]) not in page
        assert partner.http.post(url, {"status": "done", "note": "Sent with her"}).status_code == 302
        ours.refresh_from_db()
        assert ours.status == ItemStatus.DONE
        other = reverse("transitions:item", args=[plan.pk, "arrangement", theirs.pk])
        assert partner.http.post(other, {"status": "done"}).status_code == 403
