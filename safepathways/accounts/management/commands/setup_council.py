"""Set up a new instance: the council that runs it and its standard teams, so that staff can be added to them."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepathways.accounts.services import set_up_council
from safepathways.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Create the council that runs this instance and its standard teams (front door, hospital social work, OT "
        "duty, DoLS, safeguarding, transitions, out of hours, provider quality, contingency, information governance, "
        "leadership, administration). Safe to run again: what exists is reused. Neighbourhood teams and the postcode "
        "mapping are added in the admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name",
            default=settings.SAFEPATHWAYS["COUNCIL_NAME"],
            help="The council's name (default: SAFEPATHWAYS_COUNCIL_NAME, %(default)s)",
        )
        parser.add_argument(
            "--ons-code",
            default=settings.SAFEPATHWAYS["COUNCIL_ONS_CODE"],
            help="The council's ONS (GSS) code (default: SAFEPATHWAYS_COUNCIL_ONS_CODE, %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = set_up_council(
                name=options["name"], ons_code=options["ons_code"], by=None, actor_label="manage.py setup_council"
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        council = done.council
        verb = "Created" if done.council_created else "Reused"
        self.stdout.write(f"{verb} the council: {council.name} (ONS code {council.ons_code}).")
        for team in done.teams_created:
            self.stdout.write(f"Created team {team.name} ({team.slug}).")
        for team in done.teams_reused:
            self.stdout.write(f"Reused team {team.name} ({team.slug}).")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(done.teams_created)} teams created, {len(done.teams_reused)} already there. Add staff with "
                "manage.py add_user; add the neighbourhood teams and the postcode mapping in the admin."
            )
        )
