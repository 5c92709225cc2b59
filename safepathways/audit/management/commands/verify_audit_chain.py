"""Prove that no audit event was altered, inserted or removed."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safepathways.audit.services import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit hash chain and report the first break, if any."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.is_intact:
            raise CommandError(f"Audit chain broken after {report.events_checked} good events: {report.problem}.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.events_checked} events verified."))
