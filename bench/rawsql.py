"""The SQL each page needs, written by hand and run with psycopg: the floor each page is compared with.

What "raw SQL" includes, for both pages (the same statements the signed-in request runs, in order):

  1. read the session row                      (SessionMiddleware)
  2. read the user                             (AuthenticationMiddleware; the id is known, not decoded)
  3. look for a confirmed authenticator        (SecondFactorRequiredMiddleware)
  4. read the user's memberships, teams, organisations
  5. the page's own data (timed separately as "data"):
       search: the candidate query of selectors.search_people (same filter, order and LIMIT 500)
       person page: the person, the relationship check, the access-log INSERT and the 8 reads
       of selectors.person_page (chronology, alerts, services, work, risks, contacts,
       professionals, chronology categories)
  6. save the session (BEGIN; UPDATE; COMMIT), as SESSION_SAVE_EVERY_REQUEST does.

Rows are fetched in full (every column the ORM fetches) but not turned into objects; ranking by
rapidfuzz and template rendering are not part of raw SQL. The connection binds parameters on the
client (psycopg.ClientCursor), as Django's PostgreSQL backend does by default, in autocommit mode.
"""

import re
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg

from safepathways.people.models import name_key

SEARCH_CANDIDATES = 500  # selectors.SEARCH_LIMIT * 10
CHRONOLOGY_PAGE = 50
SESSION_AGE = timedelta(minutes=30)
LONDON = ZoneInfo("Europe/London")

SESSION_SQL = (
    "SELECT session_key, session_data, expire_date FROM django_session WHERE expire_date > %s AND session_key = %s"
)
USER_SQL = "SELECT u.* FROM accounts_user u WHERE u.id = %s"
DEVICE_SQL = "SELECT d.* FROM otp_totp_totpdevice d WHERE d.user_id = %s AND d.confirmed"
MEMBERSHIPS_SQL = (
    "SELECT m.team_id, m.*, t.*, o.* FROM accounts_membership m"
    " JOIN accounts_team t ON t.id = m.team_id"
    " JOIN accounts_organisation o ON o.id = t.organisation_id"
    " WHERE m.user_id = %s"
)
SESSION_SAVE_SQL = "UPDATE django_session SET session_data = %s, expire_date = %s WHERE session_key = %s"

CANDIDATES_SQL = "SELECT p.* FROM people_person p WHERE {where} ORDER BY p.family_name, p.given_name, p.id LIMIT %s"

PERSON_SQL = (
    "SELECT p.*, n.* FROM people_person p LEFT JOIN people_neighbourhood n ON n.id = p.neighbourhood_id WHERE p.id = %s"
)
TEAM_WORK_SQL = (
    "SELECT 1 FROM work_workitem WHERE person_id = %s AND closed_at IS NULL"
    " AND (team_id = ANY(%s) OR allocated_to_id = %s) LIMIT 1"
)
TEAM_SERVICE_SQL = (
    "SELECT 1 FROM providers_service WHERE person_id = %s AND team_id = ANY(%s)"
    " AND start_on <= %s AND (end_on IS NULL OR end_on >= %s) LIMIT 1"
)
GRANT_SQL = (
    "SELECT g.* FROM people_accessgrant g WHERE g.user_id = %s AND g.person_id = %s"
    " AND g.expires_at > %s AND g.revoked_at IS NULL ORDER BY g.expires_at DESC LIMIT 1"
)
ACCESS_LOG_SQL = (
    "INSERT INTO audit_accessevent (occurred_at, user_id, person_id, kind, basis, what, grant_id)"
    " VALUES (%s, %s, %s, 'view', 'relationship', 'person page', NULL) RETURNING id"
)
CHRONOLOGY_SQL = (
    "SELECT c.* FROM people_chronologyentry c WHERE c.person_id = %s ORDER BY c.occurred_at DESC, c.id DESC LIMIT %s"
)
ALERTS_SQL = (
    "SELECT a.*, u.* FROM people_alert a JOIN accounts_user u ON u.id = a.owner_id"
    " WHERE a.person_id = %s AND a.ended_at IS NULL ORDER BY a.review_on"
)
SERVICES_SQL = (
    "SELECT s.*, pr.*, l.*, t.* FROM providers_service s"
    " LEFT JOIN providers_provider pr ON pr.id = s.provider_id"
    " LEFT JOIN providers_location l ON l.id = s.location_id"
    " LEFT JOIN accounts_team t ON t.id = s.team_id"
    " WHERE s.person_id = %s AND s.start_on <= %s AND (s.end_on IS NULL OR s.end_on >= %s) ORDER BY s.start_on DESC"
)
WORK_SQL = (
    "SELECT w.*, t.*, u.* FROM work_workitem w JOIN accounts_team t ON t.id = w.team_id"
    " LEFT JOIN accounts_user u ON u.id = w.allocated_to_id"
    " WHERE w.person_id = %s AND w.closed_at IS NULL ORDER BY w.due_on, w.opened_at"
)
RISKS_SQL = (
    "SELECT r.*, u.* FROM people_risk r JOIN accounts_user u ON u.id = r.owner_id"
    " WHERE r.person_id = %s AND r.closed_at IS NULL ORDER BY r.review_on"
)
CONTACTS_SQL = (
    "SELECT c.* FROM people_contact c WHERE c.person_id = %s AND c.ended_at IS NULL"
    " ORDER BY c.is_main_contact DESC, c.name"
)
INVOLVEMENTS_SQL = (
    "SELECT i.*, o.* FROM people_involvement i LEFT JOIN accounts_organisation o ON o.id = i.organisation_id"
    " WHERE i.person_id = %s AND (i.ended_on IS NULL OR i.ended_on >= %s) ORDER BY i.role, i.name"
)
CATEGORIES_SQL = "SELECT DISTINCT category FROM people_chronologyentry WHERE person_id = %s ORDER BY category"


