"""Import young people from a children's services file (CSV or XLSX): every row is checked before any is written."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepathways.accounts.models import User
from safepathways.young_people import imports, rules, services


class Command(BaseCommand):
    help = (
        "Import young people from children's services. Every row is checked first; if any is wrong, each problem is "
        "listed as 'Row N, column X: ...' and nothing is written. Re-importing a reference updates that young person."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file with a header row")
        parser.add_argument(
            "--as",
            dest="as_user",
            required=True,
            help="Email of the transitions team member the import is recorded against",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["as_user"].lower(), is_active=True).first()
        if user is None or not user.has_perm(rules.IMPORT_RECORDS):
            raise CommandError(f"{options['as_user']} is not an active member of a transitions team.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        check = imports.check_file(path.name, path.read_bytes())
        if not check.is_valid:
            for problem in check.errors:
                self.stderr.write(problem)
            count = len(check.errors)
            raise CommandError(f"Nothing imported: {count} problem{'s' if count != 1 else ''} in the file.")
        result = services.import_records(records=check.records, by=user)
        self.stdout.write(
            f"Imported {result.created + result.updated} young people: {result.created} new, {result.updated} updated, "
            f"{result.people_created} new council records."
        )
