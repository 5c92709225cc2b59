"""Bulk inserts for the generator that keep the creation times it gives, so a synthetic history reads in order.

`created_at` (auto_now_add) and `updated_at` (auto_now) are stamped with the current time by bulk_create; a
request received last year would show every step of its timeline as "today", in no particular order. Here
the times set on each object are kept (a missing one becomes now). Only the generator uses this: services
always record the real time.

On PostgreSQL the rows go in with COPY, several times faster than bulk_create's INSERT for the hundreds of
thousands of rows of a county (each value still goes through its field's get_db_prep_save where that changes
it); on SQLite, through bulk_create with the stamping switched off while it runs.
"""

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models.base import ModelState
from django.utils import timezone

from safepathways.core.clocks import add_working_days
from safepathways.work import services as work_services
from safepathways.work.models import Priority, PriorityPolicy

ModelT = TypeVar("ModelT", bound=models.Model)

BATCH = 5000
# Fields whose Python value is what COPY needs as it is; others go through get_db_prep_save.
PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "UUIDField",
    }
)


def _stamped(model: type[models.Model]) -> list[models.DateTimeField[Any, Any]]:
    return [
        f for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
    ]


@contextmanager
def _times_kept(model: type[models.Model]) -> Iterator[None]:
    saved = [(f, f.auto_now, f.auto_now_add) for f in _stamped(model)]
    for f, _, _ in saved:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if field.get_internal_type() in PLAIN_TYPES:
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _copy(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    fields = [f for f in model._meta.concrete_fields if f.column]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    getters = [(f.attname, _converter(f)) for f in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            values = obj.__dict__
            copy.write_row([values[name] if convert is None else convert(values[name]) for name, convert in getters])


def later_than(last: datetime, candidate: datetime, now: datetime, rng: random.Random) -> datetime:
    """`candidate`, or a little after `last` when it is not later: a record's steps never share a time.

    Steps are kept before `now` where there is room (a step taken today lands between the last one and now);
    status rows are ordered by their creation time, so two with the same time would have no order.
    """
    if candidate > last:
        return candidate
    step = last + timedelta(minutes=rng.randint(1, 30))
    if step < now:
        return step
    if last < now:
        return last + (now - last) / 2
    return last + timedelta(seconds=rng.randint(1, 59))


def work_dates(priority: str) -> Callable[[date], tuple[date, date]]:
    """The allocation and first contact dates of work opened on a day, as work.services.open_work sets them.

    The same local policy (PriorityPolicy, or the seeded defaults) read once instead of twice a row.
    """
    policy = PriorityPolicy.objects.filter(priority=priority).first()
    contact_days, working_days = (
        (policy.contact_interval_days, policy.allocation_working_days)
        if policy is not None
        else work_services.DEFAULT_POLICY[Priority(priority)]
    )
    known: dict[date, tuple[date, date]] = {}

    def dates(opened_on: date) -> tuple[date, date]:
        if opened_on not in known:
            known[opened_on] = (add_working_days(opened_on, working_days), opened_on + timedelta(days=contact_days))
        return known[opened_on]

    return dates


def maker(model: type[ModelT]) -> Callable[..., ModelT]:
    """A constructor for many rows of `model`, without Model.__init__'s per-field work (a few times faster).

    It takes column values by attname (`request_id=`, not `request=`), fills in every field's default, and
    caches no related object: for rows that are only built, written here and not read back through relations.
    """
    fields = model._meta.concrete_fields
    fresh = [(f.attname, f.default) for f in fields if f.has_default() and callable(f.default)]
    defaults = {f.attname: f.get_default() for f in fields if not (f.has_default() and callable(f.default))}

    def make(**values: Any) -> ModelT:
        obj = model.__new__(model)
        obj._state = ModelState()
        attributes = obj.__dict__
        attributes.update(defaults)
        for name, default in fresh:
            if name not in values:
                attributes[name] = default()
        attributes.update(values)
        return obj

    return make


def write(model: type[models.Model], objects: Sequence[models.Model], *, now: datetime | None = None) -> int:
    """Insert the objects, keeping each one's own created/updated times (now where none is set)."""
    if not objects:
        return 0
    now = now or timezone.now()
    names = [f.attname for f in _stamped(model)]
    for obj in objects:
        created = getattr(obj, "created_at", None) or now
        for name in names:
            if getattr(obj, name, None) is None:
                setattr(obj, name, created)
    if connection.vendor == "postgresql":
        _copy(model, objects)
        return len(objects)
    with _times_kept(model):
        manager = model._default_manager
        for start in range(0, len(objects), BATCH):
            manager.bulk_create(objects[start : start + BATCH], batch_size=BATCH)
    return len(objects)
