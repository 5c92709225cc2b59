from django.apps import AppConfig


class DischargesConfig(AppConfig):
    name = "safepathways.discharges"
    label = "discharges"
    verbose_name = "Hospital discharge"

    def ready(self) -> None:
        from safepathways.discharges import gaps, rules

        rules.register()
        gaps.register()
