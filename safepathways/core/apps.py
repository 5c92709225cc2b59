from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safepathways.core"
    label = "core"
