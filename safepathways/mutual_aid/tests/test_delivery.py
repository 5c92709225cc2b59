"""Delivering the outbox: back-off when a partner is down or answers badly, order kept, refusals not retried."""

import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from safepathways.conftest import Persona
from safepathways.mutual_aid import delivery, services, signing
from safepathways.mutual_aid.models import MESSAGES_PATH, MessageType, OutboxMessage, Partnership, RequestStatus
from safepathways.mutual_aid.tests.conftest import send
from safepathways.notifications.models import Notification

pytestmark = pytest.mark.django_db

Sent = list[tuple[str, bytes, dict[str, str]]]


def _peer(answer: Callable[[dict[str, object]], tuple[int, bytes]], sent: Sent) -> delivery.Transport:
    def transport(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
        sent.append((url, body, headers))
        return answer(json.loads(body))

    return transport


def _applied(message: dict[str, object]) -> tuple[int, bytes]:
    return 200, json.dumps({"id": message["id"], "status": "applied"}).encode()


def _down(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    raise delivery.DeliveryError("Could not reach it: connection refused")


def test_backoff_doubles_from_a_minute_to_an_hour() -> None:
    assert [delivery.backoff(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_a_delivered_message_is_signed_and_marked(contingency_lead: Persona, barnet: Partnership) -> None:
    send([barnet], contingency_lead.user)
    sent: Sent = []
    now = timezone.now()
    report = delivery.deliver_due(now=now, send=_peer(_applied, sent))
    assert report.delivered == 1
    url, body, headers = sent[0]
    assert url == "https://safepathways.barnet.example" + MESSAGES_PATH
    expected = signing.signature(
        secret=barnet.shared_secret,
        method="POST",
        path=MESSAGES_PATH,
        timestamp=headers[signing.TIMESTAMP_HEADER],
        nonce=headers[signing.NONCE_HEADER],
        body=body,
    )
    assert headers[signing.SIGNATURE_HEADER] == expected
    message = OutboxMessage.objects.get()
    assert message.delivered_at == now
    assert message.attempts == 1
    assert delivery.deliver_due(now=now + timedelta(hours=1), send=_peer(_applied, sent)).delivered == 0
    assert len(sent) == 1


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(None, id="down"),
        pytest.param((500, b"<h1>Server Error</h1>"), id="500"),
        pytest.param((200, b"not json at all"), id="garbage"),
        pytest.param((200, b'{"status": "ok"}'), id="json-without-acknowledgement"),
        pytest.param((401, b'{"detail": "The signature does not match"}'), id="401"),
    ],
)
def test_a_partner_down_or_answering_badly_changes_only_the_attempt_counters(
    contingency_lead: Persona, barnet: Partnership, answer: tuple[int, bytes] | None
) -> None:
    aid_request = send([barnet], contingency_lead.user)
    before = list(aid_request.status_changes.values_list("status", flat=True))
    now = timezone.now()
    transport = _down if answer is None else _peer(lambda _m: answer, [])
    report = delivery.deliver_due(now=now, send=transport)

    assert (report.delivered, report.failed) == (0, 1)
    message = OutboxMessage.objects.get()
    assert message.attempts == 1
    assert message.delivered_at is None
    assert message.rejected_at is None
    assert message.next_attempt_at == now + timedelta(minutes=1)
    assert message.last_error
    aid_request.refresh_from_db()
    assert aid_request.status == RequestStatus.SENT
    assert list(aid_request.status_changes.values_list("status", flat=True)) == before

    # Not due yet: nothing is sent. Due again: it goes, once.
    sent: Sent = []
    assert delivery.deliver_due(now=now + timedelta(seconds=30), send=_peer(_applied, sent)).delivered == 0
    assert delivery.deliver_due(now=now + timedelta(minutes=1), send=_peer(_applied, sent)).delivered == 1
    assert delivery.deliver_due(now=now + timedelta(minutes=5), send=_peer(_applied, sent)).delivered == 0
    assert len(sent) == 1


def test_a_partners_messages_go_in_order_and_wait_behind_a_failure(
    contingency_lead: Persona, barnet: Partnership, enfield: Partnership
) -> None:
    aid_request = send([barnet, enfield], contingency_lead.user)
    services.withdraw_request(aid_request=aid_request, reason="Not needed now", by=contingency_lead.user)
    sent: Sent = []

    def barnet_down(message: dict[str, object]) -> tuple[int, bytes]:
        return (503, b"") if message["to"] == barnet.ons_code else _applied(message)

    now = timezone.now()
    report = delivery.deliver_due(now=now, send=_peer(barnet_down, sent))
    # Barnet: the request failed, so its withdrawal waits; Enfield: both went, request first.
    assert (report.delivered, report.failed) == (2, 1)
    types_to = [(json.loads(body)["to"], json.loads(body)["type"]) for _url, body, _h in sent]
    assert types_to == [
        ("E09000003", MessageType.REQUEST),
        ("E09000010", MessageType.REQUEST),
        ("E09000010", MessageType.WITHDRAWAL),
    ]
    pending = OutboxMessage.objects.pending().order_by("created_at")
    assert [(m.type, m.attempts) for m in pending] == [(MessageType.REQUEST, 1), (MessageType.WITHDRAWAL, 0)]


def test_repeated_failures_back_off_and_leads_are_told_once(contingency_lead: Persona, barnet: Partnership) -> None:
    send([barnet], contingency_lead.user)
    now: datetime = timezone.now()
    for _ in range(delivery.ALERT_AFTER_ATTEMPTS + 1):
        now = OutboxMessage.objects.get().next_attempt_at
        delivery.deliver_due(now=now, send=_down)
    message = OutboxMessage.objects.get()
    assert message.attempts == delivery.ALERT_AFTER_ATTEMPTS + 1
    assert message.next_attempt_at == now + timedelta(minutes=32)
    assert Notification.objects.filter(message__contains="could not be delivered").count() == 1


def test_a_refused_message_is_not_retried_and_the_next_one_goes(contingency_lead: Persona, barnet: Partnership) -> None:
    aid_request = send([barnet], contingency_lead.user)
    services.withdraw_request(aid_request=aid_request, reason="Not needed now", by=contingency_lead.user)

    def refuse_requests(message: dict[str, object]) -> tuple[int, bytes]:
        if message["type"] == MessageType.REQUEST:
            return 400, b'{"detail": "Unknown kind of help", "errors": []}'
        return _applied(message)

    report = delivery.deliver_due(now=timezone.now(), send=_peer(refuse_requests, []))
    assert (report.rejected, report.delivered) == (1, 1)
    refused = OutboxMessage.objects.get(type=MessageType.REQUEST)
    assert refused.rejected_at is not None
    assert refused.last_error == "The partner answered 400: Unknown kind of help"
    assert Notification.objects.filter(message__contains="refused").count() == 1
