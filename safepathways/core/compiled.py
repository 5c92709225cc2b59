"""Querysets compiled to SQL once per process and run again with new values (ADR-020).

Django compiles a queryset to SQL every time it runs, and on a page of small reads that costs two to
three times the reads themselves. A page's hot reads have a fixed shape and change only in their
values (the person, the user's teams, today), so `CompiledQuery` builds the queryset once with probe
values, compiles it, finds where each probe landed among the SQL's parameters, and from then on runs
the same SQL with the caller's values in those places. Rows become model instances exactly as
Django's own iterator makes them (select_related included), so templates and callers cannot tell.

The queryset stays the single source of truth for the SQL: nothing is written by hand, both
databases get their own compiled form, and building the plan fails loudly if a probe cannot be
found (for example a value the ORM folds into the SQL text), so a shape that cannot be compiled this
way is caught by its tests rather than answering wrongly.
"""

import copy
import datetime
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql.constants import MULTI, SINGLE

M = TypeVar("M", bound=models.Model)

_random = random.SystemRandom()


def _probe(field: models.Field[Any, Any]) -> Any:
    """A value of the field's type that will not occur by chance anywhere else in a query."""
    target: models.Field[Any, Any] = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, models.UUIDField):
        return uuid.uuid4()
    if isinstance(target, models.DateTimeField):
        return datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
            microseconds=_random.randrange(1, 10**15)
        )
    if isinstance(target, models.DateField):
        return datetime.date(1, 1, 1) + datetime.timedelta(days=_random.randrange(1, 700_000))
    if isinstance(target, models.IntegerField | models.AutoField):
        return _random.randrange(10**9, 2 * 10**9)
    if isinstance(target, models.CharField | models.TextField):
        return f"probe-{uuid.uuid4().hex}"
    raise TypeError(f"{field!r}: a compiled query cannot take a parameter of type {type(target).__name__}")


@dataclass(frozen=True)
class _Slot:
    position: int  # where in the SQL's parameters the value goes
    name: str  # the parameter
    index: int | None  # for a list parameter, which of its values


@dataclass(frozen=True)
class _Plan:
    compiler: Any  # the SQLCompiler that compiled the SQL: it knows how rows map to objects
    sql: str | None  # None: the query can have no rows (e.g. an empty __in list)
    params: tuple[Any, ...]
    slots: tuple[_Slot, ...]
    converters: dict[int, Any] | None = None  # per column, the functions Django converts its values with


