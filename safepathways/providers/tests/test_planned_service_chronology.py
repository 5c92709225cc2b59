"""The chronology tells a service that starts later from one that has started."""

from datetime import timedelta

from django.utils import timezone

from safepathways.conftest import Persona
from safepathways.people.models import ChronologyEntry
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers import services
from safepathways.providers.tests.factories import ProviderFactory


def _record(persona: Persona, days: int) -> ChronologyEntry:
    person = PersonFactory()
    provider = ProviderFactory(name="Bright Homecare")
    start_on = timezone.localdate() + timedelta(days=days)
    data = {"service_type": "Long Term Support: Community", "start_on": start_on, "provider": provider}
    services.record_service(person=person, by=persona.user, data=data)
    return ChronologyEntry.objects.get(person=person, category="services")


def test_a_service_starting_later_is_recorded_now_as_planned(social_worker: Persona) -> None:
    before = timezone.now()
    entry = _record(social_worker, 10)
    start_on = timezone.localdate() + timedelta(days=10)
    assert entry.summary == (
        f"Service planned to start on {start_on:%d/%m/%Y}: Long Term Support: Community (Bright Homecare)"
    )
    assert before <= entry.occurred_at <= timezone.now()  # dated when it was recorded, not when it starts


def test_a_service_that_has_started_says_so_as_before(social_worker: Persona) -> None:
    for days in (0, -30):
        entry = _record(social_worker, days)
        assert entry.summary == "Service started: Long Term Support: Community (Bright Homecare)"
