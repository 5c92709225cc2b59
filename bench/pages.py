"""The pages measured, their raw SQL and Django admin equivalents, and the interleaved timing loop."""

import gc
import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.rawsql import Evidence, RawClient
from safepathways.accounts.models import ApiToken, Team, User
from safepathways.people.models import Person, name_key
from safepathways.work.models import Priority

SOCIAL_WORKER = "sam.social-worker@camden.example"  # neighbourhood-north-west, role social worker
HOSPITAL_WORKER = "hana.hospital@camden.example"  # hospital social work (Royal Free): the discharge board
TRANSITIONS_WORKER = "tom.transitions@camden.example"  # the transitions team: the young people tracker
DOLS_LEAD = "dee.dols@camden.example"  # the DoLS team's lead: the DoLS tracker
SAFEGUARDING_LEAD = "sol.safeguarding@camden.example"  # the safeguarding team's lead: the safeguarding dashboard
ADMINISTRATOR = "admin@camden.example"  # superuser; the admin needs a verified second factor
API_CALLER = "farah.frontdoor@camden.example"  # front-door officer: council staff may find matches
API_CLIENT_NAME = "benchmark"
TEAM = "neighbourhood-north-west"  # Sam's team: the team the filtered waiting list, duty and dashboard show
ADMIN_PEOPLE = "/django-admin/people/person/"
KINDS = ("page", "raw", "admin")
MATCH_TARGET_MS = 30.0  # GET /api/v1/matches/ among 200,000 people (the target)
BARE_URL = "/bench/signed-in/"  # served only under bench.urls (ROOT_URLCONF while measuring)
BENCH_URLCONF = "bench.urls"
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)


Check = Callable[[str, Any], bool | None]  # (the page's body, what raw SQL returned) -> agrees?
Listed = Callable[[str], int | None]  # the page's body -> how many rows it lists


@dataclass
class Case:
    name: str  # e.g. "search: misspelt surname"
    page: str  # the group it is reported in: floor, search, person, waiting, duty, dashboard, api floor, matches
    typed: str  # what the user asked for, shown in the report
    url: str
    params: dict[str, str]
    raw: Callable[[RawClient], Any]
    admin_url: str | None = None  # the Django admin request listing the same rows, if there is one
    admin_params: dict[str, str] = field(default_factory=dict)
    client: str = "worker"  # "worker", "hospital", "transitions", "dols", "safeguarding" (sessions) or "api" (token)
    listed: Listed | None = None
    check: Check | None = None  # None: nothing to check (the floors)
    target_ms: float | None = None  # an absolute target (matching); otherwise page <= 2x raw SQL
    samples: dict[str, list[float]] = field(default_factory=lambda: {"page": [], "raw": [], "admin": [], "data": []})


@dataclass
class Fixtures:
    worker: User
    admin: User
    api_caller: User
    team: Team
    common_surname: str
    misspelt_surname: str
    misspelt_of: str
    target: Person
    typical: Person
    target_misspelt: str  # the target's surname with a typing slip


def _misspelling(surnames: list[str], existing: set[str]) -> tuple[str, str]:
    """A frequent surname and a plausible misspelling of it that sounds the same (same phonetic key)."""
    rules = [("mith", "myth"), ("i", "y"), ("y", "i"), ("ie", "i"), ("mps", "ms"), ("ay", "ai"), ("ai", "ay")]
    for surname in surnames:
        for wrong, right in rules:
            variant = surname.replace(wrong, right, 1)
            if variant != surname and variant not in existing and name_key(variant) == name_key(surname):
                return surname, variant
        for index in range(1, len(surname) - 1):
            if surname[index] == surname[index + 1]:
                variant = surname[:index] + surname[index + 1 :]
                if variant not in existing and name_key(variant) == name_key(surname):
                    return surname, variant
    return surnames[0], surnames[0]


