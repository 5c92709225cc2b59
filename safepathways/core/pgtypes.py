"""Reading timestamps from PostgreSQL with psycopg's C loader (ADR-020).

Django's PostgreSQL backend reads every `timestamptz` value through a loader written in Python (a subclass of
psycopg's pure-Python TimestamptzLoader, so that it can pin the value's tzinfo): about 3 µs a value, against 1 µs
for psycopg's own C loader. A list page reads a hundred or so (a waiting list's 50 rows, its teams' created and
updated times, the user's), so the Python loader costs a few tenths of a millisecond on every such page.

`use_c_timestamp_loader` registers, on each new connection, a loader that parses with the C loader and then pins
the tzinfo exactly as Django's does (`datetime.timezone.utc`). Like Django's, it relies on the connection's time
zone being UTC (Django sets it so when USE_TZ is on and the database has no TIME_ZONE of its own); when the
database has one, Django's own loader is kept. Without psycopg's C extension nothing changes.
"""

import datetime
from typing import Any

from django.db.backends.signals import connection_created

try:
    from psycopg import _cmodule
    from psycopg.adapt import Loader
except ImportError:  # pragma: no cover (psycopg is always installed here)
    _C_LOADER: Any = None
else:
    _C_LOADER = getattr(getattr(_cmodule, "_psycopg", None), "TimestamptzLoader", None)


class _CTimestamptzLoader(Loader):
    # Django reads this to decide whether a cursor needs its own loader (DatabaseWrapper.create_cursor).
    timezone = datetime.UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        self._parse = _C_LOADER(oid, context).load

    def load(self, data: Any) -> datetime.datetime:
        value: datetime.datetime = self._parse(data)
        return value.replace(tzinfo=datetime.UTC)


def _register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "postgresql" or _C_LOADER is None or connection.timezone is not datetime.UTC:
        return
    connection.connection.adapters.register_loader("timestamptz", _CTimestamptzLoader)


def use_c_timestamp_loader() -> None:
    """Register the faster timestamp loader on every PostgreSQL connection opened from now on."""
    connection_created.connect(_register, dispatch_uid="safepathways.core.pgtypes")
