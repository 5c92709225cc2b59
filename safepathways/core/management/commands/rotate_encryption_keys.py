"""Encrypt every secret kept at rest again with the first key of SAFEPATHWAYS_ENCRYPTION_KEYS."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safepathways.core import crypto, services


class Command(BaseCommand):
    help = (
        "Encrypt every stored secret again with the first of SAFEPATHWAYS_ENCRYPTION_KEYS. Put the new key first, "
        "keep the old key after it, run this, then remove the old key. Nothing is written unless every value "
        "can be read."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = services.rotate_encrypted_values()
        except crypto.DecryptionError as error:
            raise CommandError(str(error)) from error
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} value{'s' if count != 1 else ''} encrypted again")
        if not counts:
            self.stdout.write("No encrypted fields are installed.")
