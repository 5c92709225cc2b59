"""Two real instances on the loopback address exchange a request, an offer, an acceptance and a disclosure.

This instance (Camden) is the test's own, served by pytest-django's live_server. The partner (Barnet) is a second
Django process (`manage.py runserver --noreload`) with its own SQLite file and council settings from the
environment; its database is read directly with sqlite3, and its side acts through `manage.py shell -c` and
`manage.py send_mutual_aid`. The partner is migrated once per module (about 15 s) and always stopped at the end.
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from safepathways.accounts.models import User
from safepathways.mutual_aid import delivery, services, signing
from safepathways.mutual_aid.models import (
    MESSAGES_PATH,
    AidOffer,
    AidRequest,
    InboxMessage,
    MessageType,
    OfferStatus,
    OutboxMessage,
    Partnership,
    RequestStatus,
)

pytestmark = pytest.mark.django_db(transaction=True)

KEY_ID = "barnet-camden-test"
SECRET = "test-only-shared-secret-" + "x" * 24
BARNET = ("London Borough of Barnet", "E09000003")
STARTUP_TIMEOUT = 45.0
COMMAND_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Peer:
    """The partner council's instance: a runserver process over its own SQLite file."""

    def __init__(self, database: Path, log: Path) -> None:
        self.database = database
        self.log = log
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DJANGO_DEBUG="false",
            SQLITE_PATH=str(database),
            SAFEPATHWAYS_COUNCIL_NAME=BARNET[0],
            SAFEPATHWAYS_COUNCIL_ONS_CODE=BARNET[1],
            SAFEPATHWAYS_BASE_URL=self.url,
            PYTHONUNBUFFERED="1",
        )
        self.env = env

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            input=stdin.encode(),
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stderr.decode()[-3000:]}"
        return done.stdout.decode()

    def shell(self, code: str) -> str:
        return self.manage("shell", "--no-imports", "-c", code)

    def start(self) -> None:
        assert self.process is None
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload", "--skip-checks"],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"The partner instance did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database, timeout=10) as connection:
            return list(connection.execute(sql, params).fetchall())


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory, live_server: LiveServer) -> Iterator[Peer]:
    """Barnet's instance, migrated, with a contingency lead and its partnership with this instance (Camden)."""
    folder = tmp_path_factory.mktemp("barnet")
    partner = Peer(folder / "barnet.sqlite3", folder / "runserver.log")
    partner.manage("migrate", "--no-input", "-v", "0")
    partner.shell(
        "from safepathways.accounts.models import User; "
        "User.objects.create_user('lead@barnet.example', full_name='Bea Barnet')"
    )
    partner.manage(
        "add_mutual_aid_partnership",
        "--name",
        "London Borough of Camden",
        "--ons-code",
        str(settings.SAFEPATHWAYS["COUNCIL_ONS_CODE"]),
        "--base-url",
        live_server.url,
        "--key-id",
        KEY_ID,
        "--secret-stdin",
        stdin=SECRET + "\n",
    )
    try:
        partner.start()
        yield partner
    finally:
        partner.stop()


@pytest.fixture
def linked(peer: Peer) -> Partnership:
    """Barnet as a partner of this instance, with the key id and secret Barnet holds for Camden."""
    if peer.process is None:
        peer.start()
    partnership, _ = services.add_partnership(
        name=BARNET[0], ons_code=BARNET[1], base_url=peer.url, key_id=KEY_ID, shared_secret=SECRET
    )
    return partnership


@pytest.fixture
def lead(db: None) -> User:
    return User.objects.create_user("cal.murray@camden.example", full_name="Cal Murray")


def _send(partnership: Partnership, lead: User) -> AidRequest:
    start = timezone.localdate() + timedelta(days=1)
    return services.send_request(
        partnerships=[partnership],
        kind="beds",
        quantity=2,
        needed_from=start,
        needed_until=start + timedelta(days=14),
        detail="Two nursing beds after Rose House closed",
        by=lead,
    )


def _hex(value: object) -> str:
    return uuid.UUID(str(value)).hex  # how SQLite stores a UUIDField


