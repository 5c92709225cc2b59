"""notify(): the one way escalations and reminders reach staff (inbox now, email after commit)."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from safepathways.accounts.models import User
from safepathways.notifications.models import Notification


def notify(*, recipients: Iterable[User], message: str, link: str = "", dedupe_key: str = "") -> list[Notification]:
    """Put a message in each recipient's inbox and email it; a repeated dedupe_key is ignored."""
    created = []
    for recipient in {r.pk: r for r in recipients}.values():
        if dedupe_key and Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists():
            continue
        created.append(
            Notification.objects.create(recipient=recipient, message=message[:300], link=link, dedupe_key=dedupe_key)
        )
    emails = [n.recipient.email for n in created]
    if emails:
        base = str(settings.SAFEPATHWAYS["BASE_URL"]).rstrip("/")
        body = f"{message}\n\n{base}{link}" if link else message
        transaction.on_commit(
            lambda: send_mail(f"{settings.SAFEPATHWAYS['SERVICE_NAME']}: {message[:80]}", body, None, emails)
        )
    return created


@transaction.atomic
def mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
