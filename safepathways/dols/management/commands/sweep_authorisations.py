"""Expire DoLS authorisations past their end and terminate long suspensions (run daily)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepathways.dols.services import sweep_authorisations


class Command(BaseCommand):
    help = "Expire authorisations past their end date; terminate suspensions past 28 days. Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Sweep as of this date (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("--date must be YYYY-MM-DD") from error
        result = sweep_authorisations(today=today)
        self.stdout.write(f"{result.expired} authorisations expired; {result.terminated} suspensions terminated.")
