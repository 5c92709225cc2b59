"""Generate a synthetic borough: organisations, teams, demo staff, people and their services."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from safepathways.borough import reference
from safepathways.borough.generator import BoroughGenerator


class Command(BaseCommand):
    help = "Build a deterministic synthetic borough (reused if one exists) and the demo staff accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=2000, help="How many people (200000 for county scale)")
        parser.add_argument("--seed", type=int, default=2026, help="The same seed gives the same borough")
        parser.add_argument("--quiet-users", action="store_true", help="Do not print the demo accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        password = str(settings.SAFEPATHWAYS["DEMO_PASSWORD"])
        started = time.perf_counter()
        generator = BoroughGenerator(seed=options["seed"], password=password, log=self.stdout.write)
        summary = generator.generate(people=options["people"])
        elapsed = time.perf_counter() - started
        if summary.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Generated {summary.people} people, {summary.providers} providers with "
                    f"{summary.locations} locations, {summary.services} services, "
                    f"{summary.work_items} open work items, {summary.plans} transition plans, "
                    f"{summary.discharges} discharge referrals and {summary.young_people} young people "
                    f"in {elapsed:.1f}s."
                )
            )
        if not options["quiet_users"]:
            self.stdout.write("\nDemo accounts (synthetic data only), password: " + password)
            for demo in reference.DEMO_USERS:
                self.stdout.write(f"  {demo.email:<38} {demo.persona}")
