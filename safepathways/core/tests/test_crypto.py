"""Secrets kept at rest encrypted (core.crypto, ADR-021): the partner's shared secret as the first user."""

import importlib
import io

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from safepathways.core import crypto
from safepathways.mutual_aid import services
from safepathways.mutual_aid.models import Partnership

SECRET = "a-shared-secret-both-councils-hold-0123456789"
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def stored(partnership: Partnership) -> str:
    """What the database holds in the column, read past the model field."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT shared_secret FROM mutual_aid_partnership WHERE id = %s", [partnership.pk.hex])
        row = cursor.fetchone()
    if row is None:  # PostgreSQL keeps a UUID as a uuid, SQLite as 32 hex characters
        with connection.cursor() as cursor:
            cursor.execute("SELECT shared_secret FROM mutual_aid_partnership WHERE id = %s", [partnership.pk])
            row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def add(key_id: str = "camden-barnet") -> Partnership:
    partnership, _ = services.add_partnership(
        name="London Borough of Barnet",
        ons_code="E09000003",
        base_url="https://safepathways.barnet.example",
        key_id=key_id,
        shared_secret=SECRET,
    )
    return partnership


def test_round_trip_and_each_token_differs() -> None:
    first, second = crypto.encrypt("hello"), crypto.encrypt("hello")
    assert first != second and "hello" not in first
    assert crypto.decrypt(first) == crypto.decrypt(second) == "hello"


@pytest.mark.django_db
def test_the_secret_is_stored_encrypted_and_read_back_plain() -> None:
    partnership = add()
    column = stored(partnership)
    assert SECRET not in column
    assert crypto.decrypt(column) == SECRET
    assert Partnership.objects.get(pk=partnership.pk).shared_secret == SECRET


@pytest.mark.django_db
def test_an_encrypted_field_cannot_be_searched() -> None:
    add()
    with pytest.raises(TypeError, match="shared_secret is encrypted"):
        Partnership.objects.filter(shared_secret=SECRET).exists()
    assert Partnership.objects.filter(shared_secret__isnull=False).count() == 1


@pytest.mark.django_db
def test_rotation_moves_every_value_to_the_first_key() -> None:
    with override_settings(SAFEPATHWAYS_ENCRYPTION_KEYS=[OLD]):
        partnership = add()
        before = stored(partnership)
    assert Fernet(OLD.encode()).decrypt(before.encode()).decode() == SECRET
    with override_settings(SAFEPATHWAYS_ENCRYPTION_KEYS=[NEW, OLD]):
        assert Partnership.objects.get(pk=partnership.pk).shared_secret == SECRET  # the old key still reads it
        out = io.StringIO()
        call_command("rotate_encryption_keys", stdout=out)
        assert "mutual_aid.Partnership.shared_secret: 1 value encrypted again" in out.getvalue()
    with override_settings(SAFEPATHWAYS_ENCRYPTION_KEYS=[NEW]):  # the old key removed
        assert Partnership.objects.get(pk=partnership.pk).shared_secret == SECRET


@pytest.mark.django_db
def test_rotation_without_the_old_key_writes_nothing_and_says_why() -> None:
    with override_settings(SAFEPATHWAYS_ENCRYPTION_KEYS=[OLD]):
        partnership = add()
    before = stored(partnership)
    with override_settings(SAFEPATHWAYS_ENCRYPTION_KEYS=[NEW]), pytest.raises(CommandError, match="without keeping"):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    assert stored(partnership) == before
    with override_settings(SAFEPATHWAYS_ENCRYPTION_KEYS=[NEW]), pytest.raises(crypto.DecryptionError):
        Partnership.objects.get(pk=partnership.pk)


def test_a_malformed_key_is_refused_with_its_position() -> None:
    with override_settings(SAFEPATHWAYS_ENCRYPTION_KEYS=[NEW, "not-a-key"]):
        errors = [m for m in run_checks() if m.id == "safepathways.E001"]
        assert [e.msg for e in errors] == [
            "key 2 of SAFEPATHWAYS_ENCRYPTION_KEYS is not a Fernet key (32 random bytes, URL-safe base64: "
            "44 characters ending in '=')"
        ]
        with pytest.raises(ImproperlyConfigured, match="key 2"):
            crypto.encrypt("x")


def test_deploy_check_warns_when_the_key_is_derived_from_the_secret_key() -> None:
    with override_settings(SAFEPATHWAYS_ENCRYPTION_KEYS=[], DEBUG=False):
        assert "safepathways.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
    with override_settings(SAFEPATHWAYS_ENCRYPTION_KEYS=[NEW], DEBUG=False):
        assert "safepathways.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}


def test_without_configured_keys_the_key_follows_the_secret_key() -> None:
    with override_settings(SAFEPATHWAYS_ENCRYPTION_KEYS=[], SECRET_KEY="one-secret-key-" * 4):
        token = crypto.encrypt("x")
        assert crypto.decrypt(token) == "x"
    with (
        override_settings(SAFEPATHWAYS_ENCRYPTION_KEYS=[], SECRET_KEY="another-secret-key-" * 4),
        pytest.raises(crypto.DecryptionError, match="DJANGO_SECRET_KEY"),
    ):
        crypto.decrypt(token)


@pytest.mark.django_db
def test_the_migration_encrypts_plain_secrets_once_and_reverses() -> None:
    migration = importlib.import_module("safepathways.mutual_aid.migrations.0002_encrypt_shared_secret")
    partnership = add()
    with connection.cursor() as cursor:  # as it was stored before the migration: in plain
        cursor.execute("UPDATE mutual_aid_partnership SET shared_secret = %s", [SECRET])

    class Editor:
        connection = connection

    migration.encrypt_secrets(None, Editor())
    once = stored(partnership)
    assert once != SECRET and crypto.decrypt(once) == SECRET
    migration.encrypt_secrets(None, Editor())  # run again: an encrypted value is left as it is
    assert stored(partnership) == once
    migration.decrypt_secrets(None, Editor())
    assert stored(partnership) == SECRET


def test_generate_encryption_key_prints_a_usable_key() -> None:
    out = io.StringIO()
    call_command("generate_encryption_key", stdout=out)
    Fernet(out.getvalue().strip().encode())
