"""Merging two records of the same person, and undoing a merge. One transaction each.

Everything that hangs off a person (alerts, risks, their network, involvements, chronology,
services, work, shares, access grants, hand-offs, front-door contacts, and whatever later apps
add) is found through `Person._meta.related_objects`, so a new app's rows move without a change
here. The removed record stays, marked `merged_into`, so an old reference still leads somewhere;
search and matching skip it. Audit events keep the person id they were written with: the audit
trail is history, not part of the record.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from safepathways.accounts.models import Role, User
from safepathways.audit import services as audit
from safepathways.core.errors import ApplicationError
from safepathways.people.models import MergedRow, MergeRecord, Person
from safepathways.people.services import add_to_chronology

# Rows of these models describe merges themselves; they never move.
_NEVER_MOVED: frozenset[type[models.Model]] = frozenset({Person, MergeRecord, MergedRow})
# SQLite allows 999 parameters in older builds; stay well under it.
_CHUNK = 500
# Identity details a merge copies onto the kept record when it has none and the removed record has one, so nothing
# known is lost (the removed record is no longer searched). Groups go together: an NHS number with its verification
# status, an address with its postcode and neighbourhood. A detail the kept record has already is never changed.
IDENTITY_GAPS: tuple[tuple[str, ...], ...] = (
    ("nhs_number", "nhs_number_status"),
    ("date_of_birth",),
    ("preferred_name",),
    ("address_line_1", "address_line_2", "town", "postcode", "neighbourhood_id"),
    ("phone",),
    ("email",),
    ("communication_needs",),
    ("about_me",),
    ("what_matters",),
)


def may_merge(user: User) -> bool:
    """Administrators and team managers of the council may merge two records of one person."""
    return bool(
        user.is_authenticated and user.is_council_staff and (user.is_administrator or user.has_role(Role.TEAM_MANAGER))
    )


def may_unmerge(user: User) -> bool:
    """Only an administrator may undo a merge."""
    return bool(user.is_authenticated and user.is_administrator)


@dataclass(frozen=True)
class PersonLink:
    """A foreign key (or one-to-one) from some model to Person."""

    model: type[models.Model]
    field_name: str  # attname, e.g. "person_id"
    is_one_to_one: bool


def person_links() -> list[PersonLink]:
    """Every column in the project that points at a person, found from the model graph."""
    links: list[PersonLink] = []
    for relation in Person._meta.related_objects:
        model = relation.related_model
        if not isinstance(model, type) or model in _NEVER_MOVED:
            continue
        if isinstance(relation, models.ManyToManyRel):
            through = relation.through
            if through is None:  # pragma: no cover - Django always sets the through model
                continue
            for field in through._meta.get_fields():
                if isinstance(field, models.ForeignKey) and field.related_model is Person:
                    links.append(PersonLink(through, field.attname, is_one_to_one=False))
            continue
        field = relation.field
        links.append(PersonLink(model, field.attname, is_one_to_one=bool(relation.one_to_one)))
    return sorted(links, key=lambda link: (link.model._meta.label_lower, link.field_name))


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _lock(*people: Person) -> dict[object, Person]:
    # Locking both rows blocks anyone adding a row that points at either (a foreign-key check takes a
    # share lock on the referenced row), so the rows listed here are exactly the rows moved.
    locked = Person.objects.select_for_update().filter(pk__in=[p.pk for p in people]).order_by("pk")
    return {person.pk: person for person in locked}


def _empty(value: object) -> bool:
    return value is None or value == ""


def _plain(value: object) -> object:
    """A value as JSON keeps it: dates as ISO text, ids as text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _fill_gaps(kept: Person, removed: Person) -> dict[str, object]:
    """Copy each group of identity details the kept record lacks from the removed record; returns what was copied.

    An NHS number is unique, so it leaves the removed record as it arrives on the kept one (undo puts it back)."""
    filled: dict[str, object] = {}
    for group in IDENTITY_GAPS:
        if not _empty(getattr(kept, group[0])) or _empty(getattr(removed, group[0])):
            continue
        for name in group:
            value = getattr(removed, name)
            setattr(kept, name, value)
            filled[name] = _plain(value)
    if "nhs_number" in filled:
        removed.nhs_number = None
        removed.save(update_fields=["nhs_number", "updated_at"])
    if filled:
        kept.save()  # refreshes the search keys too
    return filled


def _give_back(filled: dict[str, object], kept: Person, removed: Person) -> None:
    """Undo _fill_gaps: a detail still as the merge left it is cleared on the kept record; the NHS number returns."""
    if not filled:
        return
    defaults = {f.attname: f.get_default() for f in Person._meta.concrete_fields}
    for group in IDENTITY_GAPS:
        if group[0] not in filled:
            continue
        if _plain(getattr(kept, group[0])) != filled[group[0]]:
            continue  # changed since the merge: it is the kept record's own now
        for name in group:
            setattr(kept, name, defaults[name] if name != "nhs_number" else None)
    kept.save()
    if "nhs_number" in filled and kept.nhs_number is None:
        removed.nhs_number = filled["nhs_number"]  # type: ignore[assignment]


