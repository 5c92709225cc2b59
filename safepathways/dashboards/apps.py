from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "safepathways.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from safepathways.dashboards import rules

        rules.register()
