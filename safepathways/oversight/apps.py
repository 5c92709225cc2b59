from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "safepathways.oversight"
    label = "oversight"
    verbose_name = "Provider oversight and vacancies"

    def ready(self) -> None:
        from safepathways.oversight import rules, services
        from safepathways.providers.services import register_placement_check

        rules.register()
        # New services at a location where placements are suspended are refused unless overridden with a reason.
        register_placement_check(services.placement_check)
