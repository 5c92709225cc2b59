from django.apps import AppConfig


class BoroughConfig(AppConfig):
    name = "safepathways.borough"
    label = "borough"
    verbose_name = "Synthetic borough"
