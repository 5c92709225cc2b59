"""System checks for settings a council must get right before going live."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from safepathways.core import crypto


@register(Tags.security)
def encryption_keys(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Every configured key must be a Fernet key: otherwise no partner's secret could be read or written."""
    return [
        Error(problem, hint="Generate one with `manage.py generate_encryption_key`.", id="safepathways.E001")
        for problem in crypto.key_problems(crypto.configured_keys())
    ]


@register(Tags.security, deploy=True)
def encryption_keys_configured(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if crypto.configured_keys() or getattr(settings, "DEBUG", False):
        return []
    return [
        Warning(
            "SAFEPATHWAYS_ENCRYPTION_KEYS is not set, so secrets kept at rest are encrypted with a key derived "
            "from DJANGO_SECRET_KEY: changing the secret key would make them unreadable.",
            hint="Set SAFEPATHWAYS_ENCRYPTION_KEYS to a key from `manage.py generate_encryption_key`.",
            id="safepathways.W001",
        )
    ]
