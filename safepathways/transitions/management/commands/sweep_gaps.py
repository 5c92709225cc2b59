"""Find people falling between services: the daily continuity sweep."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepathways.transitions.services import sweep_gaps


class Command(BaseCommand):
    help = "Run every continuity rule; open new gaps and resolve those put right. Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Sweep as of this date (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("--date must be YYYY-MM-DD") from error
        result = sweep_gaps(today=today)
        counts = ", ".join(f"{code} {n}" for code, n in sorted(result.open_by_rule.items()))
        self.stdout.write(
            f"{result.opened} gaps opened, {result.reopened} reopened, {result.resolved} resolved. Open: {counts}."
        )
