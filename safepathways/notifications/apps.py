from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safepathways.notifications"
    label = "notifications"
    verbose_name = "Notifications"
