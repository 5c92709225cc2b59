from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "safepathways.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from safepathways.people import checks  # noqa: F401  (registers the system checks)
