"""Factories for people: Faker en_GB names and NHS numbers from the 999 test range."""

from datetime import date, timedelta
from typing import Any

import factory
from django.utils import timezone

from safepathways.core.identifiers import nhs_number_in_test_range
from safepathways.people.models import Alert, ChronologyEntry, Person, Risk


def _nhs_number(n: int) -> str:
    serial = n
    while (number := nhs_number_in_test_range(serial)) is None:
        serial += 100_000
    return number


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    reference = factory.Sequence(lambda n: f"SP9{n:06d}")
    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    # At least 19: an adult on any date a test backdates an event to (a DoLS request received 25 days ago needs
    # the person to have been 18 then; minimum_age=18 made that fail for people turning 18 in those 25 days).
    date_of_birth = factory.Faker("date_of_birth", minimum_age=19, maximum_age=99)
    nhs_number = factory.Sequence(_nhs_number)
    nhs_number_status = "01"
    address_line_1 = factory.Faker("street_address", locale="en_GB")
    town = "London"
    postcode = "NW5 1AB"


class AlertFactory(factory.django.DjangoModelFactory[Alert]):
    class Meta:
        model = Alert

    person = factory.SubFactory(PersonFactory)
    kind = "risk_to_staff"
    reason = "Dog in the home"
    review_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class RiskFactory(factory.django.DjangoModelFactory[Risk]):
    class Meta:
        model = Risk

    person = factory.SubFactory(PersonFactory)
    title = "Falls at night"
    description = "Two falls this month"
    likelihood = 4
    impact = 3
    mitigation = "Pendant alarm"
    review_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class ChronologyEntryFactory(factory.django.DjangoModelFactory[ChronologyEntry]):
    class Meta:
        model = ChronologyEntry

    person = factory.SubFactory(PersonFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    category = "people"
    summary = "Phone call with daughter"
    recorded_by_label = "Test"


def person_data(**overrides: Any) -> dict[str, Any]:
    """Valid input for people.services.create_person."""
    data: dict[str, Any] = {
        "given_name": "Mary",
        "family_name": "Smith",
        "date_of_birth": date(1941, 3, 27),
        "nhs_number": "9990000018",
        "postcode": "nw5 1ab",
    }
    data.update(overrides)
    return data
