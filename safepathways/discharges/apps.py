from django.apps import AppConfig


class DischargesConfig(AppConfig):
    name = "safepathways.discharges"
    label = "discharges"
    verbose_name = "Hospital discharge"

    def ready(self) -> None:
        from safepathways.discharges import gaps, rules
        from safepathways.discharges.services import plan_readiness_changed
        from safepathways.transitions.services import register_readiness_listener

        rules.register()
        gaps.register()
        # A referral's "ready" follows its transition plan's essential arrangements as they change.
        register_readiness_listener(plan_readiness_changed)
