from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safepathways.audit"
    label = "audit"
    verbose_name = "Audit and access log"
