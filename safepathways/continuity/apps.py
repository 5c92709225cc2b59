from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    name = "safepathways.continuity"
    label = "continuity"
    verbose_name = "Provider failure, emergencies and business continuity"

    def ready(self) -> None:
        from safepathways.continuity import rules

        rules.register()
