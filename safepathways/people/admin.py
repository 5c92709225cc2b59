from django.contrib import admin

from safepathways.people.models import Neighbourhood, Person, PostcodeArea


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin[Neighbourhood]):
    list_display = ["name", "team"]


@admin.register(PostcodeArea)
class PostcodeAreaAdmin(admin.ModelAdmin[PostcodeArea]):
    list_display = ["prefix", "neighbourhood"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    """Used by benchmarks as the comparison list; staff use the service's own pages."""

    list_display = ["reference", "family_name", "given_name", "date_of_birth", "postcode"]
    search_fields = ["family_name_lower", "reference", "nhs_number"]
    list_per_page = 50
