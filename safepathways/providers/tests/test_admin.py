"""Providers and their locations are kept in the Django admin: each change there writes one audit event."""

from django.urls import reverse

from safepathways.accounts.tests.admin_site import admin_form_data, signed_in_superuser
from safepathways.audit.models import AuditEvent
from safepathways.providers.models import Location, Provider
from safepathways.providers.tests.factories import LocationFactory


def test_changing_a_location_in_the_admin_writes_one_audit_event(db: None) -> None:
    location: Location = LocationFactory.create(registered_places=40)
    admin, client = signed_in_superuser()
    url = reverse("admin:providers_location_change", args=[location.pk])
    response = client.post(url, {**admin_form_data(client.get(url)), "registered_places": "44"})
    assert response.status_code == 302, response.content.decode()[:2000]
    location.refresh_from_db()
    assert location.registered_places == 44
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_type, event.target_id) == (
        admin,
        "admin.changed",
        "providers.location",
        str(location.pk),
    )
    assert event.snapshot == {"object": str(location), "change": "changed: Registered places"}


def test_adding_a_provider_in_the_admin_writes_one_audit_event(db: None) -> None:
    _, client = signed_in_superuser()
    response = client.post(
        reverse("admin:providers_provider_add"),
        {"name": "Heath Care Ltd", "cqc_provider_id": "1-100000999", "organisation": "", "phone": "", "email": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    provider = Provider.objects.get()
    event = AuditEvent.objects.get()
    assert (event.action, event.target_id, event.snapshot["object"]) == (
        "admin.added",
        str(provider.pk),
        "Heath Care Ltd",
    )
