"""The synthetic discharge data for the demo borough (safepathways/borough/discharges_data.py)."""

import random
from datetime import date, timedelta

from django.utils import timezone

from safepathways.accounts.models import Organisation, Team
from safepathways.borough.discharges_data import generate_discharges
from safepathways.conftest import Persona
from safepathways.discharges import gaps
from safepathways.discharges.models import OPEN_STATUSES, HospitalRoute, Referral
from safepathways.people.tests.factories import PersonFactory


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
