from django.contrib import admin

from safepathways.providers.models import Location, Provider, ProviderConcern


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
