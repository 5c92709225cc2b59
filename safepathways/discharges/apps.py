from django.apps import AppConfig


class DischargesConfig(AppConfig):
    name = "safepathways.discharges"
    label = "discharges"
    verbose_name = "Hospital discharge"
