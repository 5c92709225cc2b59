"""Delivering the outbox to partners' instances, with exponential back-off.

`deliver_due(now=...)` runs from `manage.py send_mutual_aid` (every minute, or `--loop`). For each partner it
sends the pending messages in the order they were written and stops at the first that fails, so a partner never
sees an acceptance before the request it accepts. Each attempt is signed afresh (mutual_aid.signing).

What the partner's answer does:
- 200/201 with `{"id": <message id>, "status": "applied" | "duplicate"}`: delivered.
- Nothing listening, a timeout, a redirect, 401/403, 5xx, or anything that is not that JSON: a failed attempt.
  Only the outbox row changes (attempts, last_error, next_attempt_at); the retry waits 1, 2, 4, 8, 16, 32, then
  60 minutes between attempts, and contingency leads are told once after ALERT_AFTER_ATTEMPTS failures.
- 400, 404, 409, 413 or 422: the partner understood and refused; the message is marked rejected, is not retried,
  and contingency leads are told.

The HTTP call is made outside any transaction; the row is claimed first by moving its next attempt a lease
ahead, so two senders running at once do not both send it (and if they did, the partner applies it once).
"""

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from safepathways.mutual_aid import privacy, signing
from safepathways.mutual_aid.models import MESSAGES_PATH, MessageType, OutboxMessage, Partnership
from safepathways.mutual_aid.services import contingency_leads, request_link
from safepathways.notifications.services import notify

TIMEOUT_SECONDS = 10.0
BACKOFF_CAP = timedelta(minutes=60)
LEASE = timedelta(seconds=60)
ALERT_AFTER_ATTEMPTS = 5
REFUSED_STATUSES = frozenset({400, 404, 409, 413, 422})
MAX_ANSWER_BYTES = 16 * 1024


class DeliveryError(Exception):
    """The partner could not be reached."""


# (url, body, headers, timeout) -> (status, response body); raises DeliveryError when nothing answers.
Transport = Callable[[str, bytes, dict[str, str], float], tuple[int, bytes]]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST with the standard library; an HTTP error status is an answer, not an exception."""
    if not url.startswith(("https://", "http://")):
        raise DeliveryError("The partner's address must start with https://")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked
    try:
        with _opener.open(request, timeout=timeout) as response:
            return int(response.status), response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        return int(error.code), error.read(MAX_ANSWER_BYTES)
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        raise DeliveryError(f"Could not reach {url}: {getattr(error, 'reason', error)}") from error


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: 1, 2, 4 … minutes, capped at an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)


def _encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def _answer_error(status: int, answer: bytes, message_id: str) -> str | None:
    """None when the answer says the message was applied (or was already); otherwise what was wrong."""
    if status not in (200, 201):
        return f"The partner answered {status}: {_detail(answer)}"
    try:
        parsed = json.loads(answer)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return f"The partner answered {status} with something that is not JSON"
    if not isinstance(parsed, dict) or parsed.get("status") not in ("applied", "duplicate"):
        return f"The partner answered {status} without saying the message was applied"
    if parsed.get("id") != message_id:
        return "The partner acknowledged a different message"
    return None


def _detail(answer: bytes) -> str:
    try:
        parsed = json.loads(answer)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return answer[:200].decode(errors="replace") or "(no body)"
    if isinstance(parsed, dict) and "detail" in parsed:
        return str(parsed["detail"])[:500]
    return str(parsed)[:200]


def _claim(message: OutboxMessage, now: datetime) -> bool:
    claimed = OutboxMessage.objects.filter(
        pk=message.pk, delivered_at__isnull=True, rejected_at__isnull=True, next_attempt_at=message.next_attempt_at
    ).update(next_attempt_at=now + LEASE)
    return claimed == 1


@transaction.atomic
def _record(message: OutboxMessage, now: datetime, *, signature: str, error: str | None, refused: bool) -> None:
    row = (
        OutboxMessage.objects.select_for_update(of=("self",))
        .select_related("partnership", "aid_request")
        .get(pk=message.pk)
    )
    row.attempts += 1
    row.last_attempt_at = now
    row.last_signature = signature
    if error is None:
        row.delivered_at = now
        row.last_error = ""
        if row.type == MessageType.DISCLOSURE:
            # The Disclosure row keeps what was shared; the outbox need not keep a second copy.
            row.body = privacy.redact_body(row.body)
    elif refused:
        row.rejected_at = now
        row.last_error = error[:1000]
    else:
        row.last_error = error[:1000]
        row.next_attempt_at = now + backoff(row.attempts)
    row.save()
    should_alert = refused or (error is not None and row.attempts == ALERT_AFTER_ATTEMPTS)
    if should_alert and row.aid_request is not None:
        what = "refused" if refused else f"could not be delivered after {row.attempts} attempts"
        notify(
            recipients=contingency_leads(),
            message=f"A mutual aid {row.get_type_display().lower()} to {row.partnership.name} {what}",
            link=request_link(row.aid_request),
            dedupe_key=f"mutual-aid-outbox-{row.pk}-{'refused' if refused else 'failing'}",
        )


def deliver_message(message: OutboxMessage, *, now: datetime, send: Transport = http_post) -> str | None:
    """Send one message; returns None when delivered, else the error (already recorded on the row)."""
    partnership = message.partnership
    body = _encode(message.body)
    headers = signing.signed_headers(partnership=partnership, method="POST", path=MESSAGES_PATH, body=body, now=now)
    headers["Content-Type"] = "application/json"
    headers["User-Agent"] = "SafePathways-MutualAid/1"
    refused = False
    try:
        status, answer = send(partnership.messages_url, body, headers, TIMEOUT_SECONDS)
    except DeliveryError as failure:
        error: str | None = str(failure)
    else:
        error = _answer_error(status, answer, str(message.pk))
        refused = status in REFUSED_STATUSES
    _record(message, now, signature=headers[signing.SIGNATURE_HEADER], error=error, refused=refused)
    return error


def deliver_due(*, now: datetime | None = None, send: Transport = http_post) -> DeliveryReport:
    """Send every message that is due, partner by partner, in order; stop at a partner's first failure."""
    now = now or timezone.now()
    report = DeliveryReport()
    partner_ids = set(OutboxMessage.objects.pending().values_list("partnership_id", flat=True))
    for partnership in Partnership.objects.filter(pk__in=partner_ids).order_by("name"):
        for message in partnership.outbox.pending().order_by("created_at"):
            message.partnership = partnership
            if message.next_attempt_at > now or not _claim(message, now):
                break
            error = deliver_message(message, now=now, send=send)
            if error is None:
                report.delivered += 1
                continue
            report.errors.append(f"{partnership.name}: {error}")
            message.refresh_from_db(fields=["rejected_at"])
            if message.rejected_at is not None:
                report.rejected += 1
                continue
            report.failed += 1
            break
    return report
