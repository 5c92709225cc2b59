"""Turns each Django admin log entry into an audit event, in the admin's transaction (ADR-022)."""

from typing import Any

from django.contrib.admin.models import LogEntry

from safepathways.audit import services


def audit_admin_log_entry(
    sender: type[LogEntry], instance: LogEntry, created: bool, raw: bool = False, **_: Any
) -> None:
    if created and not raw:
        services.record_admin_change(entry=instance)
