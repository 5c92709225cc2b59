from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "safepathways.people"
    label = "people"
    verbose_name = "People"