class CompiledQuery(Generic[M]):
    """One queryset shape, compiled once per process (and per length of each list parameter) for the database
    the queryset reads, which must not change while the process runs.

    `build` receives the parameters by name and returns the queryset; `fields` names each parameter
    with the model field its value is compared against, which says how the value is adapted for the
    database. A parameter whose value is a list or tuple (an `__in` lookup) gets one plan per length.
    """

    def __init__(self, build: Callable[..., "models.QuerySet[M]"], **fields: models.Field[Any, Any]) -> None:
        self._build = build
        self._fields = fields
        self._plans: dict[tuple[str, tuple[int, ...]], _Plan] = {}
        self._lock = threading.Lock()

    def _shape(self, values: dict[str, Any]) -> tuple[int, ...]:
        if values.keys() != self._fields.keys():
            raise TypeError(f"expected the parameters {sorted(self._fields)}, got {sorted(values)}")
        shape = []
        for name in self._fields:  # the declared order, whatever order the caller named them in
            value = values[name]
            if value is None or (isinstance(value, list | tuple) and any(v is None for v in value)):
                # filter(x=None) means IS NULL, which compiled SQL (x = %s) cannot say: refuse, never mis-answer.
                raise TypeError(f"{name!r} is None: a compiled query compares values, it cannot test for NULL")
            shape.append(len(value) if isinstance(value, list | tuple) else -1)
        return tuple(shape)

    def _compile(self, values: dict[str, Any], exists: bool) -> tuple[Any, str | None, tuple[Any, ...], dict[str, Any]]:
        probes: dict[str, Any] = {}
        for name in self._fields:
            field, value = self._fields[name], values[name]
            probes[name] = [_probe(field) for _ in value] if isinstance(value, list | tuple) else _probe(field)
        queryset = self._build(**probes)
        if getattr(queryset, "_prefetch_related_lookups", ()):
            raise TypeError("a compiled query cannot prefetch: select_related, or compile the second query")
        db = queryset.db
        query = queryset.query.exists() if exists else queryset.query
        compiler = query.get_compiler(using=db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return compiler, None, (), probes
        return compiler, sql, tuple(params), probes

    def _make_plan(self, values: dict[str, Any], exists: bool) -> _Plan:
        compiler, sql, params, probes = self._compile(values, exists)
        if sql is None:
            return _Plan(compiler, None, (), ())
        connection = connections[compiler.using]
        slots: list[_Slot] = []
        for name, probe in probes.items():
            field = self._fields[name]
            for index, one in enumerate(probe) if isinstance(probe, list) else [(None, probe)]:
                adapted = field.get_db_prep_value(one, connection, prepared=False)
                positions = [i for i, p in enumerate(params) if type(p) is type(adapted) and p == adapted]
                if not positions:
                    raise TypeError(f"the value of {name!r} does not reach the SQL as a parameter: {sql}")
                slots.extend(_Slot(position, name, index) for position in positions)
        if len({slot.position for slot in slots}) != len(slots):
            raise TypeError(f"two parameters share a place in the SQL: {sql}")
        # Compiled again with other probes, only the SQL's parameters in the places found may change: a value
        # written into the SQL text (a slice) or rewritten on its way (a LIKE pattern) would be kept from the
        # probe and answer wrongly, so such a shape is refused.
        _, again_sql, again_params, _ = self._compile(values, exists)
        changed = {i for i, (a, b) in enumerate(zip(params, again_params, strict=False)) if a != b}
        if again_sql != sql or len(again_params) != len(params) or changed != {slot.position for slot in slots}:
            raise TypeError(f"a value changes the SQL other than as a parameter, so it cannot be compiled: {sql}")
        # Which columns need converting, and how, depends only on the columns: worked out once, not per run.
        converters = None if exists else compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        return _Plan(compiler, sql, params, tuple(slots), converters)

    def _compiler(self, values: dict[str, Any], *, exists: bool = False, window: tuple[int, int] | None = None) -> Any:
        """A compiler for this call whose SQL is the plan's, with the caller's values in place."""
        key = ("exists" if exists else "rows", self._shape(values))
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                plan = self._plans.get(key)
                if plan is None:
                    plan = self._plans[key] = self._make_plan(values, exists)
        if plan.sql is None:
            return None
        compiler = copy.copy(plan.compiler)
        connection = connections[compiler.using]
        compiler.connection = connection
        if plan.converters is not None:
            converters = plan.converters
            compiler.get_converters = lambda expressions: converters
        params = list(plan.params)
        for slot in plan.slots:
            value = values[slot.name] if slot.index is None else values[slot.name][slot.index]
            params[slot.position] = self._fields[slot.name].get_db_prep_value(value, connection, prepared=False)
        sql = plan.sql
        if window is not None:
            # LIMIT and OFFSET as parameters, so that every page of a list shares one plan. Both databases take
            # them after the ORDER BY, where Django itself writes them; a sliced queryset would already have them.
            if plan.compiler.query.is_sliced:
                raise TypeError("a compiled query read a page at a time must not be sliced")
            sql = f"{sql} LIMIT %s OFFSET %s"
            params.extend(window)
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        return compiler

    def all(self, **values: Any) -> list[M]:
        """The rows as model instances, related objects from select_related included."""
        compiler = self._compiler(values)
        if compiler is None:
            return []
        results = compiler.execute_sql(MULTI)
        select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model_cls = klass_info["model"]
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        related_populators = get_related_populators(klass_info, select, compiler.using)
        objects: list[M] = []
        for row in compiler.results_iter(results):
            obj = model_cls.from_db(compiler.using, init_list, row[start:end])
            for populator in related_populators:
                populator.populate(row, obj)
            for attr_name, col_pos in annotation_col_map.items():
                setattr(obj, attr_name, row[col_pos])
            objects.append(obj)
        return objects

    def first(self, **values: Any) -> M | None:
        """The first row as a model instance, or None (the queryset should be sliced to one row)."""
        objects = self.all(**values)
        return objects[0] if objects else None

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """The rows of a values_list() queryset, converted as Django converts them."""
        compiler = self._compiler(values)
        if compiler is None:
            return []
        return list(compiler.results_iter(compiler.execute_sql(MULTI), tuple_expected=True))

    def page_rows(self, offset: int, limit: int, **values: Any) -> list[tuple[Any, ...]]:
        """`limit` rows of a values_list() queryset from `offset` on (one page of a list), as `rows` gives them."""
        if offset < 0 or limit < 0:
            raise ValueError("a page starts at 0 or after, and has 0 rows or more")
        compiler = self._compiler(values, window=(limit, offset))
        if compiler is None:
            return []
        return list(compiler.results_iter(compiler.execute_sql(MULTI), tuple_expected=True))

    def exists(self, **values: Any) -> bool:
        """Whether the queryset has any row, asked as Django's exists() asks it."""
        compiler = self._compiler(values, exists=True)
        return compiler is not None and bool(compiler.execute_sql(SINGLE))


@dataclass(frozen=True)
class _InsertPlan:
    compiler: Any  # the SQLInsertCompiler that compiled the INSERT
    sql: str
    fields: tuple[models.Field[Any, Any], ...]
    returning: tuple[models.Field[Any, Any], ...]


class CompiledInsert(Generic[M]):
    """The INSERT of one new row of a model, compiled once per process (ADR-020): for rows written on every request
    (the access log). Values are prepared as Model.save() prepares them (pre_save, get_db_prep_save) and the
    database's own values (the id) are set on the object; no model signals are sent, so use it only for models
    nothing listens to."""

    def __init__(self, model: type[M], fields: tuple[str, ...]) -> None:
        self._model = model
        self._names = fields
        self._plan: _InsertPlan | None = None
        self._lock = threading.Lock()

    def _make_plan(self, obj: M) -> _InsertPlan:
        meta = self._model._meta
        fields = tuple(f for f in (meta.get_field(name) for name in self._names) if isinstance(f, models.Field))
        if len(fields) != len(self._names):
            raise TypeError(f"{self._names} are not all concrete fields of {self._model.__name__}")
        query = models.sql.InsertQuery(self._model)
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(using=router.db_for_write(self._model))
        compiler.returning_fields = returning = tuple(meta.db_returning_fields)
        (sql, params), *more = compiler.as_sql()
        if more or len(params) != len(fields):
            raise TypeError(f"the INSERT of {self._model.__name__} does not take one value per field: {sql}")
        return _InsertPlan(compiler, sql, fields, returning)

    def insert(self, obj: M) -> M:
        """Insert `obj` (new, never saved) and return it with its id."""
        if not obj._state.adding:
            raise TypeError(f"{obj!r} is already saved: a compiled insert only adds rows")
        plan = self._plan
        if plan is None:
            with self._lock:
                plan = self._plan = self._plan or self._make_plan(obj)
        compiler = copy.copy(plan.compiler)
        connection = connections[compiler.using]
        compiler.connection = connection
        params = tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in plan.fields)
        sql = plan.sql
        compiler.as_sql = lambda *args, **kwargs: [(sql, params)]
        rows = compiler.execute_sql(list(plan.returning))
        for value, returned in zip(rows[0] if rows else (), plan.returning, strict=False):
            setattr(obj, returned.attname, value)
        obj._state.adding = False
        obj._state.db = compiler.using
        return obj


# COUNT(*) as a column: values_list(COUNT_ROWS) on an unordered queryset is its count, as one compiled row. (An
# aggregate such as Count() there would make Django GROUP BY every column.)
COUNT_ROWS = models.Func(template="COUNT(*)", output_field=models.BigIntegerField())


def known_related(objects: list[M], name: str, value: models.Model) -> list[M]:
    """Sets the object every row relates to through `name` (as a related manager's queryset does), so
    reading it costs no query."""
    if objects:
        related = objects[0]._meta.get_field(name)
        for obj in objects:
            related.set_cached_value(obj, value)  # type: ignore[union-attr]
    return objects


def field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The model field a compiled query's parameter is compared against."""
    found = model._meta.get_field(name)
    if not isinstance(found, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return found
