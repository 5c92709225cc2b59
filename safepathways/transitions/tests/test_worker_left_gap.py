"""A "worker left" gap begins when the worker left, not when the work was allocated to them (longest first)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import User
from safepathways.conftest import Persona
from safepathways.people.tests.factories import PersonFactory
from safepathways.transitions import gaps, services
from safepathways.transitions.models import Gap
from safepathways.work.models import WorkItem, WorkKind
from safepathways.work.services import allocate, open_work

pytestmark = pytest.mark.django_db


def _allocated_years_ago(worker: Persona, manager: Persona) -> WorkItem:
    item = open_work(
        person=PersonFactory.create(), kind=WorkKind.REVIEW, team=worker.team, title="Annual review", by=manager.user
    )
    allocate(work_item=item, to_user=worker.user, by=manager.user, expected_owner_id=None, reason="Caseload")
    WorkItem.objects.filter(pk=item.pk).update(allocated_at=timezone.now() - timedelta(days=3 * 365))
    return item


def test_the_gap_is_dated_from_the_leaving_date(social_worker: Persona, team_manager: Persona) -> None:
    today = timezone.localdate()
    _allocated_years_ago(social_worker, team_manager)
    User.objects.filter(pk=social_worker.user.pk).update(left_on=today - timedelta(days=1))
    services.sweep_gaps(today=today)
    assert Gap.objects.get(rule=gaps.WORKER_LEFT).since == today - timedelta(days=1)


def test_without_a_leaving_date_it_is_dated_from_the_sweep_that_found_it(
    social_worker: Persona, team_manager: Persona
) -> None:
    today = timezone.localdate()
    _allocated_years_ago(social_worker, team_manager)
    User.objects.filter(pk=social_worker.user.pk).update(is_active=False)  # account closed, no date recorded
    services.sweep_gaps(today=today)
    assert Gap.objects.get(rule=gaps.WORKER_LEFT).since == today
    services.sweep_gaps(today=today + timedelta(days=5))  # still open: still dated from the day it was found
    assert Gap.objects.get(rule=gaps.WORKER_LEFT).since == today


def test_work_allocated_after_the_worker_left_is_dated_from_the_allocation(
    social_worker: Persona, team_manager: Persona
) -> None:
    today = timezone.localdate()
    item = _allocated_years_ago(social_worker, team_manager)
    WorkItem.objects.filter(pk=item.pk).update(allocated_at=timezone.now() - timedelta(days=2))
    User.objects.filter(pk=social_worker.user.pk).update(left_on=today - timedelta(days=30))
    services.sweep_gaps(today=today)
    assert Gap.objects.get(rule=gaps.WORKER_LEFT).since == today - timedelta(days=2)
