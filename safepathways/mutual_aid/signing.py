"""Signed requests between instances: HMAC-SHA256 over the method, path, timestamp, nonce and body hash.

Headers on every message:
    X-SafePathways-Key:       the partnership's key id (both councils hold the same id and secret)
    X-SafePathways-Timestamp: seconds since the epoch, as an integer
    X-SafePathways-Nonce:     32 random hex characters, new for every attempt
    X-SafePathways-Signature: hex HMAC-SHA256(secret, "METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256-HEX(BODY)")

The receiver finds the partnership by key id, compares the signature in constant time, accepts timestamps
within ±5 minutes of its own clock, and accepts each nonce once (kept in UsedNonce for twice the window).
"""

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from safepathways.mutual_aid.models import Partnership, UsedNonce

KEY_HEADER = "X-SafePathways-Key"
TIMESTAMP_HEADER = "X-SafePathways-Timestamp"
NONCE_HEADER = "X-SafePathways-Nonce"
SIGNATURE_HEADER = "X-SafePathways-Signature"
WINDOW = timedelta(minutes=5)


class SignatureError(Exception):
    """The request is not signed by a partner, or is a replay; answered 401 and nothing is written."""


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def signature(*, secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = "\n".join([method.upper(), path, timestamp, nonce, body_hash(body)])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def signed_headers(*, partnership: Partnership, method: str, path: str, body: bytes, now: datetime) -> dict[str, str]:
    """The four headers for one attempt: a fresh timestamp and nonce each time."""
    timestamp = str(int(now.timestamp()))
    nonce = secrets.token_hex(16)
    return {
        KEY_HEADER: partnership.key_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(
            secret=partnership.shared_secret, method=method, path=path, timestamp=timestamp, nonce=nonce, body=body
        ),
    }


@dataclass(frozen=True)
class SignedRequest:
    key_id: str
    timestamp: str
    nonce: str
    signature: str


def read_headers(headers: Mapping[str, str]) -> SignedRequest:
    """The signature headers of a request, whatever the case of their names."""
    lowered = {name.lower(): value for name, value in headers.items()}
    values = [lowered.get(name.lower(), "") for name in (KEY_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)]
    if not all(values):
        raise SignatureError("The request is not signed")
    return SignedRequest(*values)


def verify(*, signed: SignedRequest, method: str, path: str, body: bytes, now: datetime) -> Partnership:
    """The partnership that signed the request; raises SignatureError otherwise. Writes nothing."""
    partnership = Partnership.objects.active().filter(key_id=signed.key_id).first()
    # Compute a signature even for an unknown key, so the answer takes the same time either way.
    secret = partnership.shared_secret if partnership else "unknown-key"
    expected = signature(
        secret=secret, method=method, path=path, timestamp=signed.timestamp, nonce=signed.nonce, body=body
    )
    if not hmac.compare_digest(expected, signed.signature) or partnership is None:
        raise SignatureError("The signature does not match")
    try:
        sent_at = int(signed.timestamp)
    except ValueError as error:
        raise SignatureError("The timestamp is not a number") from error
    if abs(now.timestamp() - sent_at) > WINDOW.total_seconds():
        raise SignatureError("The timestamp is outside the five-minute window; check the clock")
    if len(signed.nonce) > 64:
        raise SignatureError("The nonce is too long")
    return partnership


@transaction.atomic
def remember_nonce(*, partnership: Partnership, nonce: str, now: datetime) -> None:
    """Accept `nonce` once; raise SignatureError if it was seen in the window. Forgets nonces past the window."""
    UsedNonce.objects.filter(seen_at__lt=now - 2 * WINDOW).delete()
    try:
        with transaction.atomic():
            UsedNonce.objects.create(partnership=partnership, nonce=nonce, seen_at=now)
    except IntegrityError as error:
        raise SignatureError("The nonce has been used before") from error
