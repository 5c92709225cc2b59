"""The synthetic oversight data for the borough generator."""

import random
import time

from django.utils import timezone

from safepathways.borough.oversight_data import generate_oversight
from safepathways.conftest import Persona
from safepathways.oversight.models import ConcernCase, Escalation, PlacementSuspension, Vacancy
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers.models import Location, Provider
from safepathways.providers.tests.factories import ProviderFactory


def test_generate_oversight_is_consistent_and_fast(quality_officer: Persona) -> None:
    provider: Provider = ProviderFactory.create()
    types = ["care_home", "care_home_nursing", "home_care", "supported_living"]
    Location.objects.bulk_create(
        Location(
            provider=provider,
            name=f"Home {n}",
            location_type=types[n % 4],
            registered_places=30 if "care_home" in types[n % 4] else None,
        )
        for n in range(2000)
    )
    PersonFactory.create_batch(5)
    today = timezone.localdate()
    started = time.monotonic()
    made = generate_oversight(rng=random.Random(7), today=today, log=lambda _: None)
    assert time.monotonic() - started < 30
    assert made > 100
    homes = Location.objects.filter(location_type__in=["care_home", "care_home_nursing"])
    assert set(Vacancy.objects.filter(location__in=homes).values_list("location_id", flat=True)) == set(
        homes.values_list("pk", flat=True)
    )
    assert Vacancy.objects.filter(available=0).exists()
    oldest = min(Vacancy.objects.values_list("updated_at", flat=True))
    assert (timezone.now() - oldest).days <= 14
    assert ConcernCase.objects.exists()
    assert Escalation.objects.count() >= ConcernCase.objects.count()
    assert 1 <= PlacementSuspension.objects.count() <= 2
    assert not Location.objects.filter(cqc_rating="").exists()
