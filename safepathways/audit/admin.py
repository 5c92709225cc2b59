from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from safepathways.audit.models import AccessEvent, AuditEvent

# Every admin change is audited from its LogEntry's post_save (ADR-022). The "delete selected" action logs two or more
# deletions with one bulk_create, which sends no signal, so the admin deletes one row at a time, through each row's
# delete page, where the log entry, the audit event and the deletion share the page's transaction.
if "delete_selected" in dict(admin.site.actions):
    admin.site.disable_action("delete_selected")


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Audit records can be read in the admin but never added, changed or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "occurred_at", "actor_label", "action", "target_type", "target_id"]
    list_filter = ["action"]


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "occurred_at", "user", "person_id", "kind", "basis", "what"]
    list_filter = ["kind", "basis"]
