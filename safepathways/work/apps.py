from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "safepathways.work"
    label = "work"
    verbose_name = "Work and allocation"

    def ready(self) -> None:
        from safepathways.work import rules

        rules.register()
