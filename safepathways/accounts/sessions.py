"""Sessions kept in the database, read with SQL compiled once per process (ADR-020)."""

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from safepathways.core.compiled import CompiledQuery, field

# The same query as Django's session store makes (get by key, unexpired), without compiling it each request.
_UNEXPIRED: CompiledQuery[Session] = CompiledQuery(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now)[:1],
    key=field(Session, "session_key"),
    now=field(Session, "expire_date"),
)


class SessionStore(DatabaseSessionStore):
    """Django's database session store; only the read of a session on each request is compiled once."""

    def _get_session_from_db(self) -> Any:
        session = _UNEXPIRED.first(key=self.session_key, now=timezone.now())
        if session is None:
            self._session_key = None
        return session
