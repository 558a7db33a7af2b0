"""Benchmark of reports, selections and exports (issue 5): ``make bench-reports`` /
``REPORTS_BENCH_ARGS=...``.

1. A template database with N borrowers and M messages. It is reused when a template
   of that name (default ``lidgeld_bench_reports``) exists and was made with the same
   N, M and open-item minimum. Otherwise it is made from a clone of the tick
   benchmark's template ``lidgeld_bench`` when that exists with N borrowers
   (``make bench BENCH_ARGS=--keep`` leaves one), or generated with bench/datagen.py.
   Then, all set-based: open contribution items up to the minimum (100,000), and the
   notices of the 24 months before the benchmark day up to M messages (CAE on the
   1st of each month for ≈ 1/12 of the borrowers, renewal confirmations, reminder and
   unpaid notices), followed by VACUUM ANALYZE.
2. A working copy of the template. Each measurement runs in its own process
   (bench/worker.py), so its peak memory (ru_maxrss) is its own; timings are the best
   of ``--repeat`` runs:
   a. the selection ``B.date = <CAE day> AND B.kind = CAE`` into a set (selection_run);
   b. the outstanding-items report over every open contribution, written as XLSX;
   c. a ≈ 100,000-borrower set exported as XLSX (set_export), and
   d. the same set as CSV, for comparison.
3. Checks the set sizes and the files against direct SQL counts and openpyxl, prints
   the plan of the selection's INSERT … SELECT and the table against the targets, and
   drops what it created (unless ``--keep``). Exit status 1 when a target is missed or
   a check fails.

The admin connection comes from LIDGELD_BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import datagen  # noqa: E402
import tick_bench  # noqa: E402
from tick_bench import Databases, WorkerFailed, database_url, log, worker  # noqa: E402

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TICK_TEMPLATE = "lidgeld_bench"
# Part of the template's signature: change it when the data this script adds changes.
GENERATOR = "reports-2"
HISTORY_MONTHS = 24

TARGET_SELECTION_SECONDS = 2.0
TARGET_OUTSTANDING_SECONDS = 15.0
TARGET_EXPORT_SECONDS = 20.0
TARGET_EXPORT_MB = 300.0

EXPORT_FIELDS = "card,first_name,last_name,email,postal_code,city,birth_date,language"
# datagen: birth dates are 1940-01-01 plus 0 … 24,999 days, evenly spread.
BIRTH_FIRST = date(1940, 1, 1)
BIRTH_DAYS = 25_000
PLAN_LINES = 40


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the CAE selection, the outstanding-items report and set exports.",
    )
    parser.add_argument("--borrowers", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument(
        "--messages", type=int, default=5_000_000, help="messages in all (default 5,000,000)"
    )
    parser.add_argument(
        "--open-items",
        type=int,
        default=100_000,
        help="at least this many open contribution items (default 100,000)",
    )
    parser.add_argument(
        "--export-rows", type=int, default=100_000, help="size of the exported set (≈)"
    )
    parser.add_argument(
        "--today",
        default="2026-12-01",
        help="benchmark day when the data is generated here (a 1st of the month)",
    )
    parser.add_argument(
        "--cae-day",
        default=None,
        help="the day of the selected CAE batch (default: the 1st two months before the day)",
    )
    parser.add_argument(
        "--db-name", default="lidgeld_bench_reports", help="name of the template database"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best shown)")
    parser.add_argument("--keep", action="store_true", help="keep the databases and files")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    try:
        args.day = date.fromisoformat(args.today)
        args.cae = date.fromisoformat(args.cae_day) if args.cae_day else None
    except ValueError as error:
        parser.error(f"{error}; write dates as YYYY-MM-DD")
    if args.day.day != 1 or (args.cae is not None and args.cae.day != 1):
        parser.error("--today and --cae-day must be the 1st of a month")
    if args.borrowers < 1000:
        parser.error("--borrowers must be at least 1000")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.export_rows < 1:
        parser.error("--export-rows must be at least 1")
    return args


def _admin(dbs: Databases) -> psycopg.Connection:
    return psycopg.connect(dbs.admin_url, autocommit=True)


def database_comment(dbs: Databases, name: str) -> str | None:
    with _admin(dbs) as conn:
        row = conn.execute(
            "SELECT datistemplate, shobj_description(oid, 'pg_database') "
            "FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if row is None or not row[0]:
        return None
    return row[1]


def borrower_count(url: str) -> int | None:
    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM borrowers_borrower").fetchone()[0]
    except psycopg.Error:
        return None


def signature(args: argparse.Namespace) -> str:
    return (
        f"lidgeld reports bench {GENERATOR}: borrowers={args.borrowers} "
        f"messages={args.messages} open_items={args.open_items}"
    )


def prepare_template(dbs: Databases, args: argparse.Namespace) -> dict[str, Any]:
    """Make sure the template ``args.db_name`` exists with this run's data; how it was made."""
    name = args.db_name
    url = database_url(dbs.admin_url, name)
    wanted = signature(args)
    if database_comment(dbs, name) == wanted:
        log(f"reusing the template {name} ({wanted})")
        return {"template": name, "made": "reused"}
    started = time.perf_counter()
    made: dict[str, Any] = {"template": name}
    tick_url = database_url(dbs.admin_url, TICK_TEMPLATE)
    if _is_template(dbs, TICK_TEMPLATE) and borrower_count(tick_url) == args.borrowers:
        log(f"cloning the tick benchmark's template {TICK_TEMPLATE} into {name}")
        dbs.create(name, template=TICK_TEMPLATE)
        made["made"] = f"clone of {TICK_TEMPLATE}"
    else:
        from lidgeld.clock import FixedClock
        from lidgeld.finance.batch import WRITE_OFF_REASON

        log(f"creating {name}, migrating it and generating {args.borrowers:,} borrowers")
        dbs.create(name)
        worker("migrate", url)
        made["network_parts"] = datagen.generate(
            url,
            borrowers=args.borrowers,
            day=args.day,
            step_names=tick_bench.step_names(),
            write_off_reason=WRITE_OFF_REASON,
            yesterday_at=FixedClock(args.day).now() - timedelta(days=1),
            log=log,
        )
        made["made"] = "generated"
    made["network_seconds"] = time.perf_counter() - started
    day = datagen.benchmark_day(url)
    log(f"open items (at least {args.open_items:,}) and message history up to {args.messages:,}")
    step = time.perf_counter()
    made["open_items_found"], made["open_items_added"] = datagen.ensure_open_items(
        url, day=day, minimum=args.open_items, log=log
    )
    made["messages_added"] = datagen.message_history(
        url, day=day, total=args.messages, months=HISTORY_MONTHS, log=log
    )
    made["history_seconds"] = time.perf_counter() - step
    log("VACUUM ANALYZE")
    step = time.perf_counter()
    datagen.vacuum_analyze(url)
    made["vacuum_seconds"] = time.perf_counter() - step
    with _admin(dbs) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{wanted}'")
    dbs.make_template(name)
    made["seconds"] = time.perf_counter() - started
    log(f"{name}: {made['seconds']:.1f} s, now a template")
    return made


