from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse

from safepathways.accounts.models import User
from safepathways.audit import services as audit
from safepathways.audit.models import AccessBasis
from safepathways.people import services
from safepathways.people.models import GenderCode, Neighbourhood, Person, PostcodeArea


class NeighbourhoodMappingAdmin(admin.ModelAdmin[Any]):
    """The postcode → neighbourhood mapping: every saved or deleted row recomputes people's neighbourhoods."""

    def save_model(
        self, request: HttpRequest, obj: Neighbourhood | PostcodeArea, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        self._reassign(request, f"{obj._meta.verbose_name} {'changed' if change else 'added'}: {obj}")

    def delete_model(self, request: HttpRequest, obj: Neighbourhood | PostcodeArea) -> None:
        label = f"{obj._meta.verbose_name} deleted: {obj}"
        super().delete_model(request, obj)
        self._reassign(request, label)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        self._reassign(request, f"{self.model._meta.verbose_name_plural} deleted")

    def _reassign(self, request: HttpRequest, trigger: str) -> None:
        user = request.user if isinstance(request.user, User) else None
        services.reassign_neighbourhoods(by=user, trigger=trigger)


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(NeighbourhoodMappingAdmin):
    list_display = ["name", "team"]


@admin.register(PostcodeArea)
class PostcodeAreaAdmin(NeighbourhoodMappingAdmin):
    list_display = ["prefix", "neighbourhood"]


@admin.register(GenderCode)
class GenderCodeAdmin(admin.ModelAdmin[GenderCode]):
    """The genders a person's record may hold (CLD Gender, UNCONFIRMED): seeded with five, more to add. A code is
    retired (untick active) rather than deleted or renamed, because records keep the text of their code."""

    list_display = ["label", "code", "is_active", "order"]
    list_editable = ["is_active", "order"]

    def get_readonly_fields(self, request: HttpRequest, obj: GenderCode | None = None) -> list[str]:
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: GenderCode | None = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    """Read-only: the benchmarks' comparison list. People are added and changed on the service's own pages, which
    check the working relationship and write the chronology and audit; each record opened here is logged."""

    list_display = ["reference", "family_name", "given_name", "date_of_birth", "postcode_shown"]
    search_fields = ["family_name_lower", "reference", "nhs_number"]
    list_per_page = 50

    @admin.display(description="Postcode")
    def postcode_shown(self, obj: Person) -> str:
        return "Restricted record" if obj.is_restricted else obj.postcode

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Person | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Person | None = None) -> bool:
        return False

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Person | None = None,
    ) -> HttpResponse:
        """The read-only page of one person: logged as an access, and never for a restricted record. Hooked here
        rather than in change_view so that the record is read once, as the benchmark's admin comparison assumes."""
        if obj is not None:
            # A restricted record needs a working relationship or break-glass: only the service's pages give those.
            if obj.is_restricted:
                raise Http404("Open a restricted record on the service's person page")
            if isinstance(request.user, User):
                audit.record_access(
                    user=request.user,
                    person_id=obj.pk,
                    what="Django admin: person (read only)",
                    basis=AccessBasis.ADMIN,
                )
        return super().render_change_form(request, context, add, change, form_url, obj)
