"""Recompute every person's neighbourhood from the postcode mapping as it is now."""

from typing import Any

from django.core.management.base import BaseCommand

from safepathways.people.services import reassign_neighbourhoods


class Command(BaseCommand):
    help = (
        "Recompute every person's neighbourhood from the current postcode areas (the admin does this after each "
        "change to the mapping); writes one audit event with the number changed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = reassign_neighbourhoods(by=None, trigger="manage.py reassign_neighbourhoods")
        self.stdout.write(
            self.style.SUCCESS(f"{changed} {'person' if changed == 1 else 'people'} moved neighbourhood.")
        )
