from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "safepathways.providers"
    label = "providers"
    verbose_name = "Providers and services"
