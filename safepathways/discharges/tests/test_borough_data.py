"""The synthetic discharge data for the demo borough (safepathways/borough/discharges_data.py)."""

import random
from datetime import date, timedelta

from django.utils import timezone

from safepathways.accounts.models import Organisation, Team
from safepathways.borough.discharges_data import generate_discharges
from safepathways.conftest import Persona
from safepathways.discharges import gaps
from safepathways.discharges.models import OPEN_STATUSES, PATHWAYS_WITH_SUPPORT, HospitalRoute, Referral
from safepathways.people.tests.factories import PersonFactory
from safepathways.transitions.models import ItemStatus, PlanKind, PlanStatus, PostMoveCheck


def test_it_adds_open_and_discharged_referrals_once(
    hospital: Organisation, hospital_team: Team, partner: Persona
) -> None:
    PersonFactory.create_batch(800, date_of_birth=date(1940, 1, 1))
    today = timezone.localdate()
    lines: list[str] = []
    written = generate_discharges(rng=random.Random(7), today=today, log=lines.append)
    assert written == 8  # 2 open (1 per 400 people) and 3 discharged for each
    assert Referral.objects.filter(status__in=OPEN_STATUSES).count() == 2
    assert HospitalRoute.objects.get(hospital=hospital).team == hospital_team
    for referral in Referral.objects.select_related("work_item"):
        assert referral.referred_by == partner.user
        assert referral.work_item.team == hospital_team
        if referral.discharged_on:
            assert referral.discharged_on >= today - timedelta(days=90)
            assert referral.discharge_ready_on is not None
            assert referral.discharge_ready_on <= referral.discharged_on
    list(gaps.discharged_without_support(today))  # runs on the generated rows
    assert generate_discharges(rng=random.Random(7), today=today, log=lines.append) == 0
    assert Referral.objects.count() == 8


def test_a_discharge_made_on_pathways_1_to_3_has_its_plan_moved_by_the_discharge(
    hospital: Organisation, hospital_team: Team, partner: Persona
) -> None:
    PersonFactory.create_batch(1600, date_of_birth=date(1940, 1, 1))
    today = timezone.localdate()
    generate_discharges(rng=random.Random(7), today=today, log=[].append)
    discharged = Referral.objects.filter(discharged_on__isnull=False, agreed_pathway__in=PATHWAYS_WITH_SUPPORT)
    assert discharged.exists()
    now = timezone.now()
    for referral in discharged.select_related("plan"):
        plan = referral.plan
        assert plan is not None, referral.reference
        assert plan.kind == PlanKind.HOSPITAL_DISCHARGE
        assert plan.person_id == referral.person_id
        assert plan.moved_on == plan.planned_on == referral.discharged_on
        assert not plan.arrangements.filter(is_essential=True).exclude(status=ItemStatus.DONE).exists()
        assert plan.shared_with.filter(pk=hospital.pk).exists()
        assert plan.check_due_at is not None
        checked = PostMoveCheck.objects.filter(plan=plan).first()
        if plan.check_due_at <= now:
            assert plan.status == PlanStatus.CHECKED and checked is not None
            if referral.support_start_on and referral.support_started_at is None:
                assert not checked.went_as_planned
        else:
            assert plan.status == PlanStatus.MOVED and checked is None
        assert {PlanStatus.PLANNING, PlanStatus.READY, PlanStatus.MOVED} <= {
            c.status for c in plan.status_changes.all()
        }