def test_a_request_an_offer_an_acceptance_and_a_disclosure_cross_and_both_sides_agree(
    peer: Peer, linked: Partnership, lead: User
) -> None:
    # Camden asks Barnet.
    aid_request = _send(linked, lead)
    assert delivery.deliver_due().delivered == 1
    assert peer.rows(
        "SELECT direction, status, kind, quantity FROM mutual_aid_aidrequest WHERE id = ?", _hex(aid_request.pk)
    ) == [("incoming", "received", "beds", 2)]

    # Barnet offers, and its sender delivers the offer to Camden.
    offer_id = peer.shell(
        "from safepathways.accounts.models import User\n"
        "from safepathways.mutual_aid import services\n"
        "from safepathways.mutual_aid.models import AidRequest\n"
        f"r = AidRequest.objects.get(pk='{aid_request.pk}')\n"
        "o = services.make_offer(aid_request=r, quantity=2, detail='Two nursing beds at Oak Lodge, Edgware', "
        "by=User.objects.get(email='lead@barnet.example'))\n"
        "print(o.pk)\n"
    ).strip()
    assert "1 delivered" in peer.manage("send_mutual_aid")
    offer = AidOffer.objects.get(pk=offer_id)
    aid_request.refresh_from_db()
    assert aid_request.status == RequestStatus.OFFERED
    assert offer.partnership == linked

    # Camden accepts, then sends the details the bed needs.
    services.accept_offer(offer=offer, by=lead)
    services.disclose(
        offer=offer,
        details=services.PersonDetails("Ann Example", date(1940, 2, 1), "Nursing care; hoist for transfers"),
        by=lead,
    )
    assert delivery.deliver_due().delivered == 2

    # Both sides hold the same trail under the same ids.
    here = list(aid_request.status_changes.values_list("status", flat=True))
    there = [
        row[0]
        for row in peer.rows(
            "SELECT status FROM mutual_aid_aidrequeststatus WHERE request_id = ? ORDER BY created_at",
            _hex(aid_request.pk),
        )
    ]
    assert here == [RequestStatus.SENT, RequestStatus.OFFERED, RequestStatus.ACCEPTED]
    assert there == [RequestStatus.RECEIVED, RequestStatus.OFFERED, RequestStatus.ACCEPTED]
    assert peer.rows("SELECT status, direction, quantity FROM mutual_aid_aidoffer WHERE id = ?", _hex(offer.pk)) == [
        (OfferStatus.ACCEPTED, "outgoing", 2)
    ]
    disclosure = offer.disclosures.get()
    assert peer.rows(
        "SELECT direction, full_name, date_of_birth, needs_summary, address FROM mutual_aid_disclosure WHERE id = ?",
        _hex(disclosure.pk),
    ) == [("incoming", "Ann Example", "1940-02-01", "Nursing care; hoist for transfers", "")]
    inbox_there = peer.rows(
        "SELECT type FROM mutual_aid_inboxmessage WHERE aid_request_id = ? ORDER BY created_at", _hex(aid_request.pk)
    )
    assert [row[0] for row in inbox_there] == [MessageType.REQUEST, MessageType.ACCEPTANCE, MessageType.DISCLOSURE]
    assert list(InboxMessage.objects.values_list("type", flat=True)) == [MessageType.OFFER]
    assert not OutboxMessage.objects.pending().exists()
    assert peer.rows(
        "SELECT count(*) FROM mutual_aid_outboxmessage WHERE aid_request_id = ? AND delivered_at IS NULL",
        _hex(aid_request.pk),
    ) == [(0,)]
    # The delivered disclosure keeps no copy of the person's details in either outbox or inbox.
    assert "Ann Example" not in json.dumps(list(OutboxMessage.objects.values_list("body", flat=True)))
    assert not peer.rows("SELECT id FROM mutual_aid_inboxmessage WHERE body LIKE '%Ann Example%'")


def test_a_partner_that_is_down_is_retried_later_and_delivered_once(
    peer: Peer, linked: Partnership, lead: User
) -> None:
    peer.stop()
    try:
        aid_request = _send(linked, lead)
        now = timezone.now()
        report = delivery.deliver_due(now=now)
        assert (report.delivered, report.failed) == (0, 1)
        message = OutboxMessage.objects.get()
        assert message.attempts == 1
        assert message.next_attempt_at > now
        assert "Could not reach" in message.last_error
        aid_request.refresh_from_db()
        assert aid_request.status == RequestStatus.SENT
        assert aid_request.status_changes.count() == 1
    finally:
        peer.start()

    assert delivery.deliver_due(now=now + timedelta(seconds=20)).delivered == 0  # not due yet
    assert delivery.deliver_due(now=now + timedelta(minutes=1)).delivered == 1
    assert delivery.deliver_due(now=now + timedelta(minutes=10)).delivered == 0
    assert peer.rows("SELECT count(*) FROM mutual_aid_aidrequest WHERE id = ?", _hex(aid_request.pk)) == [(1,)]
    assert peer.rows(
        "SELECT count(*) FROM mutual_aid_inboxmessage WHERE message_id = ?", _hex(OutboxMessage.objects.get().pk)
    ) == [(1,)]


