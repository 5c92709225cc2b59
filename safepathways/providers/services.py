"""Recording the services a person receives. Each service is one transaction with its audit event.

Apps above this one may object to a new placement at a location (for example, the oversight app while new
placements there are suspended) by registering a placement check: `register_placement_check(check)`, where
`check(location, start_on)` returns a message for the person recording the service, or None. record_service
refuses the service with the message unless an override reason is given; an override is recorded in the
audit snapshot and the person's chronology.

Apps above this one may also follow each new service (for example, the work app counts a service that takes over
from another provider or team as a hand-off) by registering a listener: `register_service_listener(listener)`,
where `listener(service, by)` runs in record_service's transaction once the service is saved.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from safepathways.accounts.models import User
from safepathways.audit import services as audit
from safepathways.core.errors import ApplicationError
from safepathways.people.models import Person
from safepathways.people.services import add_to_chronology
from safepathways.providers.models import Location, Service, ServiceComponentCode

PlacementCheck = Callable[[Location, date], str | None]
_placement_checks: list[PlacementCheck] = []
ServiceListener = Callable[[Service, User], object]
_service_listeners: list[ServiceListener] = []


def register_service_listener(listener: ServiceListener) -> None:
    """Run `listener(service, by)` for every service recorded, in its transaction (registering twice is harmless)."""
    if listener not in _service_listeners:
        _service_listeners.append(listener)


def register_placement_check(check: PlacementCheck) -> None:
    """Add a check that record_service runs for every service at a location (registering twice is harmless)."""
    if check not in _placement_checks:
        _placement_checks.append(check)


def placement_objections(location: Location, start_on: date) -> list[str]:
    """The messages of every registered check that objects to a new service at `location` from `start_on`."""
    return [message for check in _placement_checks if (message := check(location, start_on))]


def _check_dates(start_on: date, end_on: date | None) -> None:
    if end_on is not None and end_on < start_on:
        raise ApplicationError("End date must be on or after the start date", field="end_on")


@transaction.atomic
def record_service(*, person: Person, by: User, data: dict[str, Any], override_reason: str = "") -> Service:
    """Record a service the person receives, with its CLD type, provider and start date.

    If a placement check objects to the location (e.g. new placements there are suspended), the service is
    refused with the check's message, on the location field, unless `override_reason` says why it goes ahead.
    """
    service = Service(person=person, recorded_by=by, **data)
    _check_dates(service.start_on, service.end_on)
    if not ServiceComponentCode.objects.allows(service.service_component or ""):
        raise ApplicationError("Choose a service component from the list", field="service_component")
    if (
        service.location is not None
        and service.provider is not None
        and service.location.provider_id != service.provider.pk
    ):
        raise ApplicationError("Choose a location run by the chosen provider", field="location")
    if service.location is not None and service.provider is None:
        service.provider = service.location.provider
    if service.planned_hours_per_week is not None and service.planned_hours_per_week < Decimal("0"):
        raise ApplicationError("Planned hours must be 0 or more", field="planned_hours_per_week")
    objections = placement_objections(service.location, service.start_on) if service.location is not None else []
    override_reason = override_reason.strip()
    if objections and not override_reason:
        raise ApplicationError(" ".join(objections), field="location")
    service.full_clean()
    service.save()
    provider_name = service.provider.name if service.provider else "no provider recorded"
    what = f"{service.service_type} ({provider_name})"
    # Recorded now either way: a service that starts later is a plan, not a start dated today.
    if service.start_on > timezone.localdate():
        summary = f"Service planned to start on {service.start_on:%d/%m/%Y}: {what}"
    else:
        summary = f"Service started: {what}"
    add_to_chronology(person=person, category="services", summary=summary, by=by)
    snapshot: dict[str, Any] = {"service_type": service.service_type, "start_on": service.start_on.isoformat()}
    if objections:
        snapshot.update(override=" ".join(objections), override_reason=override_reason)
        add_to_chronology(
            person=person,
            category="services",
            summary=f"Placement made despite: {' '.join(objections)}",
            detail=f"Reason for going ahead: {override_reason}",
            by=by,
        )
    audit.record(
        actor=by,
        action="service.recorded_with_override" if objections else "service.recorded",
        target=service,
        person_id=person.pk,
        snapshot=snapshot,
    )
    for listener in _service_listeners:
        listener(service, by)
    return service


@transaction.atomic
def end_service(*, service: Service, by: User, end_on: date, reason: str) -> Service:
    """End a service on a date, with the reason (what happens next is the transition plan's job)."""
    locked = Service.objects.select_for_update().get(pk=service.pk)
    if locked.end_on is not None and locked.end_on < timezone.localdate():
        raise ApplicationError("This service has already ended")
    if not reason.strip():
        raise ApplicationError("Enter why the service is ending", field="reason")
    _check_dates(locked.start_on, end_on)
    locked.end_on = end_on
    locked.end_reason = reason.strip()
    locked.save(update_fields=["end_on", "end_reason", "updated_at"])
    add_to_chronology(
        person=locked.person,
        category="services",
        summary=f"Service ends {end_on:%d/%m/%Y}: {locked.service_type}",
        by=by,
    )
    audit.record(
        actor=by,
        action="service.ended",
        target=locked,
        person_id=locked.person_id,
        snapshot={"end_on": end_on.isoformat()},
    )
    return locked