def load_fixtures() -> Fixtures:
    """Chooses, deterministically, the users, surnames and people the cases use."""
    worker = User.objects.get(email=SOCIAL_WORKER)
    admin = User.objects.get(email=ADMINISTRATOR)
    frequent = [
        row["family_name"]
        for row in Person.objects.values("family_name").annotate(n=Count("id")).order_by("-n", "family_name")[:20]
    ]
    existing = set(Person.objects.values_list("family_name", flat=True).distinct())
    misspelt_of, misspelt = _misspelling(frequent, existing)
    target = (
        Person.objects.filter(
            family_name=frequent[0], nhs_number__isnull=False, date_of_birth__isnull=False, is_restricted=False
        )
        .order_by("reference")
        .first()
    )
    today = timezone.localdate()
    # A typical record the social worker's team works with: a current service, a contact and a GP.
    typical = (
        Person.objects.filter(
            is_restricted=False,
            services__team_id__in=worker.team_ids,
            services__start_on__lte=today,
            services__end_on__isnull=True,
            contacts__ended_at__isnull=True,
            involvements__isnull=False,
        )
        .order_by("reference")
        .distinct()
        .first()
    )
    if target is None or typical is None:
        raise RuntimeError("the generated borough has no suitable people to measure")
    api_caller = User.objects.get(email=API_CALLER)
    team = Team.objects.get(slug=TEAM)
    return Fixtures(
        worker, admin, api_caller, team, frequent[0], misspelt, misspelt_of, target, typical, _slip(target.family_name)
    )


def _slip(surname: str) -> str:
    """A typing slip in a surname: a doubled letter typed once, else a vowel or y/i swapped, else a letter lost."""
    for index in range(1, len(surname) - 1):
        if surname[index] == surname[index + 1]:
            return surname[:index] + surname[index + 1 :]
    for wrong, right in (("y", "i"), ("i", "y"), ("e", "a"), ("a", "e"), ("o", "u")):
        if wrong in surname[1:]:
            at = surname.index(wrong, 1)
            return surname[:at] + right + surname[at + 1 :]
    return surname[:-2] + surname[-1:]


def _date_params(day: date) -> dict[str, str]:
    return {
        "date_of_birth_day": str(day.day),
        "date_of_birth_month": str(day.month),
        "date_of_birth_year": str(day.year),
    }


def _search_listed(html: str) -> int | None:
    return _count(html, r"(\d+|No one) (?:person|people)? ?found")


def _shows(reference: str) -> Check:
    return lambda html, _raw: reference in html


WORK_ITEM_LINK = re.compile(r'href="/work/items/([0-9a-f-]{36})/"')


def _work_rows(html: str) -> list[UUID]:
    return [UUID(pk) for pk in WORK_ITEM_LINK.findall(html)]


def _same_waiting_page(html: str, raw: tuple[int, list[UUID]]) -> bool:
    """The page lists the rows raw SQL read, in the same order, under the same total."""
    total, rows = raw
    return _work_rows(html) == rows and _count(html, r"(\d+) waiting</caption>") == total


def _same_duty_rows(html: str, raw: tuple[int, list[UUID]]) -> bool:
    """The first page lists the rows raw SQL read, in the same order, under the same total."""
    total, rows = raw
    return _work_rows(html) == rows and _count(html, r"(\d+) unallocated</caption>") == total


def _board_rows(html: str) -> int:
    return len(re.findall(r'href="/discharge/referrals/[0-9a-f-]{36}/"', html))


def _tracker_total(html: str) -> int | None:
    return _count(html, r"(\d+) young (?:people|person)")


def _same_board(html: str, raw: int) -> bool:
    return _board_rows(html) == raw


def _same_tracker(html: str, raw: int) -> bool:
    return _tracker_total(html) == raw


def _gap_rows(html: str) -> list[UUID]:
    return [UUID(found) for found in re.findall(r'<tr class="govuk-table__row" id="gap-([0-9a-f-]{36})">', html)]


def _same_gaps(html: str, raw: tuple[int, list[UUID]]) -> bool:
    count, ids = raw
    return _gap_rows(html) == ids and f"{count} open gap" in html


DOLS_REQUEST_LINK = re.compile(r'href="/dols/requests/([0-9a-f-]{36})/"')


def _dols_waiting(html: str) -> int | None:
    return _count(html, r"Waiting for a decision\s*</dt>\s*<dd[^>]*>\s*(\d+)")


def _dols_page_rows(html: str) -> list[UUID]:
    """The requests in the tracker's waiting table (the authorisation tables come after it)."""
    waiting_table = html.split(">Authorisations ending in the next 28 days", 1)[0]
    return [UUID(pk) for pk in DOLS_REQUEST_LINK.findall(waiting_table)]


