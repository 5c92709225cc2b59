"""The pages measured, their raw SQL and Django admin equivalents, and the interleaved timing loop."""

import gc
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.rawsql import RawClient
from safepathways.accounts.models import User
from safepathways.people.models import Person, name_key

SOCIAL_WORKER = "sam.social-worker@camden.example"  # neighbourhood-north-west, role social worker
ADMINISTRATOR = "admin@camden.example"  # superuser; the admin needs a verified second factor
ADMIN_PEOPLE = "/django-admin/people/person/"
KINDS = ("page", "raw", "admin")
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)


@dataclass
class Case:
    name: str  # e.g. "search: misspelt surname"
    page: str  # "search" or "person"
    typed: str  # what the user asked for, shown in the report
    url: str
    params: dict[str, str]
    admin_url: str
    admin_params: dict[str, str]
    raw: Callable[[RawClient], int]
    expect_reference: str = ""  # a reference the page should list (search) or show (person page)
    samples: dict[str, list[float]] = field(default_factory=lambda: {"page": [], "raw": [], "admin": [], "data": []})


@dataclass
class Fixtures:
    worker: User
    admin: User
    common_surname: str
    misspelt_surname: str
    misspelt_of: str
    target: Person
    typical: Person


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
    return Fixtures(worker, admin, frequent[0], misspelt, misspelt_of, target, typical)


def _date_params(day: date) -> dict[str, str]:
    return {
        "date_of_birth_day": str(day.day),
        "date_of_birth_month": str(day.month),
        "date_of_birth_year": str(day.year),
    }


