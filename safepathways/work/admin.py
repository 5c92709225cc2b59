"""The waiting list's local policy, edited by administrators (ADR-011): timescales, the risk matrix, risk flags and
caseload caps. Keep-in-touch cycles are the priority timescales' contact intervals."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from safepathways.work.models import CaseloadCap, PriorityPolicy, RiskFlag, RiskMatrix


@admin.register(PriorityPolicy)
class PriorityPolicyAdmin(admin.ModelAdmin[PriorityPolicy]):
    """How often to keep in touch and how soon to allocate, for each priority. A deleted row falls back to the
    seeded defaults (work.services.DEFAULT_POLICY). New dates follow from the next rating or contact.

    The supervision limits say when a worker's allocated work is raised at supervision (open too long, no recent
    contact); they apply at once, to the next supervision page read."""

    list_display = [
        "priority",
        "contact_interval_days",
        "allocation_working_days",
        "supervision_open_days",
        "supervision_no_contact_days",
    ]
    list_editable = [
        "contact_interval_days",
        "allocation_working_days",
        "supervision_open_days",
        "supervision_no_contact_days",
    ]
    ordering = ["priority"]

    def get_readonly_fields(self, request: HttpRequest, obj: PriorityPolicy | None = None) -> list[str]:
        # The priority is the row's key: changing it would save a copy under the other priority.
        return ["priority"] if obj is not None else []


@admin.register(RiskMatrix)
class RiskMatrixAdmin(admin.ModelAdmin[RiskMatrix]):
    """Where likelihood × impact (1 to 25) turns amber and red. The service reads the one row with id 1, so the
    id is not offered and a second row cannot be added."""

    list_display = ["__str__", "amber_from", "red_from"]
    exclude = ["id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not RiskMatrix.objects.filter(id=1).exists()


@admin.register(RiskFlag)
class RiskFlagAdmin(admin.ModelAdmin[RiskFlag]):
    """Circumstances that set a minimum priority (safeguarding → red, carer breakdown → amber)."""

    list_display = ["label", "code", "minimum_priority", "is_active"]
    list_editable = ["minimum_priority", "is_active"]
    list_filter = ["minimum_priority", "is_active"]
    ordering = ["label"]

    def get_readonly_fields(self, request: HttpRequest, obj: RiskFlag | None = None) -> list[str]:
        # Work items keep flags by code: a changed code would save a copy and leave them pointing at the old one.
        return ["code"] if obj is not None else []


@admin.register(CaseloadCap)
class CaseloadCapAdmin(admin.ModelAdmin[CaseloadCap]):
    """How many open items a worker may hold in a team: a team default (no worker) and one worker's own cap.
    Without either there is no cap."""

    list_display = ["team", "worker", "cap"]
    list_editable = ["cap"]
    list_filter = ["team"]
    list_select_related = ["team", "user"]
    ordering = ["team__name", "user__full_name"]
    autocomplete_fields = ["user"]

    @admin.display(description="Worker", ordering="user__full_name")
    def worker(self, obj: CaseloadCap) -> Any:
        return obj.user.full_name if obj.user else "Team default (everyone without their own cap)"