def _same_dols_page(html: str, raw: tuple[int, list[UUID]]) -> bool:
    """The tracker lists the requests raw SQL read, in the same order, under the same number waiting."""
    total, rows = raw
    return _dols_page_rows(html) == rows and _dols_waiting(html) == total


def _concerns_awaiting(html: str) -> int | None:
    return _count(html, r"Concerns awaiting a decision\s*</dt>\s*<dd[^>]*>\s*(\d+)")


def _same_concerns_awaiting(html: str, raw: int) -> bool:
    return _concerns_awaiting(html) == raw


def _dashboard_waiting(html: str) -> int | None:
    return _count(html, r"Waiting\s*</dt>\s*<dd[^>]*>\s*(\d+)")


def _same_waiting_total(html: str, raw: int) -> bool:
    return _dashboard_waiting(html) == raw


def _match_ids(body: str) -> list[UUID]:
    return [UUID(result["id"]) for result in json.loads(body)["results"]]


def _first_match(person: Person) -> Check:
    """The person described is the first match, and every match came from raw SQL's blocks."""
    return lambda body, raw: (
        bool(_match_ids(body)) and _match_ids(body)[0] == person.pk and set(_match_ids(body)) <= set(raw)
    )


def _match_count(body: str) -> int:
    return int(json.loads(body)["count"])


