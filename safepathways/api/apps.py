from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "safepathways.api"
    label = "api"

    def ready(self) -> None:
        from safepathways.api import schema  # noqa: F401 - registers the token scheme
