"""Import vacancy figures from a Capacity Tracker CSV: every row is checked before any is written."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepathways.accounts.models import User
from safepathways.oversight import imports, rules, services


class Command(BaseCommand):
    help = (
        "Import vacancies from a Capacity Tracker CSV (columns: location_cqc_id, bed_type, vacancies, and optionally "
        "maximum_capacity, occupied, vacant_reserved, location_name, last_updated). Every row is checked first; "
        "if any is wrong, each problem is listed as 'Row N, column X: ...' and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A .csv file (UTF-8) with a header row")
        parser.add_argument(
            "--as",
            dest="as_user",
            required=True,
            help="Email of the provider quality officer the import is recorded against",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["as_user"].lower(), is_active=True).first()
        if user is None or not user.has_perm(rules.IMPORT_CAPACITY):
            raise CommandError(f"{options['as_user']} is not an active member of the provider quality team.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        check = imports.check_file(path.read_bytes())
        if not check.is_valid:
            for problem in check.errors:
                self.stderr.write(problem)
            count = len(check.errors)
            raise CommandError(f"Nothing imported: {count} problem{'s' if count != 1 else ''} in the file.")
        written = services.import_capacity(rows=check.rows, by=user)
        self.stdout.write(f"Imported {written} vacancy figure{'s' if written != 1 else ''}.")
