"""A young person's transitions worker: a new one is a hand-off, and one who has left is a continuity gap."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from safepathways.accounts.models import Role, Team
from safepathways.conftest import Persona
from safepathways.transitions import gaps as transition_gaps
from safepathways.work.models import Handoff, HandoffKind
from safepathways.young_people import services
from safepathways.young_people.gaps import TRANSITIONS_WORKER_LEFT, transitions_worker_left
from safepathways.young_people.tests.factories import YoungPersonFactory, born

pytestmark = pytest.mark.django_db


def test_the_first_worker_is_no_handoff_and_a_new_one_is(
    transitions_worker: Persona, make_persona: Callable[..., Persona], transitions_team: Team
) -> None:
    young = YoungPersonFactory.create(person__date_of_birth=born(15))
    services.allocate_transitions_worker(young_person=young, worker=transitions_worker.user, by=transitions_worker.user)
    assert not Handoff.objects.exists()
    services.allocate_transitions_worker(young_person=young, worker=transitions_worker.user, by=transitions_worker.user)
    assert not Handoff.objects.exists()  # the same worker again: nothing changed

    other = make_persona(transitions_team, Role.SOCIAL_WORKER)
    services.allocate_transitions_worker(young_person=young, worker=other.user, by=transitions_worker.user)

    handoff = Handoff.objects.get()
    assert handoff.kind == HandoffKind.WORKER and handoff.person_id == young.person_id
    assert (handoff.from_worker, handoff.to_worker) == (transitions_worker.user, other.user)


def test_the_rule_is_registered_with_continuity() -> None:
    rule = transition_gaps.get_rule(TRANSITIONS_WORKER_LEFT)
    assert rule is not None and rule.find is transitions_worker_left


def test_a_young_person_whose_transitions_worker_left_is_a_gap(
    transitions_worker: Persona, make_persona: Callable[..., Persona], transitions_team: Team
) -> None:
    today = timezone.localdate()
    stays = make_persona(transitions_team, Role.SOCIAL_WORKER)
    left = make_persona(transitions_team, Role.SOCIAL_WORKER)
    closed = make_persona(transitions_team, Role.SOCIAL_WORKER)
    left.user.left_on = today - timedelta(days=3)
    left.user.save()
    closed.user.is_active = False
    closed.user.save()
    with_stays = YoungPersonFactory.create(person__date_of_birth=born(16), transitions_worker=stays.user)
    with_left = YoungPersonFactory.create(person__date_of_birth=born(16), transitions_worker=left.user)
    with_closed = YoungPersonFactory.create(person__date_of_birth=born(17), transitions_worker=closed.user)
    YoungPersonFactory.create(person__date_of_birth=born(26), transitions_worker=left.user)  # past 25: off the tracker
    YoungPersonFactory.create(person__date_of_birth=born(16), transitions_worker=None)

    findings = {f.person_id: f for f in transitions_worker_left(today)}

    assert set(findings) == {with_left.person_id, with_closed.person_id}
    assert with_stays.person_id not in findings
    assert findings[with_left.person_id].since == today - timedelta(days=3)
    assert findings[with_left.person_id].team_id == transitions_team.pk
    assert findings[with_closed.person_id].since == today
