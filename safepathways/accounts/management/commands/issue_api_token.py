"""Issue an API token for a partner system; the key is shown once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepathways.accounts.models import User
from safepathways.accounts.services import issue_api_token


class Command(BaseCommand):
    help = "Issue an API token for the user with this email. Only a hash of the key is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="API token", help="What the token is for, e.g. the trust's EPR")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].lower()).first()
        if user is None:
            raise CommandError(f"No user has the email {options['email']!r}.")
        _, key = issue_api_token(user=user, name=options["name"])
        self.stdout.write("Send this key to the partner securely; it will not be shown again:")
        self.stdout.write(key)
