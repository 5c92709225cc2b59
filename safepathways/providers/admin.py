from django.contrib import admin
from django.http import HttpRequest

from safepathways.providers.models import Location, Provider, ProviderConcern, ServiceComponentCode


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin[Provider]):
    list_display = ["name", "cqc_provider_id"]
    search_fields = ["name", "cqc_provider_id"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin[Location]):
    list_display = ["name", "provider", "location_type", "registered_places", "cqc_location_id"]
    search_fields = ["name", "cqc_location_id"]


@admin.register(ProviderConcern)
class ProviderConcernAdmin(admin.ModelAdmin[ProviderConcern]):
    list_display = ["provider", "location", "source", "raised_at", "status"]


@admin.register(ServiceComponentCode)
class ServiceComponentCodeAdmin(admin.ModelAdmin[ServiceComponentCode]):
    """The CLD Service_Component list (UNCONFIRMED): seeded with the Interweave list, more to add. A component is
    retired (untick active) rather than deleted or renamed, because services keep the text of their component."""

    list_display = ["label", "code", "is_active", "order"]
    list_editable = ["is_active", "order"]

    def get_readonly_fields(self, request: HttpRequest, obj: ServiceComponentCode | None = None) -> list[str]:
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: ServiceComponentCode | None = None) -> bool:
        return False
