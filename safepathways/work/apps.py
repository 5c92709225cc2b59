from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "safepathways.work"
    label = "work"
    verbose_name = "Work and allocation"

    def ready(self) -> None:
        from safepathways.providers.services import register_service_listener
        from safepathways.work import handoffs, rules

        rules.register()
        # A service taking over from another provider or team is a hand-off (work.handoffs).
        register_service_listener(handoffs.on_service_recorded)
