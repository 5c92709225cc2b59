"""One scale's database, inside Django: migrate, generate the borough if it is empty, and facts about it."""

import time
from typing import Any

from django.core.management import call_command
from django.db import connection

SEED = 2026
COUNTED_TABLES = [
    ("people", "people_person"),
    ("chronology entries", "people_chronologyentry"),
    ("services", "providers_service"),
    ("work items", "work_workitem"),
    ("contacts", "people_contact"),
    ("professionals", "people_involvement"),
    ("alerts", "people_alert"),
    ("risks", "people_risk"),
    ("access log", "audit_accessevent"),
    ("transition plans", "transitions_plan"),
    ("DoLS requests", "dols_dolsrequest"),
    ("concerns", "safeguarding_concern"),
]


def migrate() -> None:
    call_command("migrate", verbosity=0, interactive=False)


def people_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_person")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def prepare(people: int) -> dict[str, Any]:
    """Migrate, generate `people` if the database has none, then VACUUM ANALYZE; times each step."""
    result: dict[str, Any] = {"generated": False}
    started = time.perf_counter()
    migrate()
    result["migrate_s"] = time.perf_counter() - started
    existing = people_count()
    if existing == 0:
        print(f"  generating {people:,} people (generate_borough --seed {SEED}) ...", flush=True)
        started = time.perf_counter()
        call_command("generate_borough", people=people, seed=SEED, quiet_users=True)
        result["generate_s"] = time.perf_counter() - started
        result["generated"] = True
    else:
        print(f"  reusing the {existing:,} people already in the database", flush=True)
    # Fresh bulk inserts have no planner statistics and no visibility map until autovacuum gets there;
    # measure the steady state a live database is in.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    result["vacuum_s"] = time.perf_counter() - started
    result["people"] = people_count()
    return result


def sweep() -> dict[str, Any]:
    """Run the daily continuity sweep: the first run opens the gaps, the second is the steady state (a day with
    nothing new), the third repeats the second under tracemalloc for the peak of Python allocations (tracing
    slows it, so its time is not reported)."""
    import resource
    import tracemalloc

    from safepathways.transitions.services import sweep_gaps

    runs = []
    open_by_rule: dict[str, int] = {}
    for label in ("first", "steady", "traced"):
        if label == "traced":
            tracemalloc.start()
        started = time.perf_counter()
        result = sweep_gaps()
        seconds = time.perf_counter() - started
        peak = None
        if label == "traced":
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        open_by_rule = result.open_by_rule
        runs.append(
            {
                "run": label,
                "seconds": None if label == "traced" else seconds,
                "peak_mb": peak,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "opened": result.opened,
                "open": sum(result.open_by_rule.values()),
            }
        )
    return {"people": people_count(), "runs": runs, "open_by_rule": open_by_rule}


def facts() -> dict[str, Any]:
    """Row counts and server facts, printed with the results."""
    out: dict[str, Any] = {"rows": {}}
    with connection.cursor() as cursor:
        for label, table in COUNTED_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            row = cursor.fetchone()
            out["rows"][label] = int(row[0]) if row else 0
        cursor.execute("SELECT version(), current_setting('shared_buffers'), current_setting('fsync')")
        version, shared_buffers, fsync = cursor.fetchone() or ("?", "?", "?")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()
    out["postgres"] = str(version).split(" on ")[0]
    out["shared_buffers"] = shared_buffers
    out["fsync"] = fsync
    out["database_size"] = size[0] if size else "?"
    return out
