"""Factories for young people: Faker en_GB names and NHS numbers from the 999 test range (through PersonFactory)."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from safepathways.people.tests.factories import PersonFactory
from safepathways.young_people.milestones import add_months
from safepathways.young_people.models import YoungPerson


def born(years: int, months: int = 0, *, days: int = 0, today: date | None = None) -> date:
    """The date of birth of someone exactly `years` and `months` old today, plus `days` more days of age."""
    return add_months(today or timezone.localdate(), -(years * 12 + months)) - timedelta(days=days)


class YoungPersonFactory(factory.django.DjangoModelFactory[YoungPerson]):
    class Meta:
        model = YoungPerson

    person = factory.SubFactory(PersonFactory, date_of_birth=factory.LazyFunction(lambda: born(16)))
    childrens_reference = factory.Sequence(lambda n: f"CS{n:06d}")
    has_ehc_plan = True
    is_known_to_childrens_social_care = True