def build_cases(f: Fixtures) -> list[Case]:
    """Five realistic searches and one person page, each with its raw SQL and its Django admin equivalent.

    The first case is the floor: the search page with no query runs only the signed-in request's own SQL
    (session, user, second factor, memberships, session save), so its ratio is the fixed cost of a page.

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

    typical_id: UUID = f.typical.pk
    return [
        Case(
            "floor: search form, no query", "floor", "GET /people/ with no query",
            "/people/", {},
            ADMIN_PEOPLE, {},
            lambda raw: raw.signed_in_only(),
        ),
        Case(
            "search: common surname", "search", f"q={f.common_surname!r}",
            "/people/", {"q": f.common_surname},
            ADMIN_PEOPLE, {"q": surname},
            search(f.common_surname),
        ),
        Case(
            "search: misspelt surname", "search", f"q={f.misspelt_surname!r} (for {f.misspelt_of})",
            "/people/", {"q": f.misspelt_surname},
            ADMIN_PEOPLE, {"q": f.misspelt_of.lower()},
            search(f.misspelt_surname),
        ),
        Case(
            "search: surname first", "search", f"q={t.family_name + ' ' + t.given_name!r}",
            "/people/", {"q": f"{t.family_name} {t.given_name}"},
            ADMIN_PEOPLE, {"q": surname, "given_name": t.given_name},
            search(f"{t.family_name} {t.given_name}"),
            expect_reference=t.reference,
        ),
        Case(
            "search: NHS number", "search", f"q={nhs!r}",
            "/people/", {"q": nhs},
            ADMIN_PEOPLE, {"q": t.nhs_number},
            search(nhs),
            expect_reference=t.reference,
        ),
        Case(
            "search: surname + birth date", "search", f"q={t.family_name!r} born {dob.isoformat()}",
            "/people/", {"q": t.family_name, **_date_params(dob)},
            ADMIN_PEOPLE, {"q": surname, "date_of_birth": dob.isoformat()},
            search(t.family_name, dob),
            expect_reference=t.reference,
        ),
        Case(
            "person page", "person", f"{f.typical.reference} (service, contact, GP)",
            f"/people/{typical_id}/", {},
            f"{ADMIN_PEOPLE}{typical_id}/change/", {},
            lambda raw: raw.person_page(typical_id),
            expect_reference=f.typical.reference,
        ),
    ]  # fmt: skip


def signed_in_clients(f: Fixtures) -> tuple[Client, Client]:
    """The social worker's client, and the administrator's with a verified second factor."""
    backend = "django.contrib.auth.backends.ModelBackend"
    worker = Client()
    worker.force_login(f.worker, backend=backend)
    device = TOTPDevice.objects.filter(user=f.admin, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=f.admin, name="benchmark", confirmed=True)
    admin = Client()
    admin.force_login(f.admin, backend=backend)
    session = admin.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return worker, admin


def _count(html: str, pattern: str) -> int | None:
    match = re.search(pattern, html)
    if match is None:
        return None
    return int(match.group(1)) if match.group(1).isdigit() else 0


def _statements(captured: list[dict[str, Any]]) -> list[str]:
    return [q["sql"] for q in captured if not TRANSACTION_CONTROL.match(q["sql"])]


def check_and_count(case: Case, worker: Client, admin: Client, raw: RawClient, show_sql: bool) -> dict[str, Any]:
    """Outside the timing: status codes, rows listed, whether the expected person is there, query counts."""
    with CaptureQueriesContext(connection) as page_queries:
        response = worker.get(case.url, case.params)
    if response.status_code != 200:
        raise RuntimeError(f"{case.name}: {case.url} answered {response.status_code}")
    html = response.content.decode()
    with CaptureQueriesContext(connection) as admin_queries:
        admin_response = admin.get(case.admin_url, case.admin_params)
    if admin_response.status_code != 200:
        raise RuntimeError(f"{case.name}: {case.admin_url} answered {admin_response.status_code}")
    admin_html = admin_response.content.decode()
    raw.statements = 0
    raw_rows = case.raw(raw)
    page_sql = _statements(page_queries.captured_queries)
    if show_sql:
        print(f"\n  SQL of {case.name} ({case.url}):")
        for sql in page_sql:
            print(f"    {sql[:300]}")
    found = case.expect_reference in html if case.expect_reference else None
    return {
        "queries": len(page_sql),
        "queries_with_transaction": len(page_queries.captured_queries),
        "admin_queries": len(_statements(admin_queries.captured_queries)),
        "raw_statements": raw.statements,
        "raw_rows": raw_rows,
        "listed": _count(html, r"(\d+|No one) (?:person|people)? ?found") if case.page == "search" else None,
        "admin_listed": _count(admin_html, r"(\d+) results? \(") if case.page == "search" else None,
        "found": found,
        "admin_found": (case.expect_reference in admin_html) if case.expect_reference else None,
    }


def measure(cases: list[Case], worker: Client, admin: Client, raw: RawClient, *, reps: int, warmup: int) -> None:
    """Interleaved: each repetition runs every case's page, raw SQL and admin, in a rotating order."""
    runners: dict[str, Callable[[Case], object]] = {
        "page": lambda case: worker.get(case.url, case.params),
        "raw": lambda case: case.raw(raw),
        "admin": lambda case: admin.get(case.admin_url, case.admin_params),
    }
    for rep in range(warmup + reps):
        gc.collect()
        for index, case in enumerate(cases):
            shift = (rep + index) % len(KINDS)
            for kind in KINDS[shift:] + KINDS[:shift]:
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
    fixtures = load_fixtures()
    cases = build_cases(fixtures)
    worker, admin = signed_in_clients(fixtures)
    session_key = worker.session.session_key
    assert session_key is not None
    raw = RawClient(url, session_key=session_key, user_id=fixtures.worker.pk)
    try:
        checks = {case.name: check_and_count(case, worker, admin, raw, show_sql) for case in cases}
        measure(cases, worker, admin, raw, reps=reps, warmup=warmup)
    finally:
        raw.close()
    results = []
    for case in cases:
        medians = {kind: statistics.median(values) * 1000 for kind, values in case.samples.items()}
        results.append(
            {
                "name": case.name,
                "page": case.page,
                "typed": case.typed,
                "median_ms": medians,
                "samples_ms": {kind: [v * 1000 for v in values] for kind, values in case.samples.items()},
                **checks[case.name],
            }
        )
    return {"cases": results, "reps": reps, "warmup": warmup}
