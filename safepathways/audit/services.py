"""Writing the audit trail and the access log. Call these inside the service's transaction."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import models, transaction
from django.utils import timezone

from safepathways.accounts.models import User
from safepathways.audit.models import AccessBasis, AccessEvent, AccessKind, AuditChainHead, AuditEvent
from safepathways.core.compiled import CompiledInsert

GENESIS_HASH = "0" * 64
# Free text can hold sensitive detail; the audit snapshot keeps only its length.
SENSITIVE_FIELDS = frozenset(
    {
        "about_me",
        "what_matters",
        "reason",
        "reason_detail",
        "end_reason",
        "detail",
        "description",
        "mitigation",
        "persons_view",
        "note",
        "notes",
    }
)


@dataclass(frozen=True)
class AuditEntry:
    action: str
    target: models.Model
    person_id: UUID | None = None
    snapshot: dict[str, Any] | None = None


def _clean_snapshot(snapshot: dict[str, Any] | None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in (snapshot or {}).items():
        if key in SENSITIVE_FIELDS and isinstance(value, str):
            cleaned[key] = f"<{len(value)} characters>"
        else:
            cleaned[key] = value if isinstance(value, int | float | bool | type(None)) else str(value)
    return cleaned


def record_many(*, actor: User | None, entries: Iterable[AuditEntry], actor_label: str = "") -> list[AuditEvent]:
    """Append events to the chain under a lock on its head, in the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events are written inside the service's transaction")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1, defaults={"last_hash": GENESIS_HASH})
    now = timezone.now()
    events = []
    previous = head.last_hash
    for entry in entries:
        event = AuditEvent(
            occurred_at=now,
            actor=actor,
            actor_label=actor_label or (actor.email if actor else "system"),
            action=entry.action,
            target_type=entry.target._meta.label_lower,
            target_id=str(entry.target.pk),
            person_id=entry.person_id,
            snapshot=_clean_snapshot(entry.snapshot),
            previous_hash=previous,
        )
        event.hash = event.compute_hash()
        previous = event.hash
        events.append(event)
    if not events:
        return []
    created = AuditEvent.objects.bulk_create(events)
    last_id = created[-1].pk if created[-1].pk is not None else AuditEvent.objects.get(hash=previous).pk
    AuditChainHead.objects.filter(id=1).update(last_hash=previous, last_event_id=last_id)
    return created


def record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    person_id: UUID | None = None,
    snapshot: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event for a change made by `actor` (or a named system job)."""
    entry = AuditEntry(action=action, target=target, person_id=person_id, snapshot=snapshot)
    return record_many(actor=actor, entries=[entry], actor_label=actor_label)[0]


# Every look at a record writes one: compiled once per process (ADR-020).
_INSERT_ACCESS: CompiledInsert[AccessEvent] = CompiledInsert(
    AccessEvent, ("occurred_at", "user", "person_id", "kind", "basis", "what", "grant_id")
)


def record_access(
    *,
    user: User,
    person_id: UUID,
    what: str,
    basis: str,
    kind: str = AccessKind.VIEW,
    grant_id: UUID | None = None,
) -> AccessEvent:
    """Log a look at a person's record; called by every view and endpoint that shows one."""
    return _INSERT_ACCESS.insert(
        AccessEvent(
            occurred_at=timezone.now(),
            user=user,
            person_id=person_id,
            kind=kind,
            basis=basis or AccessBasis.RELATIONSHIP,
            what=what[:200],
            grant_id=grant_id,
        )
    )


def record_accesses(*, user: User, person_ids: Iterable[UUID], what: str, basis: str, kind: str) -> int:
    """Log one look per person in a single insert, e.g. for a list exported to a spreadsheet."""
    now = timezone.now()
    events = [
        AccessEvent(occurred_at=now, user=user, person_id=person_id, kind=kind, basis=basis, what=what[:200])
        for person_id in dict.fromkeys(person_ids)
    ]
    AccessEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    first_broken_id: int | None
    problem: str

    @property
    def is_intact(self) -> bool:
        return self.first_broken_id is None and not self.problem


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first event altered, inserted or removed."""
    previous = GENESIS_HASH
    checked = 0
    last_id: int | None = None
    queryset = AuditEvent.objects.order_by("id")
    for event in queryset.iterator(chunk_size=batch_size):
        if event.previous_hash != previous:
            return ChainReport(checked, event.pk, f"event {event.pk} does not follow the event before it")
        if event.compute_hash() != event.hash:
            return ChainReport(checked, event.pk, f"event {event.pk} was altered after it was written")
        previous = event.hash
        last_id = event.pk
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_hash != previous or head.last_event_id != last_id):
        return ChainReport(checked, None, "events at the end of the chain were removed")
    if head is None and checked:
        return ChainReport(checked, None, "the chain head is missing")
    return ChainReport(checked, None, "")