def build_cases(f: Fixtures) -> list[Case]:
    """The cases, each with its raw SQL, and for search and the person page the Django admin equivalent.

    The first two cases are the floors. The bare row is a signed-in response that does nothing (bench/urls.py): the
    framework's share of every request. The floor is the search page with no query: it runs only the signed-in
    request's own SQL (the session, then the user with their memberships), so its ratio is the fixed cost of a page,
    the GOV.UK layout included. Both have the same raw SQL. The API has its
    own floor: a match request whose evidence (a surname alone) gives no block to search, so it runs only
    the token check and the memberships.

    The admin searches its own search_fields (family_name_lower, reference, nhs_number; icontains) and
    knows no phonetic keys, so it is given the query that lists the same people: the correct spelling,
    and the first name or date of birth as a field filter.
    """
    t = f.target
    assert t.nhs_number
    assert t.date_of_birth
    nhs = f"{t.nhs_number[:3]} {t.nhs_number[3:6]} {t.nhs_number[6:]}"
    dob = t.date_of_birth
    surname = f.common_surname.lower()

    def search(text: str, day: date | None = None) -> Callable[[RawClient], int]:
        return lambda raw: raw.search(text, day)

    def matches(evidence: Evidence) -> Callable[[RawClient], list[UUID]]:
        return lambda raw: raw.matches(evidence)

    typical_id: UUID = f.typical.pk
    team_id: UUID = f.team.pk
    by_name = Evidence(given_name=t.given_name, family_name=t.family_name, date_of_birth=dob)
    by_nhs = Evidence(nhs_number=nhs)
    by_slip = Evidence(given_name=t.given_name, family_name=f.target_misspelt, postcode=t.postcode)
    matched = _first_match(t)
    return [
        Case(
            "bare: signed in, no page", "bare", "GET /bench/signed-in/ (bench/urls.py): plain text, nothing of its own",
            BARE_URL, {},
            lambda raw: raw.signed_in_only(),
            check=lambda body, _raw: body == "Signed in",
        ),
        Case(
            "floor: search form, no query", "floor", "GET /people/ with no query",
            "/people/", {},
            lambda raw: raw.signed_in_only(),
            ADMIN_PEOPLE, {},
        ),
        Case(
            "search: common surname", "search", f"q={f.common_surname!r}",
            "/people/", {"q": f.common_surname},
            search(f.common_surname),
            ADMIN_PEOPLE, {"q": surname},
            listed=_search_listed,
        ),
        Case(
            "search: misspelt surname", "search", f"q={f.misspelt_surname!r} (for {f.misspelt_of})",
            "/people/", {"q": f.misspelt_surname},
            search(f.misspelt_surname),
            ADMIN_PEOPLE, {"q": f.misspelt_of.lower()},
            listed=_search_listed,
        ),
        Case(
            "search: surname first", "search", f"q={t.family_name + ' ' + t.given_name!r}",
            "/people/", {"q": f"{t.family_name} {t.given_name}"},
            search(f"{t.family_name} {t.given_name}"),
            ADMIN_PEOPLE, {"q": surname, "given_name": t.given_name},
            listed=_search_listed, check=_shows(t.reference),
        ),
        Case(
            "search: NHS number", "search", f"q={nhs!r}",
            "/people/", {"q": nhs},
            search(nhs),
            ADMIN_PEOPLE, {"q": t.nhs_number},
            listed=_search_listed, check=_shows(t.reference),
        ),
        Case(
            "search: surname + birth date", "search", f"q={t.family_name!r} born {dob.isoformat()}",
            "/people/", {"q": t.family_name, **_date_params(dob)},
            search(t.family_name, dob),
            ADMIN_PEOPLE, {"q": surname, "date_of_birth": dob.isoformat()},
            listed=_search_listed, check=_shows(t.reference),
        ),
        Case(
            "person page", "person", f"{f.typical.reference} (service, contact, GP)",
            f"/people/{typical_id}/", {},
            lambda raw: raw.person_page(typical_id),
            f"{ADMIN_PEOPLE}{typical_id}/change/", {},
            check=_shows(f.typical.reference),
        ),
        Case(
            "waiting list: first page", "waiting", "GET /work/waiting-list/, no filter (page 1 of 50)",
            "/work/waiting-list/", {},
            lambda raw: raw.waiting_list(),
            listed=lambda html: len(_work_rows(html)), check=_same_waiting_page,
        ),
        Case(
            "waiting list: team + red", "waiting", f"team={f.team.name} (by id), priority=red",
            "/work/waiting-list/", {"team": str(team_id), "priority": Priority.RED},
            lambda raw: raw.waiting_list(team_id, Priority.RED),
            listed=lambda html: len(_work_rows(html)), check=_same_waiting_page,
        ),
        Case(
            "duty view: own team", "duty", f"GET /work/duty/: {f.team.name}, the worker's team (the first 50 rows)",
            "/work/duty/", {},
            lambda raw: raw.duty(),
            listed=lambda html: len(_work_rows(html)), check=_same_duty_rows,
        ),
        Case(
            "dashboard: whole service", "dashboard", "GET /dashboard/",
            "/dashboard/", {},
            lambda raw: raw.dashboard(),
            listed=_dashboard_waiting, check=_same_waiting_total,
        ),
        Case(
            "dashboard: one team", "dashboard", f"team={f.team.slug}",
            "/dashboard/", {"team": f.team.slug},
            lambda raw: raw.dashboard(team_id, f.team.slug),
            listed=_dashboard_waiting, check=_same_waiting_total,
        ),
        Case(
            "discharge board", "discharge", "GET /discharge/ as the hospital social worker (every open referral)",
            "/discharge/", {},
            lambda raw: raw.discharge_board(),
            client="hospital", listed=_board_rows, check=_same_board,
        ),
        Case(
            "young people tracker", "young people", "GET /young-people/ as the transitions worker (page 1)",
            "/young-people/", {},
            lambda raw: raw.young_people(),
            client="transitions", listed=_tracker_total, check=_same_tracker,
        ),
        Case(
            "continuity view", "continuity", "GET /transitions/continuity/, no filter (page 1 of open gaps)",
            "/transitions/continuity/", {},
            lambda raw: raw.continuity(),
            listed=lambda html: len(_gap_rows(html)), check=_same_gaps,
        ),
        Case(
            "DoLS tracker", "dols", "GET /dols/ as the DoLS lead (page 1 of the requests waiting)",
            "/dols/", {},
            lambda raw: raw.dols_tracker(),
            client="dols", listed=lambda html: len(_dols_page_rows(html)), check=_same_dols_page,
        ),
        Case(
            "safeguarding dashboard", "safeguarding", "GET /safeguarding/ as the safeguarding lead",
            "/safeguarding/", {},
            lambda raw: raw.safeguarding_dashboard(),
            client="safeguarding", listed=_concerns_awaiting, check=_same_concerns_awaiting,
        ),
        Case(
            "api floor: no block to read", "api floor", "GET /api/v1/matches/?family_name=Zyx (a surname alone)",
            "/api/v1/matches/", {"family_name": "Zyx"},
            lambda raw: raw.api_only(),
            client="api", listed=_match_count,
        ),
        Case(
            "matches: name + birth date", "matches",
            f"{t.given_name} {t.family_name}, born {dob.isoformat()}",
            "/api/v1/matches/", by_name.params(),
            matches(by_name),
            client="api", listed=_match_count, check=matched, target_ms=MATCH_TARGET_MS,
        ),
        Case(
            "matches: NHS number", "matches", f"nhs_number={nhs!r}",
            "/api/v1/matches/", by_nhs.params(),
            matches(by_nhs),
            client="api", listed=_match_count, check=matched, target_ms=MATCH_TARGET_MS,
        ),
        Case(
            "matches: misspelt + postcode", "matches",
            f"{t.given_name} {f.target_misspelt} (for {t.family_name}), {t.postcode}",
            "/api/v1/matches/", by_slip.params(),
            matches(by_slip),
            client="api", listed=_match_count, check=matched, target_ms=MATCH_TARGET_MS,
        ),
    ]  # fmt: skip


