"""The synthetic young people of the borough generator (safepathways.borough.young_people_data)."""

import random

import pytest
from django.utils import timezone

from safepathways.borough.young_people_data import generate_young_people
from safepathways.core.identifiers import is_valid_nhs_number
from safepathways.people.models import ChronologyEntry, Person
from safepathways.people.tests.factories import PersonFactory
from safepathways.young_people import selectors
from safepathways.young_people.milestones import age_in_years
from safepathways.young_people.models import YoungPeopleSettings, YoungPerson

pytestmark = pytest.mark.django_db


def test_it_makes_young_people_aged_13_to_24_with_test_range_nhs_numbers() -> None:
    existing = PersonFactory.create()
    today = timezone.localdate()
    logged: list[str] = []
    made = generate_young_people(rng=random.Random(7), today=today, log=logged.append)
    assert made == 10
    young_people = list(YoungPerson.objects.select_related("person"))
    assert len(young_people) == 10
    numbers = [yp.person.nhs_number for yp in young_people if yp.person.nhs_number]
    assert all(n.startswith("999") and is_valid_nhs_number(n) for n in numbers)
    assert existing.nhs_number not in numbers
    assert all(13 <= age_in_years(yp.person.date_of_birth, today) <= 24 for yp in young_people)
    assert logged and "young people" in logged[-1]

    board = selectors.tracker(today, selectors.TrackerFilters(), YoungPeopleSettings.current())
    codes = {alarm.code for row in board.rows for alarm in row.alarms}
    assert {"move_unsettled", "no_adult_plan"} <= codes

    # A second run leaves a borough that already has young people alone.
    assert generate_young_people(rng=random.Random(7), today=today, log=logged.append) == 0


def test_the_same_seed_gives_the_same_young_people() -> None:
    today = timezone.localdate()
    generate_young_people(rng=random.Random(3), today=today, log=lambda _: None)
    first = sorted((yp.person.family_name, yp.is_care_leaver) for yp in YoungPerson.objects.select_related("person"))
    YoungPerson.objects.all().delete()
    ChronologyEntry.objects.all().delete()
    Person.objects.all().delete()
    generate_young_people(rng=random.Random(3), today=today, log=lambda _: None)
    second = sorted((yp.person.family_name, yp.is_care_leaver) for yp in YoungPerson.objects.select_related("person"))
    assert first == second
