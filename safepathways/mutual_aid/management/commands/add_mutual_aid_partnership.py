"""Record a mutual aid partnership with another council; the shared secret is read from standard input."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepathways.core.errors import ApplicationError
from safepathways.mutual_aid.services import add_partnership


class Command(BaseCommand):
    help = (
        "Add a partner council. Pipe the agreed secret on standard input with --secret-stdin, or let one be made "
        "and printed once, to be given to the other council by a secure route."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="e.g. London Borough of Barnet")
        parser.add_argument("--ons-code", required=True, help="e.g. E09000003")
        parser.add_argument("--base-url", required=True, help="e.g. https://safepathways.barnet.example")
        parser.add_argument("--key-id", required=True, help="e.g. barnet-camden-2026 (the same on both sides)")
        parser.add_argument("--secret-stdin", action="store_true", help="Read the shared secret from standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        secret = sys.stdin.readline().strip() if options["secret_stdin"] else ""
        try:
            partnership, used = add_partnership(
                name=options["name"],
                ons_code=options["ons_code"],
                base_url=options["base_url"],
                key_id=options["key_id"],
                shared_secret=secret,
            )
        except ApplicationError as error:
            raise CommandError(f"{error.field or ''}: {error.message}") from error
        self.stdout.write(f"Added {partnership.name} ({partnership.ons_code}), key id {partnership.key_id}.")
        if not secret:
            self.stdout.write(f"Shared secret (shown once): {used}")
