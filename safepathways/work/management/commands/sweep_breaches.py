"""Detect missed keep-in-touch and allocation dates and escalate them (run daily, e.g. from cron)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepathways.work.services import sweep_breaches


class Command(BaseCommand):
    help = "Record breaches of the waiting-list timescales and notify team managers. Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Sweep as of this date (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("--date must be YYYY-MM-DD") from error
        result = sweep_breaches(today=today)
        self.stdout.write(f"{result.detected} new breaches; {result.escalated_to} managers notified.")
