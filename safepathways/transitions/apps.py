from django.apps import AppConfig


class TransitionsConfig(AppConfig):
    name = "safepathways.transitions"
    label = "transitions"
    verbose_name = "Transitions and continuity"

    def ready(self) -> None:
        from safepathways.transitions import gaps, rules

        rules.register()
        gaps.register_own_rules()
