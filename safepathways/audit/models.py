"""The append-only audit trail of changes and the log of who looked at which record (ADR-003)."""

import hashlib
import json
from typing import Any, NoReturn, Self

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Audit and access events are never changed or removed."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit records cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit records cannot be deleted.")


class AuditEventQuerySet(AppendOnlyQuerySet):
    def for_target(self, target_type: str, target_id: str) -> Self:
        return self.filter(target_type=target_type, target_id=target_id)


class AuditEvent(models.Model):
    """One change made through a service, chained to the one before it by a SHA-256 hash."""

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A named system job when there is no user (e.g. "generate_borough", "nightly gap sweep").
    actor_label = models.CharField(max_length=100)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64)
    person_id = models.UUIDField(null=True, blank=True, db_index=True)
    snapshot = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit records cannot be deleted.")

    def compute_hash(self) -> str:
        """The hash of this event's content and the previous event's hash."""
        payload = {
            "occurred_at": self.occurred_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "person_id": str(self.person_id) if self.person_id else None,
            "snapshot": self.snapshot,
            "previous_hash": self.previous_hash,
        }
        encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(encoded.encode()).hexdigest()


class AuditChainHead(models.Model):
    """A single row locked while an event is appended, so the chain has no forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    last_event_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"Audit chain head at event {self.last_event_id}"


class AccessKind(models.TextChoices):
    VIEW = "view", "Viewed record"
    EXPORT = "export", "Exported"
    API = "api", "Read through the API"


class AccessBasis(models.TextChoices):
    RELATIONSHIP = "relationship", "Working relationship"
    DECLARED = "declared", "Declared relationship"
    BREAK_GLASS = "break_glass", "Break-glass"
    PARTNER_SHARE = "partner_share", "Shared with partner organisation"
    GOVERNANCE = "governance", "Information governance review"
    WAITING_LIST = "waiting_list", "Central waiting list (shared by the teams)"
    SERVICE_OVERSIGHT = "service_oversight", "Service oversight report"
    FRONT_DOOR = "front_door", "Front-door contact"
    INCIDENT = "incident", "Incident or emergency response"
    SAFEGUARDING = "safeguarding", "Safeguarding (team, enquiry officer or named partner)"
    ADMIN = "admin", "Django admin (read-only, superuser or staff)"


class AccessEventQuerySet(AppendOnlyQuerySet):
    def for_person(self, person_id: object) -> Self:
        return self.filter(person_id=person_id)


class AccessEvent(models.Model):
    """A look at a person's record (a page, an export or an API read), and on what basis."""

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person_id = models.UUIDField(db_index=True)
    kind = models.CharField(max_length=20, choices=AccessKind.choices)
    basis = models.CharField(max_length=20, choices=AccessBasis.choices)
    # What was looked at, e.g. "person page", "alerts", "GET /api/v1/people/…".
    what = models.CharField(max_length=200)
    grant_id = models.UUIDField(null=True, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["user", "-occurred_at"], name="access_by_user")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.user_id} {self.kind} {self.person_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Access records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Access records cannot be deleted.")
