from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safepathways.core"
    label = "core"

    def ready(self) -> None:
        from safepathways.core import checks  # noqa: F401  (registers the system checks)
        from safepathways.core.pgtypes import use_c_timestamp_loader

        use_c_timestamp_loader()
