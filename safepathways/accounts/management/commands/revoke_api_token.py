"""Revoke API tokens: a partner system's key that leaked, or every token of someone who left."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils import timezone

from safepathways.accounts.models import ApiToken, User
from safepathways.accounts.services import revoke_api_token
from safepathways.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Revoke an API token, found by its user's email, its name or the first characters of its key (--prefix). "
        "When several tokens match, they are listed and none is revoked unless --all is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", nargs="?", default="", help="The email of the user the token was issued to")
        parser.add_argument(
            "--prefix",
            default="",
            help="The start of the key (its first 8 characters kept); write --prefix=KEY, as a key may begin with -",
        )
        parser.add_argument("--name", default="", help="The token's name, as given to issue_api_token --name")
        parser.add_argument("--all", action="store_true", help="Revoke every token that matches")

    def handle(self, *args: Any, **options: Any) -> None:
        email, prefix, name = options["email"].strip().lower(), options["prefix"].strip(), options["name"].strip()
        if not (email or prefix or name):
            raise CommandError("Give the user's email, --prefix or --name to say which token to revoke.")
        tokens: QuerySet[ApiToken] = ApiToken.objects.active().select_related("user").order_by("created_at")
        if email:
            user = User.objects.filter(email=email).first()
            if user is None:
                raise CommandError(f"No user has the email {email!r}.")
            tokens = tokens.filter(user=user)
        if prefix:
            # Only the first 8 characters of a key are stored; a longer prefix (or the whole key) is cut to those.
            tokens = tokens.filter(prefix=prefix[:8])
        if name:
            tokens = tokens.filter(name__iexact=name)
        found = list(tokens)
        if not found:
            raise CommandError("No token that has not been revoked matches.")
        if len(found) > 1 and not options["all"]:
            self.stdout.write(f"{len(found)} tokens match:")
            for token in found:
                self.stdout.write(f"  {_describe(token)}")
            raise CommandError("Nothing revoked: choose one with --prefix, or revoke them all with --all.")
        for token in found:
            try:
                revoke_api_token(token=token, by=None, actor_label="manage.py revoke_api_token")
            except ApplicationError as error:
                raise CommandError(f"{_describe(token)}: {error.message}") from error
            self.stdout.write(f"Revoked {_describe(token)}")


def _describe(token: ApiToken) -> str:
    last_used = token.last_used_at
    used = f"last used {timezone.localtime(last_used):%Y-%m-%d %H:%M}" if last_used else "never used"
    issued = timezone.localtime(token.created_at)
    return f"{token.prefix} {token.name!r} for {token.user.email}, issued {issued:%Y-%m-%d}, {used}"