def _password_backend() -> str:
    """The configured backend that signs staff in (a ModelBackend), as the sign-in page would record it."""
    for path in settings.AUTHENTICATION_BACKENDS:
        backend = import_string(path)
        if isinstance(backend, type) and issubclass(backend, ModelBackend):
            return str(path)
    raise RuntimeError("no ModelBackend in AUTHENTICATION_BACKENDS to sign the benchmark users in with")


@dataclass
class Clients:
    worker: Client  # the social worker, signed in (session cookie)
    admin: Client  # the administrator, signed in with a verified second factor
    api: Client  # a partner system calling the API as the front-door officer (Authorization: Token)
    api_key: str
    others: dict[str, Client] = field(default_factory=dict)  # other signed-in staff, by Case.client

    def get(self, case: Case) -> Any:
        client = self.api if case.client == "api" else self.others.get(case.client, self.worker)
        return client.get(case.url, case.params)


def signed_in_clients(f: Fixtures) -> Clients:
    """The social worker's client, the administrator's with a verified second factor, and an API client."""
    backend = _password_backend()
    worker = Client()
    worker.force_login(f.worker, backend=backend)
    # The session's first request looks for an authenticator and remembers the answer in the session
    # (SecondFactorRequiredMiddleware); make it here, so every measured request is a steady-state one.
    worker.get("/")
    device = TOTPDevice.objects.filter(user=f.admin, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=f.admin, name="benchmark", confirmed=True)
    admin = Client()
    admin.force_login(f.admin, backend=backend)
    session = admin.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    # A fresh token each run: only a hash of the key is stored, so an earlier run's key is unknown.
    ApiToken.objects.filter(user=f.api_caller, name=API_CLIENT_NAME).delete()
    key = ApiToken.new_key()
    ApiToken.objects.create(user=f.api_caller, name=API_CLIENT_NAME, prefix=key[:8], key_hash=ApiToken.hash_key(key))
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    others = {}
    for name, email in (
        ("hospital", HOSPITAL_WORKER),
        ("transitions", TRANSITIONS_WORKER),
        ("dols", DOLS_LEAD),
        ("safeguarding", SAFEGUARDING_LEAD),
    ):
        other = Client()
        other.force_login(User.objects.get(email=email), backend=backend)
        other.get("/")
        others[name] = other
    return Clients(worker, admin, api, key, others)


def _count(html: str, pattern: str) -> int | None:
    match = re.search(pattern, html)
    if match is None:
        return None
    return int(match.group(1)) if match.group(1).isdigit() else 0


def _statements(captured: list[dict[str, Any]]) -> list[str]:
    return [q["sql"] for q in captured if not TRANSACTION_CONTROL.match(q["sql"])]


