from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "safepathways.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding adults"

    def ready(self) -> None:
        from safepathways.safeguarding import rules

        rules.register()
