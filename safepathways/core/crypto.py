"""Secrets kept at rest encrypted (ADR-021): Fernet from the `cryptography` library, never hand-written.

A value is encrypted with the first of the configured keys and read with any of them, so keys can be
rotated: put the new key first, keep the old one after it, run `manage.py rotate_encryption_keys`, then
drop the old key. The keys come from SAFEPATHWAYS_ENCRYPTION_KEYS (comma-separated Fernet keys). Where
none is configured (a developer's machine, the demo), one key is derived from DJANGO_SECRET_KEY with
HKDF-SHA256; `manage.py check --deploy` warns about that, because changing the secret key would then make
the stored values unreadable.
"""

import base64
import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

DERIVATION_INFO = b"safepathways encrypted fields v1"
UNREADABLE = (
    "A stored secret cannot be read with the configured keys: was SAFEPATHWAYS_ENCRYPTION_KEYS "
    "(or, when it is unset, DJANGO_SECRET_KEY) changed without keeping the old key?"
)


class DecryptionError(Exception):
    """A stored value cannot be read with the configured keys."""


def configured_keys() -> list[str]:
    return [key.strip() for key in getattr(settings, "SAFEPATHWAYS_ENCRYPTION_KEYS", []) if key.strip()]


def derived_key(secret_key: str) -> bytes:
    """The Fernet key derived from Django's secret key, used only when no key is configured."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=DERIVATION_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def key_problems(keys: list[str]) -> list[str]:
    """What is wrong with each configured key, in words (empty when every key is a Fernet key)."""
    problems = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            problems.append(
                f"key {position} of SAFEPATHWAYS_ENCRYPTION_KEYS is not a Fernet key "
                "(32 random bytes, URL-safe base64: 44 characters ending in '=')"
            )
    return problems


@functools.cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    problems = key_problems(list(keys))
    if problems:
        raise ImproperlyConfigured("; ".join(problems))
    fernets = [Fernet(key.encode()) for key in keys] or [Fernet(derived_key(secret_key))]
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    return _fernet(tuple(configured_keys()), settings.SECRET_KEY)


@receiver(setting_changed)
def _forget_keys(setting: str, **kwargs: Any) -> None:
    if setting in {"SAFEPATHWAYS_ENCRYPTION_KEYS", "SECRET_KEY"}:
        _fernet.cache_clear()


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as error:
        raise DecryptionError(UNREADABLE) from error


def is_encrypted(value: str) -> bool:
    """Whether the value is a token the configured keys can read (used to encrypt old plain values once)."""
    try:
        decrypt(value)
    except DecryptionError:
        return False
    return True


def rotate(token: str) -> str:
    """The same value encrypted again with the first configured key."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise DecryptionError(UNREADABLE) from error


def rewrite_column(connection: Any, table: str, column: str, transform: Any, pk: str = "id") -> int:
    """Rewrite every non-empty value of one column through `transform`, all read and transformed before any is
    written (so a value that cannot be read leaves the table as it was). Returns how many were rewritten.
    Used by migrations and by key rotation, which must not pass the values through the model field."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608 (names come from the models)
            f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> ''"
        )
        rewritten = [(transform(value), key) for key, value in cursor.fetchall()]
        cursor.executemany(
            f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s",  # noqa: S608
            rewritten,
        )
    return len(rewritten)


def encrypt_if_plain(value: str) -> str:
    """A value stored before its column was encrypted, encrypted; one already encrypted, unchanged."""
    return value if is_encrypted(value) else encrypt(value)
