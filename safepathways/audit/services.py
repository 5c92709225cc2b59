"""Writing the audit trail and the access log. Call these inside the service's transaction."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
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
        # A placement made despite a suspension: why it went ahead (providers.services.record_service).
        "override_reason",
        # How a piece of work ended, as the worker typed it (work.services.close_work); elsewhere a code (below).
        "outcome",
        # What a DoLS oversight discussion decided, as typed (dols.services.record_oversight); elsewhere a code.
        "decision",
        # A parents' workshop topic, as typed: it can say what the young person needs (young_people.services).
        "topic",
    }
)
# Keys that are free text under one action only; under other actions the same key holds a name the audit needs
# (an organisation's, a member of staff's).
SENSITIVE_FIELDS_BY_ACTION: dict[str, frozenset[str]] = {
    # Who owns the next action, typed at the daily meeting: any name, a relative's included.
    "discharge.next_action": frozenset({"owner"}),
}
# Listed keys that hold a value from a code list under these actions (the service refuses anything else): the
# audit keeps what was decided. A value that does not look like a code is still kept only as its length.
CODED_FIELDS_BY_ACTION: dict[str, frozenset[str]] = {
    "access.reviewed": frozenset({"outcome"}),
    "continuity.outcome": frozenset({"outcome"}),
    "discharge.review_closed": frozenset({"outcome"}),
    "dols.assessment_recorded": frozenset({"outcome"}),
    "safeguarding.concern_decided": frozenset({"decision"}),
    "young_person.continuing_healthcare": frozenset({"decision"}),
    "young_person.milestone_recorded": frozenset({"outcome"}),
    "young_person.significant_benefit": frozenset({"decision"}),
}
_CODE = re.compile(r"[a-z0-9_]{1,40}")


@dataclass(frozen=True)
class AuditEntry:
    """One event. `target` is a row, or a model class for a change to many of its rows (target id "*")."""

    action: str
    target: models.Model | type[models.Model]
    person_id: UUID | None = None
    snapshot: dict[str, Any] | None = None
    # With a model class as `target`: the id of a row that may no longer exist (e.g. one the admin deleted).
    target_id: str | None = None


def _is_free_text(action: str, key: str, value: str) -> bool:
    """Whether a snapshot value may hold what someone typed, so the append-only trail keeps only its length."""
    if key in SENSITIVE_FIELDS_BY_ACTION.get(action, ()):
        return True
    if key not in SENSITIVE_FIELDS:
        return False
    return key not in CODED_FIELDS_BY_ACTION.get(action, ()) or not _CODE.fullmatch(value)


def _clean_snapshot(action: str, snapshot: dict[str, Any] | None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in (snapshot or {}).items():
        if isinstance(value, str) and _is_free_text(action, key, value):
            cleaned[key] = f"<{len(value)} characters>"
        else:
            cleaned[key] = value if isinstance(value, int | float | bool | type(None)) else str(value)
    return cleaned


def _target_id(entry: AuditEntry) -> str:
    if isinstance(entry.target, models.Model):
        return str(entry.target.pk)
    return entry.target_id or "*"


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
            target_id=_target_id(entry),
            person_id=entry.person_id,
            snapshot=_clean_snapshot(entry.action, entry.snapshot),
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
    target: models.Model | type[models.Model],
    person_id: UUID | None = None,
    snapshot: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event for a change made by `actor` (or a named system job)."""
    entry = AuditEntry(action=action, target=target, person_id=person_id, snapshot=snapshot)
    return record_many(actor=actor, entries=[entry], actor_label=actor_label)[0]


# Changes made in the Django admin (ADR-022): Django writes a LogEntry for each add, change and delete, and the audit
# app's receiver (audit.apps) turns it into an audit event in the same transaction.
ADMIN_ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}
# Flags that give or take away power, kept with every admin change to a user (values, not just the field names).
USER_FLAGS = ("is_active", "is_staff", "is_superuser")


def admin_change_summary(change_message: str) -> str | None:
    """The admin's change message by field and related-model name only, e.g. "changed: Is staff; added membership".

    The names of related objects ("object") are left out: they can be a person's name. None when the message is not
    the admin's JSON (free text written by custom code), which is then kept only as its length.
    """
    try:
        messages = json.loads(change_message or "[]")
    except json.JSONDecodeError:
        return None
    if not isinstance(messages, list):
        return None
    parts = []
    for message in messages:
        if not isinstance(message, dict):
            return None
        for verb, detail in message.items():
            detail = detail if isinstance(detail, dict) else {}
            text = " ".join([str(verb), *([str(detail["name"])] if detail.get("name") else [])])
            fields = detail.get("fields") or []
            parts.append(f"{text}: {', '.join(str(f) for f in fields)}" if fields else text)
    return "; ".join(parts)


def _person_of(model: type[models.Model], object_id: str) -> UUID | None:
    """The person a row is about: the row itself for a person, else its `person` foreign key (one query)."""
    if model._meta.label_lower == "people.person":
        try:
            return UUID(object_id)
        except ValueError:
            return None
    field = next((f for f in model._meta.concrete_fields if f.name == "person" and f.is_relation), None)
    related = getattr(field, "related_model", None)
    if not isinstance(related, type) or not issubclass(related, models.Model):
        return None
    if related._meta.label_lower != "people.person":
        return None
    person_id: UUID | None = model._default_manager.filter(pk=object_id).values_list("person_id", flat=True).first()
    return person_id


@transaction.atomic
def record_admin_change(*, entry: LogEntry) -> AuditEvent | None:
    """Audit one add, change or delete made in the Django admin, from the admin's own log entry."""
    action = ADMIN_ACTIONS.get(entry.action_flag)
    if action is None:
        return None
    content_type = cast(ContentType | None, entry.content_type)
    model = content_type.model_class() if content_type is not None else None
    target: models.Model | type[models.Model] = model if model is not None else LogEntry
    target_id = entry.object_id if model is not None else str(entry.pk)
    snapshot: dict[str, Any] = {}
    person_id = _person_of(model, entry.object_id or "") if model is not None and entry.object_id else None
    if person_id is None:
        snapshot["object"] = entry.object_repr  # a team, provider or user's name; never a person's
    summary = admin_change_summary(entry.change_message)
    if summary is None:
        snapshot["note"] = entry.change_message  # free text: its length only
    elif summary:
        snapshot["change"] = summary
    if model is User and entry.action_flag != DELETION:
        snapshot.update(User.objects.filter(pk=entry.object_id).values(*USER_FLAGS).first() or {})
    actor = User.objects.get(pk=entry.user_id)
    [event] = record_many(
        actor=actor,
        entries=[AuditEntry(action=action, target=target, person_id=person_id, snapshot=snapshot, target_id=target_id)],
    )
    return event


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