def _like_prefix(token: str) -> str:
    return token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def candidate_filter(text: str, date_of_birth: date | None) -> tuple[str, list[Any]]:
    """The WHERE clause of the selector's candidate query, for a typed text and an optional date of birth."""
    text = text.strip()
    digits = re.sub(r"[\s-]", "", text)
    clauses: list[str] = []
    params: list[Any] = []
    if digits.isdigit() and len(digits) == 10:
        clauses.append("p.nhs_number = %s")
        params.append(digits)
    elif re.fullmatch(r"(?i)sp\d{7}", text):
        clauses.append("p.reference = %s")
        params.append(text.upper())
    elif text:
        ors: list[str] = []
        for token in [t for t in re.split(r"[^\w'-]+", text.lower()) if t]:
            key = name_key(token)
            ors += ["p.family_name_key = %s", "p.given_name_key = %s", "p.family_name_lower LIKE %s"]
            params += [key, key, _like_prefix(token)]
        clauses.append("(" + " OR ".join(ors) + ")")
    if date_of_birth:
        clauses.append("p.date_of_birth = %s")
        params.append(date_of_birth)
    return " AND ".join(clauses) or "TRUE", params


class RawClient:
    """Runs the hand-written SQL of a page for one signed-in user, over its own connection."""

    def __init__(self, url: str, *, session_key: str, user_id: int) -> None:
        self.conn = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
        self.session_key = session_key
        self.user_id = user_id
        self.statements = 0
        self.data_seconds = 0.0

    def close(self) -> None:
        self.conn.close()

    def _fetch(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.statements += 1
        with self.conn.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def _begin_request(self) -> tuple[str, list[UUID]]:
        now = datetime.now(UTC)
        session = self._fetch(SESSION_SQL, [now, self.session_key])
        if not session:
            raise RuntimeError("the benchmark session has expired")
        self._fetch(USER_SQL, [self.user_id])
        self._fetch(DEVICE_SQL, [self.user_id])
        memberships = self._fetch(MEMBERSHIPS_SQL, [self.user_id])
        return str(session[0][1]), [row[0] for row in memberships]

    def _end_request(self, session_data: str) -> None:
        with self.conn.transaction():
            self._fetch(SESSION_SAVE_SQL, [session_data, datetime.now(UTC) + SESSION_AGE, self.session_key])

    def signed_in_only(self) -> int:
        """A page that reads nothing of its own: the floor every page stands on."""
        session_data, _ = self._begin_request()
        self._end_request(session_data)
        return 0

    def search(self, text: str, date_of_birth: date | None = None) -> int:
        """The search page's SQL; returns the number of candidate rows."""
        session_data, _ = self._begin_request()
        started = time.perf_counter()
        where, params = candidate_filter(text, date_of_birth)
        rows = self._fetch(CANDIDATES_SQL.format(where=where), [*params, SEARCH_CANDIDATES])
        self.data_seconds += time.perf_counter() - started
        self._end_request(session_data)
        return len(rows)

    def person_page(self, person_id: UUID) -> int:
        """The person page's SQL; returns the number of rows read for the page."""
        session_data, team_ids = self._begin_request()
        started = time.perf_counter()
        now = datetime.now(UTC)
        today = now.astimezone(LONDON).date()
        if not self._fetch(PERSON_SQL, [person_id]):
            raise RuntimeError(f"no person {person_id}")
        related = self._fetch(TEAM_WORK_SQL, [person_id, team_ids, self.user_id]) or self._fetch(
            TEAM_SERVICE_SQL, [person_id, team_ids, today, today]
        )
        if not related and not self._fetch(GRANT_SQL, [self.user_id, person_id, now]):
            raise RuntimeError("the benchmark user has no relationship with the benchmark person")
        self._fetch(ACCESS_LOG_SQL, [now, self.user_id, person_id])
        rows = 0
        for query, params in (
            (CHRONOLOGY_SQL, [person_id, CHRONOLOGY_PAGE + 1]),
            (ALERTS_SQL, [person_id]),
            (SERVICES_SQL, [person_id, today, today]),
            (WORK_SQL, [person_id]),
            (RISKS_SQL, [person_id]),
            (CONTACTS_SQL, [person_id]),
            (INVOLVEMENTS_SQL, [person_id, today]),
            (CATEGORIES_SQL, [person_id]),
        ):
            rows += len(self._fetch(query, params))
        self.data_seconds += time.perf_counter() - started
        self._end_request(session_data)
        return rows
