from django.apps import AppConfig


class YoungPeopleConfig(AppConfig):
    name = "safepathways.young_people"
    label = "young_people"
    verbose_name = "Young people and care leavers"

    def ready(self) -> None:
        from safepathways.young_people import gaps, rules

        rules.register()
        gaps.register_rules()