@transaction.atomic
def merge_people(*, keep: Person, remove: Person, by: User, reason: str) -> MergeRecord:
    """Move everything on `remove` to `keep`, mark `remove` as merged into `keep`, and list every moved row."""
    if not may_merge(by):
        raise ApplicationError("Only an administrator or a team manager can merge records")
    if keep.pk == remove.pk:
        raise ApplicationError("Choose two different records to merge", field="remove")
    if not reason.strip():
        raise ApplicationError("Enter why these records are the same person", field="reason")
    locked = _lock(keep, remove)
    if len(locked) != 2:
        raise ApplicationError("One of these records no longer exists")
    kept, removed = locked[keep.pk], locked[remove.pk]
    for person in (kept, removed):
        if person.merged_into_id is not None:
            raise ApplicationError(f"{person.reference} has already been merged into another record")
    now = timezone.now()
    record = MergeRecord.objects.create(kept=kept, removed=removed, reason=reason.strip(), merged_by=by, merged_at=now)
    moved: list[MergedRow] = []
    try:
        with transaction.atomic():
            for link in person_links():
                manager = link.model._base_manager
                ids = [str(pk) for pk in manager.filter(**{link.field_name: removed.pk}).values_list("pk", flat=True)]
                if not ids:
                    continue
                if link.is_one_to_one and manager.filter(**{link.field_name: kept.pk}).exists():
                    raise ApplicationError(
                        f"Both records have a {link.model._meta.verbose_name}: resolve that before merging"
                    )
                updated = manager.filter(**{link.field_name: removed.pk}).update(**{link.field_name: kept.pk})
                if updated != len(ids):  # pragma: no cover - prevented by the row locks above
                    raise ApplicationError("The records changed while merging: try again")
                label = link.model._meta.label_lower
                moved.extend(
                    MergedRow(merge=record, model_label=label, field_name=link.field_name, object_id=pk) for pk in ids
                )
    except IntegrityError as error:
        # A unique rule in another app (one row per person) refused the move: nothing is left half-moved.
        raise ApplicationError(f"These records cannot be merged automatically: {error}") from error
    MergedRow.objects.bulk_create(moved, batch_size=_CHUNK)
    filled = _fill_gaps(kept, removed)
    record.filled = filled
    record.save(update_fields=["filled", "updated_at"])
    removed.merged_into = kept
    removed.save(update_fields=["merged_into", "updated_at"])
    add_to_chronology(
        person=kept,
        category="people",
        summary=f"Record {removed.reference} ({removed.full_name}) merged into this record",
        detail=reason.strip(),
        by=by,
    )
    add_to_chronology(
        person=removed,
        category="people",
        summary=f"Merged into {kept.reference} ({kept.full_name}): everything on this record moved there",
        detail=reason.strip(),
        by=by,
    )
    snapshot = {
        "kept": kept.reference,
        "removed": removed.reference,
        "rows_moved": len(moved),
        "details_filled": sorted(filled),
        "reason": reason,
    }
    audit.record_many(
        actor=by,
        entries=[
            audit.AuditEntry(action="person.merged", target=record, person_id=kept.pk, snapshot=snapshot),
            audit.AuditEntry(action="person.merged", target=record, person_id=removed.pk, snapshot=snapshot),
        ],
    )
    return record


@transaction.atomic
def unmerge(*, merge_record: MergeRecord, by: User) -> MergeRecord:
    """Move exactly the rows a merge moved back to the removed record and make it a record of its own again.

    Rows added to the kept record since the merge stay where they are. Rows deleted since are
    skipped. A kept record that has itself been merged away must be unmerged first.
    """
    if not may_unmerge(by):
        raise ApplicationError("Only an administrator can undo a merge")
    record = MergeRecord.objects.select_for_update().get(pk=merge_record.pk)
    if record.unmerged_at is not None:
        raise ApplicationError("This merge has already been undone")
    locked = _lock(record.kept, record.removed)
    kept, removed = locked[record.kept_id], locked[record.removed_id]
    if kept.merged_into_id is not None:
        raise ApplicationError(f"{kept.reference} has since been merged into another record: undo that merge first")
    if removed.merged_into_id != kept.pk:
        raise ApplicationError(f"{removed.reference} is no longer merged into {kept.reference}")
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for label, field_name, object_id in record.moved_rows.values_list("model_label", "field_name", "object_id"):
        groups[(label, field_name)].append(object_id)
    returned = 0
    for (label, field_name), ids in sorted(groups.items()):
        model = apps.get_model(label)
        for chunk in _chunks(ids):
            returned += model._base_manager.filter(pk__in=chunk, **{field_name: kept.pk}).update(
                **{field_name: removed.pk}
            )
    _give_back(record.filled, kept, removed)
    removed.merged_into = None
    removed.save()
    record.unmerged_at = timezone.now()
    record.unmerged_by = by
    record.save(update_fields=["unmerged_at", "unmerged_by", "updated_at"])
    for person, other in ((kept, removed), (removed, kept)):
        add_to_chronology(
            person=person,
            category="people",
            summary=f"Merge with {other.reference} ({other.full_name}) undone: the records are separate again",
            by=by,
        )
    snapshot = {"kept": kept.reference, "removed": removed.reference, "rows_returned": returned}
    audit.record_many(
        actor=by,
        entries=[
            audit.AuditEntry(action="person.unmerged", target=record, person_id=kept.pk, snapshot=snapshot),
            audit.AuditEntry(action="person.unmerged", target=record, person_id=removed.pk, snapshot=snapshot),
        ],
    )
    return record