def check_and_count(case: Case, clients: Clients, raw: RawClient, show_sql: bool) -> dict[str, Any]:
    """Outside the timing: status codes, rows listed, whether the page agrees with raw SQL, query counts.

    The page is asked for once first: the steady state is what is counted (the young people tracker, for one,
    works out and keeps stale rows' urgency on the first look of the day)."""
    clients.get(case)
    with CaptureQueriesContext(connection) as page_queries:
        response = clients.get(case)
    if response.status_code != 200:
        raise RuntimeError(f"{case.name}: {case.url} answered {response.status_code}")
    body = response.content.decode()
    admin_queries: int | None = None
    admin_listed: int | None = None
    if case.admin_url is not None:
        with CaptureQueriesContext(connection) as captured:
            admin_response = clients.admin.get(case.admin_url, case.admin_params)
        if admin_response.status_code != 200:
            raise RuntimeError(f"{case.name}: {case.admin_url} answered {admin_response.status_code}")
        admin_queries = len(_statements(captured.captured_queries))
        if case.page == "search":
            admin_listed = _count(admin_response.content.decode(), r"(\d+) results? \(")
    raw.statements = 0
    raw_result = case.raw(raw)
    page_sql = _statements(page_queries.captured_queries)
    if show_sql:
        print(f"\n  SQL of {case.name} ({case.url} {case.params}):")
        for sql in page_sql:
            print(f"    {sql[:300]}")
    return {
        "queries": len(page_sql),
        "queries_with_transaction": len(page_queries.captured_queries),
        "admin_queries": admin_queries,
        "raw_statements": raw.statements,
        "listed": case.listed(body) if case.listed else None,
        "admin_listed": admin_listed,
        "found": case.check(body, raw_result) if case.check else None,
    }


def measure(cases: list[Case], clients: Clients, raws: dict[str, RawClient], *, reps: int, warmup: int) -> None:
    """Interleaved: each repetition runs every case's page, raw SQL and admin, in a rotating order."""
    runners: dict[str, Callable[[Case], object]] = {
        "page": clients.get,
        "raw": lambda case: case.raw(raws.get(case.client, raws["worker"])),
        "admin": lambda case: clients.admin.get(case.admin_url or "", case.admin_params),
    }
    for rep in range(warmup + reps):
        gc.collect()
        for index, case in enumerate(cases):
            shift = (rep + index) % len(KINDS)
            for kind in KINDS[shift:] + KINDS[:shift]:
                if kind == "admin" and case.admin_url is None:
                    continue
                raw = raws.get(case.client, raws["worker"])
                raw.data_seconds = 0.0
                started = time.perf_counter()
                runners[kind](case)
                elapsed = time.perf_counter() - started
                if rep >= warmup:
                    case.samples[kind].append(elapsed)
                    if kind == "raw":
                        case.samples["data"].append(raw.data_seconds)
        if rep + 1 == warmup or (rep >= warmup and (rep - warmup + 1) % 10 == 0):
            print(f"  {'warm-up done' if rep + 1 == warmup else f'{rep - warmup + 1}/{reps} repetitions'}", flush=True)


def run(*, url: str, reps: int, warmup: int, show_sql: bool) -> dict[str, Any]:
    """Measure every case at the database Django is configured with; returns figures for the report."""
    assert not settings.DEBUG, "DEBUG must be off: it logs every query and slows every page"
    # The project's URLs plus the bare signed-in response (bench/urls.py), for this process only.
    override_settings(ROOT_URLCONF=BENCH_URLCONF).enable()
    fixtures = load_fixtures()
    cases = build_cases(fixtures)
    clients = signed_in_clients(fixtures)
    session_key = clients.worker.session.session_key
    assert session_key is not None
    raw = RawClient(url, session_key=session_key, user_id=fixtures.worker.pk, api_key=clients.api_key)
    raws = {"worker": raw, "api": raw}
    for name, other in clients.others.items():
        key = other.session.session_key
        assert key is not None
        user_id = int(other.session["_auth_user_id"])
        raws[name] = RawClient(url, session_key=key, user_id=user_id)
    try:
        checks = {case.name: check_and_count(case, clients, raws.get(case.client, raw), show_sql) for case in cases}
        measure(cases, clients, raws, reps=reps, warmup=warmup)
    finally:
        for client in set(raws.values()):
            client.close()
    results = []
    for case in cases:
        medians = {kind: statistics.median(values) * 1000 for kind, values in case.samples.items() if values}
        results.append(
            {
                "name": case.name,
                "page": case.page,
                "typed": case.typed,
                "target_ms": case.target_ms,
                "median_ms": medians,
                "samples_ms": {kind: [v * 1000 for v in values] for kind, values in case.samples.items()},
                **checks[case.name],
            }
        )
    return {"cases": results, "reps": reps, "warmup": warmup}
