from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from safepathways.audit.models import AuditEvent
from safepathways.conftest import Persona
from safepathways.core.errors import ApplicationError
from safepathways.people.models import ChronologyEntry
from safepathways.people.tests.factories import PersonFactory
from safepathways.providers import services
from safepathways.providers.models import Location
from safepathways.providers.tests.factories import LocationFactory, ProviderFactory, ServiceFactory


def _data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"service_type": "Long Term Support: Community", "start_on": date(2026, 1, 5)}
    data.update(overrides)
    return data


def test_record_service_takes_the_provider_from_the_location(social_worker: Persona) -> None:
    person = PersonFactory()
    location: Location = LocationFactory.create()
    service = services.record_service(person=person, by=social_worker.user, data=_data(location=location))
    assert service.provider == location.provider
    assert ChronologyEntry.objects.filter(person=person, category="services").count() == 1
    assert AuditEvent.objects.get().action == "service.recorded"


def test_record_service_refuses_a_location_of_another_provider(social_worker: Persona) -> None:
    with pytest.raises(ApplicationError) as error:
        services.record_service(
            person=PersonFactory(),
            by=social_worker.user,
            data=_data(location=LocationFactory(), provider=ProviderFactory()),
        )
    assert error.value.field == "location"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"end_on": date(2025, 12, 31)}, "end_on"), ({"planned_hours_per_week": Decimal("-1")}, "planned_hours_per_week")],
)
def test_record_service_refuses_bad_input(social_worker: Persona, overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ApplicationError) as error:
        services.record_service(person=PersonFactory(), by=social_worker.user, data=_data(**overrides))
    assert error.value.field == field


def test_end_service(social_worker: Persona) -> None:
    service = ServiceFactory(start_on=timezone.localdate() - timedelta(days=30))
    with pytest.raises(ApplicationError, match="why"):
        services.end_service(service=service, by=social_worker.user, end_on=timezone.localdate(), reason="")
    with pytest.raises(ApplicationError, match="on or after"):
        services.end_service(service=service, by=social_worker.user, end_on=date(2000, 1, 1), reason="Moved")
    ended = services.end_service(
        service=service, by=social_worker.user, end_on=timezone.localdate(), reason="Moved away"
    )
    assert ended.end_on == timezone.localdate()
    assert ended.end_reason == "Moved away"


def test_a_registered_placement_check_refuses_a_service_unless_overridden(social_worker: Persona) -> None:
    location: Location = LocationFactory.create(name="Ash House")

    def check(where: Location, start_on: date) -> str | None:
        return f"Not at {where.name}" if where.pk == location.pk else None

    services.register_placement_check(check)
    try:
        person = PersonFactory()
        with pytest.raises(ApplicationError, match="Not at Ash House") as error:
            services.record_service(person=person, by=social_worker.user, data=_data(location=location))
        assert error.value.field == "location"
        services.record_service(
            person=person, by=social_worker.user, data=_data(location=location), override_reason="Family nearby"
        )
        event = AuditEvent.objects.get()
        assert event.action == "service.recorded_with_override"
        assert event.snapshot["override"] == "Not at Ash House"
        # The reason is free text: the audit trail keeps its length, the chronology keeps the words.
        assert event.snapshot["override_reason"] == "<13 characters>"
    finally:
        services._placement_checks.remove(check)
