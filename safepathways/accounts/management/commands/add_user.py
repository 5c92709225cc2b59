"""Add a member of staff or a partner to a team with a role."""

import os
from typing import Any

from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepathways.accounts.models import Role, Team
from safepathways.accounts.services import add_user, set_password_link
from safepathways.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Add a user to a team with a role. The password comes from SAFEPATHWAYS_NEW_USER_PASSWORD; "
        "without it, an email with a link to set one is sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--team", required=True, help="The team's slug")
        parser.add_argument("--role", required=True, help=", ".join(Role.values))
        parser.add_argument("--name", default="", help="Full name")
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="Also let them use the Django admin site with every permission (the first administrator)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        team = Team.objects.filter(slug=options["team"]).first()
        if team is None:
            raise CommandError(f"No team has the slug {options['team']!r}.")
        if options["role"] not in Role.values:
            raise CommandError(f"Role must be one of: {', '.join(Role.values)}.")
        # A password is never a command-line argument (it would show in the process list).
        password = os.environ.get("SAFEPATHWAYS_NEW_USER_PASSWORD") or None
        try:
            user = add_user(
                email=options["email"],
                full_name=options["name"],
                team=team,
                role=options["role"],
                password=password,
                by=None,
                superuser=options["superuser"],
            )
        except ApplicationError as error:
            source = {"password": "SAFEPATHWAYS_NEW_USER_PASSWORD", "role": "--role"}.get(error.field or "", "add_user")
            raise CommandError(f"{source}: {error.message}") from error
        if password is None and not user.has_usable_password():
            link = set_password_link(user)
            send_mail(
                "Set your Safe Pathways password",
                f"An account has been made for you. Set your password within 3 days here: {link}",
                None,
                [user.email],
            )
            self.stdout.write(f"Emailed {user.email} a link to set a password.")
        self.stdout.write(self.style.SUCCESS(f"{user.email} is a {options['role']} in {team.name}."))
        if user.is_superuser:
            self.stdout.write(f"{user.email} can use the admin site, after setting up an authenticator app.")
