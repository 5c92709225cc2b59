from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safepathways.accounts"
    label = "accounts"
    verbose_name = "Staff, organisations and teams"

    def ready(self) -> None:
        from safepathways.accounts import rules  # noqa: F401 - registers the permissions
