from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safepathways.audit"
    label = "audit"
    verbose_name = "Audit and access log"

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from safepathways.audit.receivers import audit_admin_log_entry

        # The one signal in the audit design (ADR-022): the admin is not business flow, and Django's LogEntry is the
        # only hook that sees every ModelAdmin's add, change and delete, including third-party ones.
        post_save.connect(audit_admin_log_entry, sender=LogEntry, dispatch_uid="audit.admin_log_entry")
