"""Print a new key for SAFEPATHWAYS_ENCRYPTION_KEYS."""

from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new Fernet key for SAFEPATHWAYS_ENCRYPTION_KEYS (keep it with the council's other secrets)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(Fernet.generate_key().decode("ascii"))
