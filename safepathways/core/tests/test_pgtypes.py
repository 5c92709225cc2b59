"""The C timestamp loader (core.pgtypes) reads what Django's own loader reads, on PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader  # type: ignore[import-untyped]

from safepathways.core.pgtypes import _C_LOADER, _CTimestamptzLoader

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's timestamp loaders")

VALUES = [
    datetime.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=datetime.UTC),  # the hour before BST starts
    datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1))),  # BST, ambiguous
    datetime.datetime(2024, 2, 29, 23, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
    datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
    datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
]


@pytest.mark.django_db
def test_each_connection_reads_timestamps_with_the_c_loader() -> None:
    assert _C_LOADER is not None, "psycopg's C extension (psycopg[binary]) is what requirements install"
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text format
    assert loader is _CTimestamptzLoader
    # Django keeps it for every cursor: it only registers its own when the time zones disagree.
    with connection.cursor() as cursor:
        assert cursor.cursor.adapters.get_loader(1184, 0) is _CTimestamptzLoader


@pytest.mark.django_db
@pytest.mark.parametrize("value", VALUES)
def test_it_reads_what_djangos_loader_reads(value: datetime.datetime) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz::text", [value])
        (text,) = cursor.fetchone()
        raw = cursor.cursor  # psycopg's own cursor: the loaders take it as their context
        ours = _CTimestamptzLoader(1184, raw).load(text.encode())
        django_class = type("DjangoUtc", (BaseTzLoader,), {"timezone": datetime.UTC})
        theirs = django_class(1184, raw).load(text.encode())
        cursor.execute("SELECT %s::timestamptz", [value])
        (read,) = cursor.fetchone()
    assert ours == theirs == value == read
    assert ours.tzinfo is theirs.tzinfo is read.tzinfo is datetime.UTC
