"""Bringing a move date forward: not before an open essential arrangement is due, unless the hospital set the date."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safepathways.accounts.models import Organisation, Role, Team, TeamKind
from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.discharges import services as discharges
from safepathways.discharges.models import Referral
from safepathways.discharges.tests.factories import ward_referral
from safepathways.notifications.models import Notification
from safepathways.transitions import services
from safepathways.transitions.models import Arrangement, ItemStatus, Plan
from safepathways.transitions.tests.conftest import MakePlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospital_worker(make_persona: Callable[..., Persona], council: Organisation) -> Persona:
    team = Team.objects.create(
        organisation=council, name="Hospital social work", slug="hospital-sw", kind=TeamKind.HOSPITAL_SOCIAL_WORK
    )
    return make_persona(team, Role.SOCIAL_WORKER, name="Hana Ito")


@pytest.fixture
def referral(hospital_worker: Persona, hospital: Organisation, partner: Persona) -> Referral:
    """A ward's referral, discharge-ready since yesterday (the discharges app's own journey)."""
    details = ward_referral(hospital, discharge_ready_on=timezone.localdate() - timedelta(days=1))
    return discharges.create_referral(details=details, by=partner.user)


MEDICATION = "Medication to take home and the medicines chart"
KEYS = "Keys or key safe code with the carers"


def _in(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def _due(plan: Plan, label: str, on: date, by: Persona, status: str = ItemStatus.OPEN) -> Arrangement:
    item = plan.arrangements.get(label=label)
    services.update_item(
        plan=plan,
        by=by.user,
        kind="arrangement",
        item_id=item.pk,
        owner=services.Owner("Ward nurse"),
        due_on=on,
        status=status,
    )
    item.refresh_from_db()
    return item


class TestBringingTheDateForward:
    def test_refused_before_an_open_essential_arrangement_is_due(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = make_plan(planned_on=_in(10))
        _due(plan, MEDICATION, _in(8), social_worker)
        with pytest.raises(ApplicationError) as error:
            services.update_plan(plan=plan, by=social_worker.user, data={"planned_on": _in(5)})
        assert error.value.field == "planned_on"
        assert error.value.message == (
            f"{MEDICATION} is due on {_in(8):%-d %B %Y}, after the new move date; change its date first"
        )
        plan.refresh_from_db()
        assert plan.planned_on == _in(10)

    def test_every_arrangement_in_the_way_is_named(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan(planned_on=_in(10))
        _due(plan, KEYS, _in(9), social_worker)
        _due(plan, MEDICATION, _in(8), social_worker)
        with pytest.raises(ApplicationError) as error:
            services.update_plan(plan=plan, by=social_worker.user, data={"planned_on": _in(5)})
        assert error.value.message == (
            f"{MEDICATION} (due {_in(8):%-d %B %Y}) and {KEYS} (due {_in(9):%-d %B %Y}) are due after the new move "
            "date; change their dates first"
        )

    def test_done_not_essential_and_same_day_arrangements_do_not_stand_in_the_way(
        self, make_plan: MakePlan, social_worker: Persona
    ) -> None:
        plan = make_plan(planned_on=_in(10))
        _due(plan, MEDICATION, _in(8), social_worker, status=ItemStatus.DONE)
        _due(plan, "District nurse informed", _in(9), social_worker)  # not essential
        _due(plan, KEYS, _in(5), social_worker)
        services.update_plan(plan=plan, by=social_worker.user, data={"planned_on": _in(5)})
        plan.refresh_from_db()
        assert plan.planned_on == _in(5)
        # A later date is never in the way.
        services.update_plan(plan=plan, by=social_worker.user, data={"planned_on": _in(12)})

    def test_the_page_shows_the_refusal_on_the_date(self, make_plan: MakePlan, social_worker: Persona) -> None:
        plan = make_plan(planned_on=_in(10))
        _due(plan, MEDICATION, _in(8), social_worker)
        day = _in(5)
        response = social_worker.http.post(
            reverse("transitions:details", args=[plan.pk]),
            {
                "details-moving_from": plan.moving_from,
                "details-moving_to": plan.moving_to,
                "details-planned_on_day": day.day,
                "details-planned_on_month": day.month,
                "details-planned_on_year": day.year,
                "details-coordinator": social_worker.user.pk,
            },
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert "after the new move date; change its date first" in page
        assert 'href="#details-planned_on' in page  # the error summary links to the date
        plan.refresh_from_db()
        assert plan.planned_on == _in(10)


class TestTheHospitalMovesTheDischargeDate:
    """A discharge date the hospital brings forward is not held up: the arrangements follow it (ADR-014)."""

    def test_the_open_essential_arrangements_are_brought_forward_and_it_is_recorded(
        self, referral: Referral, hospital_worker: Persona, social_worker: Persona
    ) -> None:
        discharges.agree_pathway(referral=referral, pathway=1, planned_discharge_on=_in(10), by=hospital_worker.user)
        referral.refresh_from_db()
        plan = referral.plan
        assert plan is not None
        services.update_plan(plan=plan, by=social_worker.user, data={"coordinator": social_worker.user})
        medication = _due(plan, MEDICATION, _in(8), social_worker)
        keys = _due(plan, KEYS, _in(9), social_worker, status=ItemStatus.DONE)

        # A practitioner cannot bring the plan before the medication is due...
        with pytest.raises(ApplicationError, match="change its date first"):
            services.update_plan(plan=plan, by=social_worker.user, data={"planned_on": _in(5)})
        # ...but the hospital's new discharge date is recorded, and the medication is now due that day.
        discharges.agree_pathway(referral=referral, pathway=1, planned_discharge_on=_in(5), by=hospital_worker.user)
        plan.refresh_from_db()
        medication.refresh_from_db()
        keys.refresh_from_db()
        assert plan.planned_on == _in(5)
        assert medication.due_on == _in(5)
        assert medication.status == ItemStatus.OPEN  # still to do: readiness still waits for it
        assert keys.due_on == _in(9)  # done: left as it was
        entry = plan.person.chronology.get(summary__contains="open essential arrangements brought forward")
        assert f"{MEDICATION} (was due {_in(8):%-d %B %Y})" in entry.detail
        event = AuditEvent.objects.filter(action="transition.plan_updated").latest("occurred_at")
        assert f"{MEDICATION} (was due {_in(8).isoformat()})" in event.snapshot["brought_forward"]
        notice = Notification.objects.get(recipient=social_worker.user)
        assert "now due that day" in notice.message

    def test_the_plan_follows_a_later_discharge_date_as_before(
        self, referral: Referral, hospital_worker: Persona
    ) -> None:
        discharges.agree_pathway(referral=referral, pathway=1, planned_discharge_on=_in(3), by=hospital_worker.user)
        discharges.agree_pathway(referral=referral, pathway=1, planned_discharge_on=_in(6), by=hospital_worker.user)
        referral.refresh_from_db()
        assert referral.plan is not None
        assert referral.plan.planned_on == _in(6)
        assert not referral.plan.person.chronology.filter(summary__contains="brought forward").exists()
