"""The continuity rules this app adds to transitions.gaps: an 18th birthday with no adult allocation, and a young
person whose transitions worker has left.

Care Act 2014 ss58-66 expect adult support to be in place when a young person turns 18 (children's services
continue until it is, s66: UNCONFIRMED wording). A young person on this app's records who is 18 or older, under
25 and alive, with no open work item allocated to a worker and no current service, has nobody on the adult side:
that is a gap. Young people for whom a transition assessment was decided not of significant benefit (s58: not
likely to need care and support after 18) are left out: no adult allocation is expected.

A young person on the tracker whose named transitions worker has left (account closed, or leaving date passed) has
nobody planning their move to adult services: that is a gap too, until another worker is named.

Each rule is one query (the first with two EXISTS subqueries) plus one for the transitions team, whatever the
borough's size.
"""

from collections.abc import Iterator
from datetime import date

from django.db.models import Exists, OuterRef, Q

from safepathways.accounts.models import Team
from safepathways.providers.models import Service
from safepathways.transitions.gaps import Finding, GapRule, register
from safepathways.work.models import WorkItem
from safepathways.young_people import milestones
from safepathways.young_people.models import SignificantBenefit, YoungPeopleSettings, YoungPerson

ADULT_ALLOCATION_AT_18 = "adult_allocation_at_18"
TRANSITIONS_WORKER_LEFT = "transitions_worker_left"


def no_adult_allocation_at_18(today: date) -> Iterator[Finding]:
    """Young people who have turned 18 with neither allocated open work nor a current service."""
    allocated = WorkItem.objects.filter(
        person_id=OuterRef("person_id"), closed_at__isnull=True, allocated_to__isnull=False
    )
    current = Service.objects.filter(person_id=OuterRef("person_id"), start_on__lte=today).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=today)
    )
    rows = (
        YoungPerson.objects.living()
        .aged_between(today, milestones.ADULTHOOD, milestones.UPPER_AGE)
        .exclude(significant_benefit=SignificantBenefit.NO)
        .exclude(Exists(allocated))
        .exclude(Exists(current))
        .values_list("person_id", "person__date_of_birth", "childrens_reference")
    )
    team = Team.objects.filter(slug=YoungPeopleSettings.current().team_slug).values_list("pk", flat=True).first()
    for person_id, born, reference in rows.iterator(chunk_size=2000):
        if born is None:  # aged_between filters on the date of birth: never true
            continue
        eighteenth = milestones.add_years(born, milestones.ADULTHOOD)
        yield Finding(
            person_id=person_id,
            subject_key=f"eighteen:{person_id}",
            detail=f"Turned 18 on {eighteenth:%-d %B %Y} with no adult worker or service (children's ref {reference})",
            since=eighteenth,
            team_id=team,
        )


def transitions_worker_left(today: date) -> Iterator[Finding]:
    """Young people on the tracker whose transitions worker has left: account closed or leaving date passed."""
    settings = YoungPeopleSettings.current()
    rows = (
        YoungPerson.objects.on_tracker(today, settings.tracker_from_age)
        .filter(transitions_worker__isnull=False)
        .filter(Q(transitions_worker__is_active=False) | Q(transitions_worker__left_on__lte=today))
        .values_list(
            "person_id", "transitions_worker_id", "transitions_worker__full_name", "transitions_worker__left_on"
        )
    )
    team = Team.objects.filter(slug=settings.team_slug).values_list("pk", flat=True).first()
    for person_id, worker_id, name, left_on in rows.iterator(chunk_size=2000):
        yield Finding(
            person_id=person_id,
            subject_key=f"transitions-worker:{person_id}:{worker_id}",
            detail=f"Their transitions worker {name} has left; nobody is planning their move to adult services",
            since=left_on or today,
            team_id=team,
        )


def register_rules() -> None:
    register(
        GapRule(
            ADULT_ALLOCATION_AT_18,
            "18th birthday with no adult allocation",
            "Allocate an adult worker, or record the service that is in place.",
            no_adult_allocation_at_18,
        )
    )
    register(
        GapRule(
            TRANSITIONS_WORKER_LEFT,
            "Transitions worker left",
            "Name another transitions worker for the young person.",
            transitions_worker_left,
        )
    )
