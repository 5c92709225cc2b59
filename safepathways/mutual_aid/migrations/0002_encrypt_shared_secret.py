"""Keep each partnership's shared secret encrypted at rest (core.crypto, ADR-021).

The column becomes text (a Fernet token is longer than the secret), then every secret stored in plain is
encrypted in place; going back decrypts them. Values are rewritten with SQL, not through the model field,
which would try to decrypt the plain values it reads.
"""

from typing import Any

from django.db import migrations

import safepathways.core.models
from safepathways.core import crypto


def encrypt_secrets(apps: Any, schema_editor: Any) -> None:
    crypto.rewrite_column(schema_editor.connection, "mutual_aid_partnership", "shared_secret", crypto.encrypt_if_plain)


def decrypt_secrets(apps: Any, schema_editor: Any) -> None:
    crypto.rewrite_column(schema_editor.connection, "mutual_aid_partnership", "shared_secret", crypto.decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("mutual_aid", "0001_partnerships_requests_offers_and_messages"),
    ]

    operations = [
        migrations.AlterField(
            model_name="partnership",
            name="shared_secret",
            field=safepathways.core.models.EncryptedTextField(editable=False),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