class _BadPeer(BaseHTTPRequestHandler):
    """Answers the first POST with 500, the second with garbage, then acknowledges like a partner."""

    answers: list[tuple[int, bytes]] = []
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received.append(body)
        if type(self).answers:
            status, answer = type(self).answers.pop(0)
        else:
            status, answer = 200, json.dumps({"id": json.loads(body)["id"], "status": "applied"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        return


def test_a_partner_answering_500_or_garbage_is_retried_without_changing_the_request(db: None, lead: User) -> None:
    _BadPeer.answers = [(500, b"<h1>Server Error (500)</h1>"), (200, b"{{{ not json")]
    _BadPeer.received = []
    server = HTTPServer(("127.0.0.1", 0), _BadPeer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        partnership, _ = services.add_partnership(
            name=BARNET[0],
            ons_code=BARNET[1],
            base_url=f"http://127.0.0.1:{server.server_address[1]}",
            key_id="bad-peer",
            shared_secret=SECRET,
        )
        aid_request = _send(partnership, lead)
        now = timezone.now()
        for attempt, (wait, error) in enumerate([(0, "answered 500"), (1, "not JSON")], start=1):
            now = now + timedelta(minutes=wait)
            assert delivery.deliver_due(now=now).failed == 1
            message = OutboxMessage.objects.get()
            assert message.attempts == attempt
            assert error in message.last_error
            assert message.next_attempt_at == now + delivery.backoff(attempt)
            aid_request.refresh_from_db()
            assert aid_request.status == RequestStatus.SENT
        assert delivery.deliver_due(now=now + timedelta(minutes=2)).delivered == 1
        assert delivery.deliver_due(now=now + timedelta(minutes=30)).delivered == 0
        assert len(_BadPeer.received) == 3
        assert len({json.loads(body)["id"] for body in _BadPeer.received}) == 1
    finally:
        server.shutdown()
        server.server_close()


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, headers={**headers, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), json.loads(error.read())


def test_the_partner_applies_a_replayed_message_once_and_refuses_bad_signatures(
    peer: Peer, linked: Partnership
) -> None:
    message = {
        "id": str(uuid.uuid4()),
        "type": MessageType.REQUEST,
        "sent_at": timezone.now().isoformat(),
        "from": services.this_council(),
        "to": BARNET[1],
        "data": {
            "request_id": str(uuid.uuid4()),
            "kind": "assessors",
            "quantity": 1,
            "needed_from": timezone.localdate().isoformat(),
            "needed_until": timezone.localdate().isoformat(),
            "detail": "A best interests assessor for two days",
        },
    }
    body = json.dumps(message).encode()
    url = peer.url + MESSAGES_PATH

    def headers() -> dict[str, str]:
        return signing.signed_headers(
            partnership=linked, method="POST", path=MESSAGES_PATH, body=body, now=timezone.now()
        )

    def counts() -> list[tuple[Any, ...]]:
        return peer.rows(
            "SELECT (SELECT count(*) FROM mutual_aid_aidrequest), (SELECT count(*) FROM mutual_aid_inboxmessage), "
            "(SELECT count(*) FROM mutual_aid_usednonce), (SELECT count(*) FROM audit_auditevent)"
        )

    before = counts()
    forged = {**headers(), signing.SIGNATURE_HEADER: "f" * 64}
    assert _post(url, body, forged)[0] == 401
    assert _post(url, body, {})[0] == 401
    assert counts() == before

    first_headers = headers()
    assert _post(url, body, first_headers) == (200, {"id": message["id"], "status": "applied"})
    assert _post(url, body, first_headers)[0] == 401  # the same nonce again
    assert _post(url, body, headers()) == (200, {"id": message["id"], "status": "duplicate"})
    assert peer.rows(
        "SELECT count(*) FROM mutual_aid_aidrequest WHERE id = ?",
        _hex(message["data"]["request_id"]),  # type: ignore[index]
    ) == [(1,)]
