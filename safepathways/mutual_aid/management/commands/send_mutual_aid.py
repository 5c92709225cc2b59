"""Deliver mutual aid messages to partner councils' instances (run every minute, or with --loop)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from safepathways.mutual_aid.delivery import deliver_due


class Command(BaseCommand):
    help = "Send the mutual aid messages that are due; failures wait 1, 2, 4 … 60 minutes. Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running, checking every --every seconds")
        parser.add_argument("--every", type=int, default=30, help="Seconds between checks with --loop")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            report = deliver_due()
            if report.delivered or report.failed or report.rejected or options["verbosity"] > 1:
                self.stdout.write(
                    f"{report.delivered} delivered; {report.failed} failed; {report.rejected} refused by the partner."
                )
            for error in report.errors:
                self.stderr.write(error)
            if not options["loop"]:
                return
            time.sleep(max(options["every"], 1))
