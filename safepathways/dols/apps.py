from django.apps import AppConfig


class DolsConfig(AppConfig):
    name = "safepathways.dols"
    label = "dols"
    verbose_name = "Deprivation of liberty"

    def ready(self) -> None:
        from safepathways.dols import rules

        rules.register()
