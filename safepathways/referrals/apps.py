from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "safepathways.referrals"
    label = "referrals"
    verbose_name = "Front door"

    def ready(self) -> None:
        from safepathways.referrals import rules

        rules.register()
