"""The continuity rule: an 18th birthday with no adult allocation, found in one set-based query."""

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from safepathways.accounts.models import Team
from safepathways.conftest import Persona
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.tests.factories import ServiceFactory
from safepathways.transitions import gaps as transition_gaps
from safepathways.work.tests.factories import WorkItemFactory
from safepathways.young_people.gaps import ADULT_ALLOCATION_AT_18, no_adult_allocation_at_18
from safepathways.young_people.milestones import add_years
from safepathways.young_people.models import SignificantBenefit
from safepathways.young_people.tests.factories import YoungPersonFactory, born

pytestmark = pytest.mark.django_db


def test_the_rule_is_registered_with_continuity() -> None:
    rule = transition_gaps.get_rule(ADULT_ALLOCATION_AT_18)
    assert rule is not None
    assert rule.find is no_adult_allocation_at_18


def test_it_finds_an_18_year_old_with_nobody_on_the_adult_side(
    transitions_team: Team, transitions_worker: Persona, team: Team
) -> None:
    today = timezone.localdate()
    eighteen_today = YoungPersonFactory.create(person__date_of_birth=add_years(today, -18))
    YoungPersonFactory.create(person__date_of_birth=add_years(today, -18) + timedelta(days=1))  # 17 still
    allocated = YoungPersonFactory.create(person__date_of_birth=born(19))
    WorkItemFactory.create(person=allocated.person, team=team, allocated_to=transitions_worker.user)
    unallocated_work = YoungPersonFactory.create(person__date_of_birth=born(19))
    WorkItemFactory.create(person=unallocated_work.person, team=team, allocated_to=None)
    served = YoungPersonFactory.create(person__date_of_birth=born(20))
    ServiceFactory.create(person=served.person, start_on=today - timedelta(days=30))
    ended = YoungPersonFactory.create(person__date_of_birth=born(20))
    ServiceFactory.create(person=ended.person, start_on=today - timedelta(days=90), end_on=today - timedelta(days=1))
    YoungPersonFactory.create(
        person__date_of_birth=born(19),
        significant_benefit=SignificantBenefit.NO,
        significant_benefit_reason="No care needs likely",
    )
    YoungPersonFactory.create(person__date_of_birth=born(25))
    YoungPersonFactory.create(person__date_of_birth=born(20), person__date_of_death=today)
    PersonFactory.create(date_of_birth=born(19))  # not a young person on these records

    findings = {f.person_id: f for f in no_adult_allocation_at_18(today)}

    assert set(findings) == {eighteen_today.person_id, unallocated_work.person_id, ended.person_id}
    finding = findings[eighteen_today.person_id]
    assert finding.since == today
    assert finding.team_id == transitions_team.pk
    assert finding.subject_key == f"eighteen:{eighteen_today.person_id}"


def test_it_reads_the_same_number_of_queries_at_any_size(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    for _ in range(15):
        YoungPersonFactory.create(person__date_of_birth=born(19))
    # settings; transitions team; the young people with both EXISTS subqueries.
    with django_assert_num_queries(3):
        assert len(list(no_adult_allocation_at_18(timezone.localdate()))) == 15
