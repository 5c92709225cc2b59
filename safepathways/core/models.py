"""The base model every domain record inherits."""

import uuid

from django.db import models


class BaseModel(models.Model):
    """A record with an unguessable id and creation and update times."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Counter(models.Model):
    """A named counter for human-readable references (e.g. council person references)."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text kept encrypted in the database and read back as plain text (core.crypto, ADR-021).

    Only for secrets the service must read back (a partner's shared signing secret), never for what it could
    hash instead. The column holds a Fernet token, so it cannot be searched or compared: every lookup but
    `isnull` is refused rather than silently matching nothing.
    """

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str | None:
        from safepathways.core import crypto

        return None if value is None or value == "" else crypto.decrypt(value)

    def get_prep_value(self, value: object) -> object:
        from safepathways.core import crypto

        value = super().get_prep_value(value)
        return value if value is None or value == "" else crypto.encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> type | None:
        if lookup_name != "isnull":
            raise TypeError(f"{self.name} is encrypted: it cannot be compared or searched ({lookup_name})")
        return super().get_lookup(lookup_name)
