"""`make bench`: the busiest pages and the matching API against raw SQL (and the Django admin), at two scales.

Each scale has its own database beside DATABASE_URL's (safepathways_borough, safepathways_county),
because generate_borough only ever fills an empty database. For each scale a child process migrates
and generates the borough if absent, then a fresh child process measures; this process prints the
report. See bench/README.md for the options and how to read the figures.
"""

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # import bench.* as a package, never its modules as top-level names
DEFAULT_URL = "postgres://postgres@127.0.0.1:54329/safepathways"
SCALES = {"borough": 20_000, "county": 200_000}
TARGET_RATIO = 2.0


def env_default(name: str, default: str) -> str:
    return os.environ.get(name) or default


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--scales",
        default=env_default("BENCH_SCALES", "borough,county"),
        help="comma-separated scales to run, from borough, county (env BENCH_SCALES)",
    )
    parser.add_argument(
        "--people",
        default=env_default("BENCH_PEOPLE", ""),
        help="people per scale, e.g. 'borough=20000,county=200000' (env BENCH_PEOPLE)",
    )
    parser.add_argument("--reps", type=int, default=int(env_default("BENCH_REPS", "30")), help="env BENCH_REPS")
    parser.add_argument("--warmup", type=int, default=int(env_default("BENCH_WARMUP", "3")), help="env BENCH_WARMUP")
    parser.add_argument(
        "--keep",
        action="store_true",
        default=env_default("BENCH_KEEP", "0").lower() in {"1", "true", "yes"},
        help="use existing scale databases whatever their size (env BENCH_KEEP=1); otherwise one "
        "with a different number of people is dropped and generated again",
    )
    parser.add_argument("--show-sql", action="store_true", help="print the SQL each page runs")
    parser.add_argument("--worker", choices=["prepare", "sweep", "incident", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--scale", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def people_per_scale(args: argparse.Namespace) -> dict[str, int]:
    wanted = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in SCALES]
    if unknown or not wanted:
        sys.exit(f"unknown scale(s) {unknown}; choose from {', '.join(SCALES)}")
    sizes = dict(SCALES)
    for item in filter(None, (p.strip() for p in args.people.split(","))):
        name, _, count = item.partition("=")
        if name not in SCALES or not count.replace("_", "").isdigit():
            sys.exit(f"--people expects scale=count pairs such as county=200000, not {item!r}")
        sizes[name] = int(count.replace("_", ""))
    return {name: sizes[name] for name in wanted}


# Databases (this process does not load Django) ----------------------------------------------------
def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def scale_url(base_url: str, scale: str) -> str:
    base_name = urlsplit(base_url).path.lstrip("/") or "safepathways"
    return with_database(base_url, f"{base_name}_{scale}")


def ensure_database(url: str, people: int, keep: bool) -> str:
    """Create the scale's database if absent; drop one holding a different number of people unless keep."""
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return f"created database {name}"
        with psycopg.connect(url, autocommit=True) as conn:
            has_table = conn.execute("SELECT to_regclass('people_person') IS NOT NULL").fetchone()
            row = conn.execute("SELECT count(*) FROM people_person").fetchone() if has_table and has_table[0] else None
        existing = int(row[0]) if row else 0
        if existing in (0, people) or keep:
            return f"database {name} exists ({existing:,} people): kept"
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return f"database {name} had {existing:,} people, not {people:,}: dropped and created again"


def run_worker(step: str, scale: str, url: str, people: int, args: argparse.Namespace) -> dict[str, Any]:
    """Run one step in a fresh Python process, so generation's memory never weighs on the timings."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", step, "--scale", scale]
    command += ["--people", f"{scale}={people}", "--out", str(out), "--reps", str(args.reps)]
    command += ["--warmup", str(args.warmup)] + (["--show-sql"] if args.show_sql else [])
    try:
        completed = subprocess.run(command, env={**os.environ, "DATABASE_URL": url}, cwd=ROOT, check=False)  # noqa: S603
        if completed.returncode != 0:
            sys.exit(f"bench: the {step} step for {scale} failed (exit {completed.returncode})")
        result: dict[str, Any] = json.loads(out.read_text())
        return result
    finally:
        out.unlink(missing_ok=True)


# The child process (loads Django) ------------------------------------------------------------------
def worker(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG logs every query: timings would be unfair
    hosts = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ["DJANGO_ALLOWED_HOSTS"] = f"{hosts},testserver"  # Django's test Client host
    import django

    django.setup()
    from bench import database, pages

    people = people_per_scale(argparse.Namespace(scales=args.scale, people=args.people))[args.scale]
    result: dict[str, Any]
    if args.worker == "prepare":
        result = database.prepare(people)
    elif args.worker == "sweep":
        result = database.sweep()
    elif args.worker == "incident":
        from bench import incident

        result = incident.run(reps=args.reps, warmup=args.warmup)
    else:
        url = os.environ["DATABASE_URL"]
        result = pages.run(url=url, reps=args.reps, warmup=args.warmup, show_sql=args.show_sql)
        result["facts"] = database.facts()
    Path(args.out).write_text(json.dumps(result, default=str))


# The report -----------------------------------------------------------------------------------------
def cpu_model() -> str:
    # /proc/cpuinfo is Linux-only; elsewhere fall back to what platform knows.
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def versions() -> str:
    from importlib.metadata import version

    return f"Python {platform.python_version()}, Django {version('django')}, psycopg {version('psycopg')}"


def spread(values: list[float]) -> str:
    """Half the interquartile range, as a share of the median: how noisy the figure was."""
    if len(values) < 4:
        return "-"
    low, mid, high = statistics.quantiles(values, n=4)
    return f"±{(high - low) / 2 / mid:.0%}" if mid else "-"


def fmt_ratio(page: float, raw: float) -> str:
    return f"{page / raw:.2f}x" if raw else "-"


def yes_no(value: object) -> str:
    return "-" if value is None else ("yes" if value else "NO")


def summed(cases: list[dict[str, Any]], kind: str) -> float:
    """Median over repetitions of the five searches' times added up (all from the same repetitions)."""
    per_rep = [sum(values) for values in zip(*(c["samples_ms"][kind] for c in cases), strict=True)]
    return float(statistics.median(per_rep))


GROUPS = (
    "bare", "floor", "search", "person", "waiting", "duty", "dashboard", "discharge", "young people", "continuity",
    "dols", "safeguarding", "api floor", "matches",
)  # fmt: skip
# The fixed costs: a signed-in response that does nothing, a signed-in page (the GOV.UK layout), an API request.
FLOORS = {"bare", "floor", "api floor"}
NET_MIN_MS = 0.5  # below this much raw SQL over the floor, the net ratio is noise


def floor_of(case: dict[str, Any], cases: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The floor case a case stands on: the API's for API requests, the signed-in page's otherwise."""
    if case["page"] == "bare":
        return None
    group = "api floor" if case["page"] in ("api floor", "matches") else "floor"
    return next((c for c in cases if c["page"] == group), None)


def least_ratio(case: dict[str, Any], floor: dict[str, Any]) -> float:
    """The ratio a page would have if all it adds to `floor` cost no more than the SQL it adds: (floor page + page's
    raw - floor's raw) / page's raw. Above the target, the page cannot meet it whatever its own code does."""
    page, floor_raw, raw = (
        float(x) for x in (floor["median_ms"]["page"], floor["median_ms"]["raw"], case["median_ms"]["raw"])
    )
    return (page + raw - floor_raw) / raw


def print_fixed_cost(sizes: dict[str, int], measured: dict[str, dict[str, Any]]) -> None:
    """What the fixed cost of a request leaves each page with a ratio target (bench/README.md, "The bare row")."""
    print(
        "\nWhat the fixed cost leaves. bare = a signed-in response that does nothing; floor = the search page with no"
        "\nquery (the GOV.UK layout and a small form). Both run the same two statements. 'least' is the ratio a page"
        "\nwould have if all it adds to them cost no more than the SQL it adds; above 2x, no change to the page's own"
        "\ncode can meet the target (* marks them)."
    )
    for scale in sizes:
        every = measured[scale]["cases"]
        bare = next((c for c in every if c["page"] == "bare"), None)
        floor = next((c for c in every if c["page"] == "floor"), None)
        if bare is None or floor is None:
            continue
        for c in (bare, floor):
            m = c["median_ms"]
            ratio = fmt_ratio(m["page"], m["raw"])
            print(f"  {scale:<8} {c['name']:<29} {m['page']:>6.2f} ms against {m['raw']:.2f} ms of SQL: {ratio}")
        print(f"  {'page':<29} {'scale':<8} {'ratio':>6} {'least over bare':>15} {'least over floor':>16}")
        for c in every:
            if c["page"] in FLOORS or c["page"] in ("api floor", "matches") or c.get("target_ms"):
                continue
            over_floor = least_ratio(c, floor)
            mark = " *" if over_floor > TARGET_RATIO else ""
            print(
                f"  {c['name']:<29} {scale:<8} {fmt_ratio(c['median_ms']['page'], c['median_ms']['raw']):>6} "
                f"{least_ratio(c, bare):>14.2f}x {over_floor:>15.2f}x{mark}"
            )


def net_ratio(case: dict[str, Any], floor: dict[str, Any] | None) -> str:
    """(page - floor) / (raw - raw floor): the ratio of what the page adds to the fixed cost of a request."""
    if floor is None or floor is case:
        return "-"
    page = case["median_ms"]["page"] - floor["median_ms"]["page"]
    raw = case["median_ms"]["raw"] - floor["median_ms"]["raw"]
    return f"{page / raw:.2f}x" if raw >= NET_MIN_MS and page > 0 else "-"


def target_of(case: dict[str, Any]) -> tuple[str, bool | None]:
    """The case's target in words, and whether it was met (None for the floors, which have none)."""
    m = case["median_ms"]
    if case["page"] in FLOORS:
        return "-", None
    if case.get("target_ms"):
        return f"<={case['target_ms']:.0f}ms", m["page"] <= case["target_ms"]
    return f"<={TARGET_RATIO:.0f}x", m["page"] <= TARGET_RATIO * m["raw"]


def print_report(
    sizes: dict[str, int], prepared: dict[str, dict[str, Any]], measured: dict[str, dict[str, Any]]
) -> list[str]:
    """Prints the tables; returns the lines about targets missed."""
    first = next(iter(measured.values()))
    print(f"\nPostgreSQL: {first['facts']['postgres']}, shared_buffers {first['facts']['shared_buffers']}, "
          f"fsync {first['facts']['fsync']}")  # fmt: skip
    print("\nData (generate_borough --seed 2026; VACUUM ANALYZE after generation):")
    labels = list(first["facts"]["rows"])
    print(f"  {'scale':<8} {'size':>8} {'generate':>9} {'vacuum':>7}  " + "  ".join(f"{x:>13}" for x in labels))
    for scale in sizes:
        p, f = prepared[scale], measured[scale]["facts"]
        generated = f"{p['generate_s']:.1f} s" if p.get("generated") else "reused"
        print(
            f"  {scale:<8} {f['database_size']:>8} {generated:>9} {p['vacuum_s']:>5.1f} s  "
            + "  ".join(f"{f['rows'][x]:>13,}" for x in labels)
        )

    print("\nDaily continuity sweep (manage.py sweep_gaps), in a fresh process: the first run on the generated data,")
    print("then the steady state (a second run the same day), then the same again under tracemalloc for the peak of")
    print("Python allocations (not timed). RSS = the process's maximum resident set size so far, Django included.")
    print(
        f"  {'scale':<8} {'people':>9} {'run':<7} {'seconds':>8} {'peak MB':>8} {'RSS MB':>7} {'opened':>7} "
        f"{'open gaps':>10}"
    )
    for scale in sizes:
        sweep = prepared[scale]["sweep"]
        for run in sweep["runs"]:
            seconds = "-" if run["seconds"] is None else f"{run['seconds']:.2f}"
            peak = "-" if run["peak_mb"] is None else f"{run['peak_mb']:.1f}"
            print(
                f"  {scale:<8} {sweep['people']:>9,} {run['run']:<7} {seconds:>8} {peak:>8} "
                f"{run['rss_mb']:>7.0f} {run['opened']:>7,} {run['open']:>10,}"
            )
        print(f"  {'':<8} {'':>9} open by rule: " + ", ".join(f"{k} {v:,}" for k, v in sweep["open_by_rule"].items()))

    print("\nProvider failure: everyone affected by a 120-bed home's failure, with ranked placement options from every")
    print("care home's current vacancies (bench/incident.py). selector = the data and the ranking; page = the incident")
    print("page as the contingency lead (test Client); api = GET /api/v1/continuity/incidents/<id>/affected/.")
    print(
        f"  {'scale':<8} {'people':>6} {'offered':>7} {'homes':>6} {'with beds':>9} {'queries':>7} "
        f"{'selector ms':>11} {'page ms':>8} {'p90':>6} {'api ms':>7} {'target':>7} {'met':>3}"
    )
    for scale in sizes:
        inc = prepared[scale]["incident"]
        met = inc["page"]["median_ms"] <= inc["target_ms"] and inc["api"]["median_ms"] <= inc["target_ms"]
        print(
            f"  {scale:<8} {inc['people']:>6} {inc['with_options']:>7} {inc['care_homes']:>6} "
            f"{inc['locations_with_vacancies']:>9} {inc['queries']:>7} {inc['selector']['median_ms']:>11.1f} "
            f"{inc['page']['median_ms']:>8.1f} {inc['page']['p90_ms']:>6.1f} {inc['api']['median_ms']:>7.1f} "
            f"{'<=200ms':>7} {yes_no(met):>3}"
        )

    reps, warmup = first["reps"], first["warmup"]
    print(
        f"\nMedian wall time per request, ms: {reps} interleaved repetitions after {warmup} warm-up rounds.\n"
        "  page  = Django test Client GET: as the signed-in social worker (middleware, view, template), or for\n"
        "          /api/v1/matches/ as a partner system with an API token (DRF view, JSON)\n"
        "  raw   = the same request's SQL written by hand (psycopg): session, user with memberships, the page's\n"
        "          data (API: token, its last-use stamp, memberships, the data); 'data' is the page's own\n"
        "          queries within raw. A session is written at most once a minute, so neither writes it\n"
        "  admin = the Django admin list of the same rows (change form for the person page), as a superuser\n"
        "  ratio = page / raw; net = (page - floor) / (raw - raw floor), the floor being the first row of its\n"
        "          kind (web page or API) at the same scale\n"
        f"  target = page <= {TARGET_RATIO:.0f}x raw SQL, or an absolute time (matching <= 30 ms); queries = SQL\n"
        "          statements per request (BEGIN/COMMIT not counted)\n"
        "  listed = rows the page lists (search: people, at most 50; dashboard: the number waiting; matches:\n"
        "           results); admin = rows the admin matched\n"
        "  check  = search, person page: the person looked for is shown; waiting list, duty: the same rows as\n"
        "           raw SQL in the same order (and the same total); dashboard: the same number waiting as raw\n"
        "           SQL read; DoLS tracker: the same page of requests waiting in the same order, under the same\n"
        "           number waiting; safeguarding dashboard: the same number awaiting a decision; matches: the\n"
        "           person described is the first result\n"
        "  spread = half the interquartile range of the page times, as a share of the median\n"
    )
    header = (
        f"  {'page':<29} {'scale':<8} {'page ms':>8} {'raw ms':>7} {'ratio':>6} {'net':>6} {'target':>7} "
        f"{'met':>3} {'data ms':>8} {'admin ms':>9} {'queries':>7} {'raw q':>5} {'admin q':>7} {'listed':>6} "
        f"{'admin':>5} {'check':>5} {'spread':>6}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    missed: list[str] = []
    for page in GROUPS:
        for scale in sizes:
            every = measured[scale]["cases"]
            cases = [c for c in every if c["page"] == page]
            for c in cases:
                m = c["median_ms"]
                target, met = target_of(c)
                admin_ms = f"{m['admin']:.1f}" if "admin" in m else "-"
                print(
                    f"  {c['name']:<29} {scale:<8} {m['page']:>8.1f} {m['raw']:>7.1f} "
                    f"{fmt_ratio(m['page'], m['raw']):>6} {net_ratio(c, floor_of(c, every)):>6} {target:>7} "
                    f"{yes_no(met):>3} {m['data']:>8.1f} {admin_ms:>9} {c['queries']:>7} {c['raw_statements']:>5} "
                    f"{dash(c['admin_queries']):>7} {dash(c['listed']):>6} {dash(c['admin_listed']):>5} "
                    f"{yes_no(c['found']):>5} {spread(c['samples_ms']['page']):>6}"
                )
                if met is False:
                    reached = (
                        f"{m['page']:.1f} ms" if c.get("target_ms") else fmt_ratio(m["page"], m["raw"]) + " raw SQL"
                    )
                    missed.append(f"{c['name']} at {scale}: {reached} (target {target})")
                if c["found"] is False:
                    missed.append(f"{c['name']} at {scale}: the check failed (see 'check' above)")
            if page == "search" and len(cases) > 1:
                page_ms, raw_ms = summed(cases, "page"), summed(cases, "raw")
                ok = page_ms <= TARGET_RATIO * raw_ms
                print(
                    f"  {'search: all five, summed':<29} {scale:<8} {page_ms:>8.1f} {raw_ms:>7.1f} "
                    f"{fmt_ratio(page_ms, raw_ms):>6} {'':>6} {'<=2x':>7} {yes_no(ok):>3} "
                    f"{summed(cases, 'data'):>8.1f} {summed(cases, 'admin'):>9.1f}"
                )
                if not ok:
                    missed.append(f"person search (five searches) at {scale}: {fmt_ratio(page_ms, raw_ms)} raw SQL")
    print_fixed_cost(sizes, measured)
    print("\nWhat each case asked for (the fixtures are chosen deterministically from the generated data):")
    for c in first["cases"]:
        print(f"  {c['name']:<29} {c['typed']}")

    print("\nQuery count per request, by scale (page / Django admin):")
    print(f"  {'page':<29} " + " ".join(f"{s:>14}" for s in sizes) + "  constant")
    for index, c in enumerate(first["cases"]):
        counts = [(measured[s]["cases"][index]["queries"], measured[s]["cases"][index]["admin_queries"]) for s in sizes]
        constant = "-" if len(sizes) < 2 else ("yes" if len({q for q, _ in counts}) == 1 else "NO")
        print(f"  {c['name']:<29} " + " ".join(f"{f'{q} / {dash(a)}':>14}" for q, a in counts) + f"  {constant}")
        if constant == "NO":
            missed.append(f"{c['name']}: query count changes with scale {[q for q, _ in counts]}")
        for s in sizes:
            case = measured[s]["cases"][index]
            if case["raw_statements"] != case["queries"]:
                missed.append(
                    f"{c['name']} at {s}: the page ran {case['queries']} statements but bench/rawsql.py runs "
                    f"{case['raw_statements']}; the raw SQL may be out of date with the view"
                )
    return missed


def dash(value: object) -> str:
    return "-" if value is None else str(value)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    started = time.perf_counter()
    sizes = people_per_scale(args)
    base_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    print("Safe Pathways benchmark: search, person page, waiting list, duty, dashboard and matching API")
    print(f"Machine: {os.cpu_count()} cores ({cpu_model()}), load average {load_average()} at start; {versions()}")
    prepared: dict[str, dict[str, Any]] = {}
    for scale, people in sizes.items():
        url = scale_url(base_url, scale)
        print(f"\n[{scale}: {people:,} people] {ensure_database(url, people, args.keep)}", flush=True)
        prepared[scale] = run_worker("prepare", scale, url, people, args)
        prepared[scale]["sweep"] = run_worker("sweep", scale, url, people, args)
        prepared[scale]["incident"] = run_worker("incident", scale, url, people, args)
    set_up = time.perf_counter() - started
    measured: dict[str, dict[str, Any]] = {}
    for scale, people in sizes.items():
        print(f"\n[{scale}] measuring (load average {load_average()})", flush=True)
        measured[scale] = run_worker("measure", scale, scale_url(base_url, scale), people, args)
    print(f"\nLoad average after measuring: {load_average()} (other work on the machine adds noise)")
    missed = print_report(sizes, prepared, measured)
    total = time.perf_counter() - started
    print()
    if missed:
        print("Over target:")
        for line in missed:
            print(f"  - {line}")
    else:
        print(f"Every page within its target ({TARGET_RATIO:.0f}x raw SQL, or matching within 30 ms); query counts")
        print("constant across scales.")
    print(f"\nWhole run {total:.0f} s (databases and generation {set_up:.0f} s, measuring {total - set_up:.0f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
