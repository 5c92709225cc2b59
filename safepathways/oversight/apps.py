from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "safepathways.oversight"
    label = "oversight"
    verbose_name = "Provider oversight and vacancies"
