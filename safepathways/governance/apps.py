from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "safepathways.governance"
    label = "governance"