def _is_template(dbs: Databases, name: str) -> bool:
    with _admin(dbs) as conn:
        row = conn.execute(
            "SELECT datistemplate FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return bool(row and row[0])


def export_rule(borrowers: int, rows: int) -> tuple[str, date, date]:
    """A birth-date range holding ≈ ``rows`` of ``borrowers`` borrowers."""
    days = max(1, min(BIRTH_DAYS, round(BIRTH_DAYS * rows / borrowers)))
    last = BIRTH_FIRST + timedelta(days=days - 1)
    return f"A.birth_date between {BIRTH_FIRST} and {last}", BIRTH_FIRST, last


def data_facts(url: str, *, cae_day: date, birth: tuple[date, date]) -> dict[str, Any]:
    """What the working copy holds, counted directly in SQL."""
    with psycopg.connect(url) as conn:

        def one(sql: str, params: list[Any] | None = None) -> Any:
            return conn.execute(sql, params).fetchone()[0]

        kinds = dict(
            conn.execute(
                "SELECT type || kind, count(*) FROM notices_message GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )
        months = conn.execute(
            "SELECT min(date), max(date), count(DISTINCT date_trunc('month', date)) "
            "FROM notices_message"
        ).fetchone()
        cae_batches = conn.execute(
            "SELECT date, count(*) FROM notices_message "
            "WHERE type = 'C' AND kind = 'AE' AND extract(day FROM date) = 1 "
            "GROUP BY date ORDER BY date"
        ).fetchall()
        return {
            "borrowers": one("SELECT count(*) FROM borrowers_borrower"),
            "memberships": one("SELECT count(*) FROM memberships_membership"),
            "postings": one("SELECT count(*) FROM finance_posting"),
            "messages": sum(kinds.values()),
            "messages_by_kind": kinds,
            "message_dates": {
                "first": str(months[0]),
                "last": str(months[1]),
                "months": months[2],
            },
            "cae_per_month": {
                "min": min((c for _, c in cae_batches), default=0),
                "max": max((c for _, c in cae_batches), default=0),
            },
            "cae_day_messages": one(
                "SELECT count(*) FROM notices_message "
                "WHERE date = %s AND type = 'C' AND kind = 'AE'",
                [cae_day],
            ),
            "cae_day_borrowers": one(
                "SELECT count(DISTINCT borrower_id) FROM notices_message "
                "WHERE date = %s AND type = 'C' AND kind = 'AE'",
                [cae_day],
            ),
            "messages_on_cae_day": one(
                "SELECT count(*) FROM notices_message WHERE date = %s", [cae_day]
            ),
            "open_items": one(datagen.OPEN_ITEMS_SQL),
            "export_set_borrowers": one(
                "SELECT count(*) FROM borrowers_borrower WHERE birth_date BETWEEN %s AND %s",
                list(birth),
            ),
            "size_mb": one("SELECT pg_database_size(current_database())") / 1024 / 1024,
            "messages_mb": one("SELECT pg_total_relation_size('notices_message')") / 1024 / 1024,
        }


def repeated(label: str, repeat: int, run: Any) -> dict[str, Any]:
    """``repeat`` runs of ``run()``; the best by time, with every run's time and peak."""
    runs = []
    for attempt in range(1, repeat + 1):
        result = run()
        log(
            f"{label} (run {attempt}): {result['seconds']:.2f} s, "
            f"peak {result['max_rss_mb']:.0f} MB"
        )
        runs.append(result)
    best = dict(min(runs, key=lambda r: r["seconds"]))
    best["runs_seconds"] = [r["seconds"] for r in runs]
    best["peak_rss_mb"] = max(r["max_rss_mb"] for r in runs)
    return best


def xlsx_rows(path: str) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        return sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def csv_lines(path: str) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def measure(url: str, args: argparse.Namespace, day: date, cae_day: date, out_dir: str) -> Any:
    results: dict[str, Any] = {}
    today = day.isoformat()
    cae_rule = f"B.date = {cae_day} AND B.kind = CAE"
    results["cae_rule"] = cae_rule
    results["selection"] = repeated(
        "selection",
        args.repeat,
        lambda: worker("selection", url, "--today", today, "--rule", cae_rule),
    )
    log("EXPLAIN (ANALYZE, BUFFERS) of the selection's INSERT … SELECT")
    results["selection_plan"] = worker(
        "selection", url, "--today", today, "--rule", cae_rule, "--explain"
    )["plan"]

    report_path = os.path.join(out_dir, "outstanding.xlsx")
    results["outstanding"] = repeated(
        "outstanding items → XLSX",
        args.repeat,
        lambda: worker("outstanding", url, "--booked-to", today, "--out", report_path),
    )
    results["outstanding"]["path"] = report_path

    rule, _, _ = export_rule(args.borrowers, args.export_rows)
    results["export_rule"] = rule
    log(f"making the export set: {rule}")
    made = worker("selection", url, "--today", today, "--rule", rule)
    results["export_set"] = made
    set_id = str(made["set_id"])
    for fmt in ("xlsx", "csv"):
        path = os.path.join(out_dir, f"set.{fmt}")
        results[f"set_{fmt}"] = repeated(
            f"set → {fmt.upper()}",
            args.repeat,
            lambda fmt=fmt, path=path: worker(
                "set-export",
                url,
                *("--today", today, "--set-id", set_id, "--fields", EXPORT_FIELDS),
                *("--format", fmt, "--out", path),
            ),
        )
        results[f"set_{fmt}"]["path"] = path
    log("checking the XLSX with openpyxl (read-only)")
    results["set_xlsx"]["rows_in_file"] = xlsx_rows(results["set_xlsx"]["path"])
    results["set_csv"]["rows_in_file"] = csv_lines(results["set_csv"]["path"])
    return results


def checks(results: dict[str, Any]) -> list[tuple[str, bool]]:
    facts = results["data"]
    selection = results["selection"]
    export_set = results["export_set"]
    size = export_set["size"]
    outstanding = results["outstanding"]
    return [
        (
            f"CAE set size {selection['size']:,} = borrowers with a CAE that day, counted in "
            f"SQL ({facts['cae_day_borrowers']:,})",
            selection["size"] == facts["cae_day_borrowers"] and selection["size"] > 0,
        ),
        (
            f"export set size {size:,} = borrowers born in the range, counted in SQL "
            f"({facts['export_set_borrowers']:,})",
            size == facts["export_set_borrowers"],
        ),
        (
            f"set XLSX: openpyxl reads {results['set_xlsx']['rows_in_file']:,} rows = "
            f"set size + 1 header ({size + 1:,}); set_export wrote {results['set_xlsx']['rows']:,}",
            results["set_xlsx"]["rows_in_file"] == size + 1 and results["set_xlsx"]["rows"] == size,
        ),
        (
            f"set CSV: {results['set_csv']['rows_in_file']:,} lines = set size + 1 header",
            results["set_csv"]["rows_in_file"] == size + 1 and results["set_csv"]["rows"] == size,
        ),
        (
            f"outstanding report: {outstanding['items']:,} items = open contribution items "
            f"in SQL ({facts['open_items']:,}), at least {results['open_items_minimum']:,}",
            outstanding["items"] == facts["open_items"]
            and outstanding["items"] >= results["open_items_minimum"],
        ),
    ]


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    selection, outstanding, xlsx = (
        results["selection"],
        results["outstanding"],
        results["set_xlsx"],
    )
    rows = [
        ("selection → set", selection["seconds"], TARGET_SELECTION_SECONDS, "s"),
        ("outstanding items → XLSX", outstanding["seconds"], TARGET_OUTSTANDING_SECONDS, "s"),
        ("set export → XLSX", xlsx["seconds"], TARGET_EXPORT_SECONDS, "s"),
        ("set export → XLSX, peak memory", xlsx["peak_rss_mb"], TARGET_EXPORT_MB, "MB"),
    ]
    out = []
    for label, value, target, unit in rows:
        met = value < target if unit == "MB" else value <= target
        out.append({"what": label, "value": value, "target": target, "unit": unit, "met": met})
    return out


def print_report(results: dict[str, Any]) -> None:
    machine, facts, made = results["machine"], results["data"], results["template"]
    print()
    print(
        f"lidgeld reports benchmark: {facts['borrowers']:,} borrowers, "
        f"{facts['messages']:,} messages, benchmark day {results['day']}"
    )
    print(
        f"machine: {machine['cpus']} CPUs, {machine['platform']}, Python {machine['python']}, "
        f"PostgreSQL {machine['postgresql']} "
        f"({', '.join(f'{k}={v}' for k, v in machine['postgresql_settings'].items())})"
    )
    if "load_average" in machine:
        before, after = machine["load_average"]
        print(f"load average (1 min) before / after the measurements: {before:.2f} / {after:.2f}")
    if made["made"] == "reused":
        print(f"data: the existing template {made['template']}")
    else:
        print(
            f"data: template {made['template']} ({made['made']}) in {made['seconds']:.0f} s: "
            f"network {made['network_seconds']:.0f} s, open items and history "
            f"{made['history_seconds']:.0f} s, VACUUM ANALYZE {made['vacuum_seconds']:.0f} s"
        )
    kinds = ", ".join(f"{k} {v:,}" for k, v in facts["messages_by_kind"].items())
    dates = facts["message_dates"]
    print(
        f"  {facts['size_mb']:,.0f} MB ({facts['messages_mb']:,.0f} MB of messages); "
        f"{facts['memberships']:,} periods, {facts['postings']:,} postings"
    )
    print(
        f"  messages: {kinds}; {dates['first']} – {dates['last']} ({dates['months']} months); "
        f"CAE batches on the 1st: {facts['cae_per_month']['min']:,}–"
        f"{facts['cae_per_month']['max']:,}"
    )
    print(
        f"  CAE day {results['cae_day']}: {facts['cae_day_messages']:,} CAE messages for "
        f"{facts['cae_day_borrowers']:,} borrowers ({facts['messages_on_cae_day']:,} messages "
        f"that day); open contribution items: {facts['open_items']:,}"
    )
    print()
    header = (
        f"{'measurement':<36}{'best s':>8}{'median s':>10}{'peak MB':>9}{'base MB':>9}"
        f"{'rows':>10}{'file MB':>9}"
    )
    print(header)
    print("-" * len(header))
    export_size = results["export_set"]["size"]
    lines = [
        (f"selection → set ({results['selection']['size']:,})", results["selection"]),
        (
            f"outstanding ({results['outstanding']['items']:,} items) → XLSX",
            results["outstanding"],
        ),
        (f"set ({export_size:,}) → XLSX", results["set_xlsx"]),
        (f"set ({export_size:,}) → CSV", results["set_csv"]),
    ]
    for label, result in lines:
        rows = f"{result.get('rows', result.get('size', 0)):,}"
        size = f"{result['bytes'] / 1024 / 1024:.1f}" if "bytes" in result else ""
        print(
            f"{label:<36}{result['seconds']:>8.2f}{statistics.median(result['runs_seconds']):>10.2f}"
            f"{result['peak_rss_mb']:>9.0f}{result['rss_before_mb']:>9.0f}{rows:>10}{size:>9}"
        )
    print(
        "  peak MB: the most ru_maxrss of the runs' processes; base MB: after Django "
        "start-up and connecting"
    )
    for label, result in lines:
        runs = ", ".join(f"{s:.2f}" for s in result["runs_seconds"])
        print(f"  runs of {label}: {runs} s")
    print(f"  selection: {results['cae_rule']}; export set: {results['export_rule']}")
    print(f"  export fields: {EXPORT_FIELDS}")
    print()
    print("plan of the selection's INSERT … SELECT (EXPLAIN ANALYZE, BUFFERS):")
    plan = results["selection_plan"]
    for line in plan[:PLAN_LINES]:
        print(f"  {line}")
    if len(plan) > PLAN_LINES:
        print(f"  … {len(plan) - PLAN_LINES} more lines (--json has them all)")
    print()
    for text, ok in results["checks"]:
        print(f"check: {'OK' if ok else 'FAIL'}  {text}")
    print()
    print("targets:")
    for target in results["targets"]:
        comparison = "<" if target["unit"] == "MB" else "≤"
        unit = target["unit"]
        value = f"{target['value']:.0f} {unit}" if unit == "MB" else f"{target['value']:.2f} {unit}"
        print(
            f"  {target['what']:<32} {comparison} {target['target']:g} {unit}: {value:>10}  "
            f"{'met' if target['met'] else 'NOT MET'}"
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lidgeld.settings")
    admin_url = os.environ.get("LIDGELD_BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL)
    os.environ["DATABASE_URL"] = database_url(admin_url, args.db_name)
    import django

    django.setup()  # for lidgeld's constants; no ORM use in this process
    dbs = Databases(admin_url)
    out_dir = tempfile.mkdtemp(prefix="lidgeld-reports-bench-")
    working = f"{args.db_name}_run"
    results: dict[str, Any] = {
        "borrowers": args.borrowers,
        "messages": args.messages,
        "open_items_minimum": args.open_items,
        "machine": dbs.machine(with_settings=True),
    }
    try:
        results["template"] = prepare_template(dbs, args)
        url = dbs.create(working, template=args.db_name)
        # A kept template may predate the latest migrations: measure today's schema.
        worker("migrate", url)
        dbs.checkpoint()
        day = datagen.benchmark_day(url)
        cae_day = args.cae or datagen.first_month_back(day, 2)
        first = datagen.first_month_back(day, HISTORY_MONTHS)
        if not first <= cae_day < day:
            raise SystemExit(f"--cae-day must lie between {first} and {day}")
        results["day"], results["cae_day"] = day.isoformat(), cae_day.isoformat()
        _, birth_from, birth_to = export_rule(args.borrowers, args.export_rows)
        results["data"] = data_facts(url, cae_day=cae_day, birth=(birth_from, birth_to))
        log(f"measuring on {working} (files in {out_dir})")
        load_before = os.getloadavg()[0]
        results.update(measure(url, args, day, cae_day, out_dir))
        # Other work on the machine shows in the timings: say how busy it was.
        results["machine"]["load_average"] = [load_before, os.getloadavg()[0]]
    finally:
        if not args.keep:
            for name in list(reversed(dbs.created)):
                dbs.drop(name)
            shutil.rmtree(out_dir, ignore_errors=True)
            log("databases and files dropped")
        else:
            log(f"kept: {', '.join(dbs.created) or '(nothing new)'}; files in {out_dir}")

    results["checks"] = checks(results)
    results["targets"] = targets(results)
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    else:
        print_report(results)
    failed = not all(ok for _, ok in results["checks"]) or not all(
        t["met"] for t in results["targets"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except WorkerFailed as error:
        print(f"reports_bench: {error}; see its traceback above", file=sys.stderr)
        raise SystemExit(1) from None
