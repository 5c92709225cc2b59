from django.apps import AppConfig


class MutualAidConfig(AppConfig):
    name = "safepathways.mutual_aid"
    label = "mutual_aid"
    verbose_name = "Mutual aid between councils"

    def ready(self) -> None:
        from safepathways.mutual_aid import rules

        rules.register()
