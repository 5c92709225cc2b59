"""Stop sharing whole records that ward referrals shared with the referring trust before issue 5's fix.

Until then, services.create_referral shared the person's whole record (chronology, alerts, risks, contacts) with the
trust, with no end date. The trust needs only its referrals and the plans shared with it, which it keeps.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepathways.accounts.models import User
from safepathways.core.errors import ApplicationError
from safepathways.discharges import selectors, services


class Command(BaseCommand):
    help = (
        "List the whole-record shares ward referrals made for the referring trust; with --apply, revoke them "
        "(each recorded in the person's chronology and the audit as revoked by --by)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--by", required=True, help="The email of the council user the revocations are recorded as")
        parser.add_argument("--apply", action="store_true", help="Revoke them (without it, only count them)")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["by"].strip().lower()
        user = User.objects.filter(email=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user has the email {email!r}.")
        if not options["apply"]:
            count = selectors.referral_record_shares().count()
            self.stdout.write(
                f"{count} whole-record share(s) made by ward referrals are in force. Revoke with --apply."
            )
            return
        try:
            revoked = services.revoke_referral_record_shares(by=user)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Revoked {revoked} whole-record share(s) made by ward referrals.")
