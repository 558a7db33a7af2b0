"""Benchmark of the daily run (issue 2, item 9): ``make bench`` / ``BENCH_ARGS=...``.

1. Creates a fresh PostgreSQL database, migrates it, fills it with N borrowers
   in set-based SQL (bench/datagen.py) and makes it a template.
2. On one clone, runs the tick for the 1st of the month (``tick_run``) in a
   separate process, timing every step and reading its peak memory.
3. On another clone, runs the *floor*: the same writes as five hand-written
   SQL statements (bench/floor.py).
4. On a small separate database (default 20,000 borrowers), runs a naive
   per-borrower ORM loop (bench/naive.py) and the tick, for the speed-up per
   affected borrower.
5. Checks that tick and floor (and naive loop and tick) left the same state,
   prints the table and drops the databases (unless ``--keep``).

The admin connection comes from LIDGELD_BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import datagen  # noqa: E402
import floor  # noqa: E402
import snapshot  # noqa: E402

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ACTOR = "job:tick"
TARGET_FLOOR_RATIO = 3.0
TARGET_NAIVE_SPEEDUP = 50.0
TARGET_MEMORY_MB = 500.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def database_url(admin_url: str, name: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


class Databases:
    """The databases this run creates, so it can drop exactly those."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_url, autocommit=True)

    def exists(self, name: str) -> bool:
        with self._admin() as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            return row is not None

    def drop(self, name: str) -> None:
        if not self.exists(name):
            return
        with self._admin() as conn:
            conn.execute(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE false')
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    def create(self, name: str, *, template: str | None = None) -> str:
        self.drop(name)
        sql = f'CREATE DATABASE "{name}"'
        if template:
            # A file copy: much faster than the WAL-logged default for a large template.
            sql += f' TEMPLATE "{template}" STRATEGY FILE_COPY'
        with self._admin() as conn:
            conn.execute(sql)
        self.created.append(name)
        return database_url(self.admin_url, name)

    def make_template(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true')

    def checkpoint(self) -> None:
        with self._admin() as conn:
            conn.execute("CHECKPOINT")

    def size_mb(self, name: str) -> float:
        with self._admin() as conn:
            row = conn.execute("SELECT pg_database_size(%s)", [name]).fetchone()
            return row[0] / 1024 / 1024

    def wal_lsn(self) -> str:
        with self._admin() as conn:
            return conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0]

    def wal_mb_since(self, lsn: str) -> float:
        """WAL the whole server wrote since ``lsn`` (the benchmark is its only big writer)."""
        with self._admin() as conn:
            row = conn.execute(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", [lsn]
            ).fetchone()
            return float(row[0]) / 1024 / 1024

    def machine(self, *, with_settings: bool = False) -> dict[str, Any]:
        """What every benchmark prints about where it ran."""
        facts: dict[str, Any] = {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "postgresql": self.server_version(),
        }
        if with_settings:
            facts["postgresql_settings"] = self.settings()
        return facts

    def server_version(self) -> str:
        with self._admin() as conn:
            return conn.execute("SHOW server_version").fetchone()[0]

    def settings(self) -> dict[str, str]:
        names = ("shared_buffers", "work_mem", "max_wal_size", "synchronous_commit")
        with self._admin() as conn:
            return {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in names}


class WorkerFailed(Exception):
    pass


def worker(command: str, url: str, *extra: str) -> dict[str, Any]:
    """Run bench/worker.py in its own process against ``url``; its JSON answer."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "lidgeld.settings"}
    completed = subprocess.run(
        [sys.executable, str(BENCH_DIR / "worker.py"), command, *extra],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise WorkerFailed(f"bench worker '{command}' failed (exit {completed.returncode})")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def step_names() -> tuple[str, ...]:
    from lidgeld.lifecycle.tick import STEP_NAMES

    return STEP_NAMES


def tick_summary(result: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Per step: seconds (summed over instances, COMMIT included) and counts."""
    steps: dict[str, dict[str, Any]] = {
        name: {"seconds": 0.0, "run_seconds": 0.0, "counts": {}} for name in names
    }
    for timing in result["steps"]:
        step = steps[timing["step"]]
        step["seconds"] += timing["wall_seconds"]
        step["run_seconds"] += timing["run_seconds"]
        for key, value in timing["counts"].items():
            step["counts"][key] = step["counts"].get(key, 0) + value
    return {
        "seconds": result["seconds"],
        "overhead_seconds": result["seconds"] - sum(s["seconds"] for s in steps.values()),
        "steps": steps,
        "days": result["days"],
        "statements": result["statements"],
        "rss_before_mb": result["rss_before_mb"],
        "max_rss_mb": result["max_rss_mb"],
    }


def changed_rows(counts: dict[str, int]) -> int:
    """Rows a step changed, without its audit rows (same definition for tick and floor)."""
    return sum(v for k, v in counts.items() if k not in ("audit", "write_off_rows", "expired"))


def run_floor(url: str, day: date, now: datetime) -> dict[str, Any]:
    from lidgeld.domain.months import end_of_month
    from lidgeld.finance.batch import WRITE_OFF_REASON
    from lidgeld.notices.batch import EMAIL_REGEX
    from lidgeld.notices.texts import late_reason

    started = time.perf_counter()
    steps = floor.floor_run(
        url,
        day=day,
        now=now,
        actor=ACTOR,
        write_off_reason=WRITE_OFF_REASON,
        email_regex=EMAIL_REGEX,
        late_reason=late_reason(0, 7),
        month_end=end_of_month(day),
    )
    return {"seconds": time.perf_counter() - started, "steps": steps}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the daily run against a hand-written SQL floor and a naive loop.",
    )
    parser.add_argument("--borrowers", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=20_000,
        help="borrowers in the naive loop's database (default 20,000; 0 skips it)",
    )
    parser.add_argument("--today", default="2026-12-01", help="a 1st of the month")
    parser.add_argument("--db-name", default="lidgeld_bench", help="base name of the databases")
    parser.add_argument("--repeat", type=int, default=1, help="tick/floor runs (best is shown)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    try:
        args.day = date.fromisoformat(args.today)
    except ValueError:
        parser.error(f"--today {args.today!r} is not a date; write it as YYYY-MM-DD")
    if args.day.day != 1:
        parser.error("--today must be the 1st of a month (the day of expiry and notices)")
    if args.borrowers < 1000:
        parser.error("--borrowers must be at least 1000")
    if args.naive_sample and args.naive_sample < 1000:
        parser.error("--naive-sample must be 0 or at least 1000")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def build_template(
    dbs: Databases, name: str, borrowers: int, day: date, names: tuple[str, ...], now: datetime
) -> dict[str, Any]:
    from lidgeld.finance.batch import WRITE_OFF_REASON

    url = database_url(dbs.admin_url, name)
    log(f"generating {borrowers:,} borrowers into {name}")
    started = time.perf_counter()
    parts = datagen.generate(
        url,
        borrowers=borrowers,
        day=day,
        step_names=names,
        write_off_reason=WRITE_OFF_REASON,
        yesterday_at=now - timedelta(days=1),
        log=lambda line: log(line),
    )
    generated = time.perf_counter() - started
    log("VACUUM ANALYZE")
    datagen.vacuum_analyze(url)
    dbs.make_template(name)
    total = time.perf_counter() - started
    size = dbs.size_mb(name)
    log(f"{name}: {total:.1f} s, {size:,.0f} MB, now a template")
    return {"seconds": total, "insert_seconds": generated, "parts": parts, "size_mb": size}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lidgeld.settings")
    admin_url = os.environ.get("LIDGELD_BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL)
    base = args.db_name
    os.environ["DATABASE_URL"] = database_url(admin_url, base)
    import django

    django.setup()  # for lidgeld's constants and domain functions; no ORM use here
    from lidgeld.clock import FixedClock

    day = args.day
    now = FixedClock(day).now()
    names = step_names()
    dbs = Databases(admin_url)
    sample = f"{base}_sample"
    results: dict[str, Any] = {
        "borrowers": args.borrowers,
        "day": day.isoformat(),
        "machine": dbs.machine(with_settings=True),
    }
    try:
        log(f"creating {base} and migrating it")
        dbs.create(base)
        worker("migrate", database_url(admin_url, base))
        if args.naive_sample:
            dbs.create(sample, template=base)  # the empty, migrated schema
        results["generation"] = build_template(dbs, base, args.borrowers, day, names, now)
        results["data"] = snapshot.snapshot(database_url(admin_url, base), day=day)

        runs = []
        for attempt in range(1, args.repeat + 1):
            tick_url = dbs.create(f"{base}_tick", template=base)
            floor_url = dbs.create(f"{base}_floor", template=base)
            dbs.checkpoint()
            log(f"tick on {base}_tick (run {attempt})")
            lsn = dbs.wal_lsn()
            tick = tick_summary(worker("tick", tick_url, "--today", day.isoformat()), names)
            tick["wal_mb"] = dbs.wal_mb_since(lsn)
            log(f"tick: {tick['seconds']:.2f} s, peak {tick['max_rss_mb']:.0f} MB")
            dbs.checkpoint()
            log(f"floor on {base}_floor (run {attempt})")
            lsn = dbs.wal_lsn()
            floor_result = run_floor(floor_url, day, now)
            floor_result["wal_mb"] = dbs.wal_mb_since(lsn)
            log(f"floor: {floor_result['seconds']:.2f} s")
            tick_state = snapshot.snapshot(tick_url, day=day)
            floor_state = snapshot.snapshot(floor_url, day=day)
            runs.append(
                {
                    "tick": tick,
                    "floor": floor_result,
                    "differences": snapshot.differences(tick_state, floor_state),
                    "state": tick_state,
                }
            )
        best_tick = min(runs, key=lambda run: run["tick"]["seconds"])
        best_floor = min(runs, key=lambda run: run["floor"]["seconds"])
        results["tick"] = best_tick["tick"]
        results["floor"] = best_floor["floor"]
        results["state"] = best_tick["state"]
        results["runs"] = [
            {"tick_seconds": r["tick"]["seconds"], "floor_seconds": r["floor"]["seconds"]}
            for r in runs
        ]
        results["check_floor"] = sorted({line for run in runs for line in run["differences"]})
        results["affected"] = best_tick["state"]["affected borrowers"].get("borrowers", 0)

        if args.naive_sample:
            results["sample_generation"] = build_template(
                dbs, sample, args.naive_sample, day, names, now
            )
            naive_url = dbs.create(f"{sample}_naive", template=sample)
            sample_tick_url = dbs.create(f"{sample}_tick", template=sample)
            log(f"naive loop on {sample}_naive")
            try:
                naive = worker("naive", naive_url, "--today", day.isoformat(), "--actor", ACTOR)
                sample_tick = tick_summary(
                    worker("tick", sample_tick_url, "--today", day.isoformat()), names
                )
            except WorkerFailed as error:  # keep the tick and floor figures
                results["naive_error"] = str(error)
                log(str(error))
            else:
                log(f"naive: {naive['seconds']:.1f} s, {naive['affected']:,} affected borrowers")
                results["naive"] = naive
                results["sample_tick"] = sample_tick
                results["check_naive"] = snapshot.differences(
                    snapshot.snapshot(naive_url, day=day),
                    snapshot.snapshot(sample_tick_url, day=day),
                )
    finally:
        if not args.keep:
            for name in list(reversed(dbs.created)):
                dbs.drop(name)
            log("databases dropped")
        else:
            log("kept: " + ", ".join(dbs.created))

    results["targets"] = targets(results)
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    else:
        print_report(results, names)
    failed = results["check_floor"] or results.get("check_naive") or "naive_error" in results
    return 1 if failed else 0


def targets(results: dict[str, Any]) -> dict[str, Any]:
    tick, floor_result = results["tick"], results["floor"]
    ratio = tick["seconds"] / floor_result["seconds"]
    out: dict[str, Any] = {
        "tick_over_floor": {"value": ratio, "target": TARGET_FLOOR_RATIO},
        "peak_memory_mb": {"value": tick["max_rss_mb"], "target": TARGET_MEMORY_MB},
    }
    out["tick_over_floor"]["met"] = ratio <= TARGET_FLOOR_RATIO
    out["peak_memory_mb"]["met"] = tick["max_rss_mb"] < TARGET_MEMORY_MB
    if "naive" in results and results["naive"]["affected"] and results["affected"]:
        naive_per = results["naive"]["seconds"] / results["naive"]["affected"]
        tick_per = tick["seconds"] / results["affected"]
        speedup = naive_per / tick_per
        out["naive_speedup_per_affected_borrower"] = {
            "value": speedup,
            "target": TARGET_NAIVE_SPEEDUP,
            "met": speedup >= TARGET_NAIVE_SPEEDUP,
            "naive_ms_per_affected": naive_per * 1000,
            "tick_ms_per_affected": tick_per * 1000,
        }
        sample_affected = results["naive"]["affected"]
        sample_per = results["sample_tick"]["seconds"] / sample_affected
        out["naive_speedup_same_sample"] = {
            "value": naive_per / sample_per,
            "tick_ms_per_affected": sample_per * 1000,
        }
    return out


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value:,}" for key, value in counts.items() if value) or "-"


def _by_first(counts: dict[str, int]) -> dict[str, int]:
    """Add up ``a/b`` keys by ``a``."""
    out: dict[str, int] = {}
    for key, value in counts.items():
        first = key.split("/")[0]
        out[first] = out.get(first, 0) + value
    return out


def print_data(data: dict[str, dict[str, int]]) -> None:
    """The states in the generated data, before the tick."""
    memberships = _by_first(data["memberships by status/origin"])
    messages = data["messages by date/kind/status/channel/language"]
    lines = {
        "memberships": memberships,
        "postings (status/stage)": data["postings by status/stage"],
        "reservations": data["reservations by status"],
    }
    print("data before the tick:")
    for label, counts in lines.items():
        text = ", ".join(f"{key} {value:,}" for key, value in sorted(counts.items()))
        print(f"  {label}: {text}")
    print(f"  messages: {sum(messages.values()):,} (last month's CAE notices)")


def print_report(results: dict[str, Any], names: tuple[str, ...]) -> None:
    tick, floor_result, machine = results["tick"], results["floor"], results["machine"]
    generation = results["generation"]
    print()
    print(
        f"lidgeld daily run benchmark: {results['borrowers']:,} borrowers, "
        f"tick for {results['day']}"
    )
    print(
        f"machine: {machine['cpus']} CPUs, {machine['platform']}, Python {machine['python']}, "
        f"PostgreSQL {machine['postgresql']} "
        f"({', '.join(f'{k}={v}' for k, v in machine['postgresql_settings'].items())})"
    )
    print(
        f"generation: {generation['seconds']:.1f} s "
        f"(inserts {generation['insert_seconds']:.1f} s + VACUUM ANALYZE), "
        f"template {generation['size_mb']:,.0f} MB"
    )
    print()
    print_data(results["data"])
    print()
    header = f"{'step':<14}{'tick s':>9}{'rows':>10}{'floor s':>10}{'rows':>10}{'tick/floor':>12}"
    print(header)
    print("-" * len(header))
    for name in names:
        t = tick["steps"][name]
        f = floor_result["steps"][name]
        ratio = t["seconds"] / f["seconds"] if f["seconds"] else float("nan")
        print(
            f"{name:<14}{t['seconds']:>9.2f}{changed_rows(t['counts']):>10,}"
            f"{f['seconds']:>10.2f}{changed_rows(f['counts']):>10,}{ratio:>11.1f}x"
        )
    print(f"{'(ledger etc.)':<14}{tick['overhead_seconds']:>9.2f}")
    print(f"{'WAL written':<14}{tick['wal_mb']:>7.0f}MB{'':>10}{floor_result['wal_mb']:>8.0f}MB")
    print("-" * len(header))
    total_ratio = results["targets"]["tick_over_floor"]["value"]
    print(
        f"{'total':<14}{tick['seconds']:>9.2f}{'':>10}{floor_result['seconds']:>10.2f}"
        f"{'':>10}{total_ratio:>11.1f}x"
    )
    print()
    for name in names:
        print(f"  {name:<13} tick:  {_counts_text(tick['steps'][name]['counts'])}")
        print(f"  {'':<13} floor: {_counts_text(floor_result['steps'][name]['counts'])}")
    audit = results["state"]["audit rows of the day by action"]
    print(
        f"  audit rows written: {sum(audit.values()):,}; SQL statements of the tick: "
        f"{tick['statements']}; days run: {', '.join(tick['days'])}"
    )
    if len(results["runs"]) > 1:
        runs = ", ".join(
            f"{r['tick_seconds']:.2f}/{r['floor_seconds']:.2f}" for r in results["runs"]
        )
        print(f"  runs (tick/floor s): {runs}; best of each shown")
    print()
    if results["check_floor"]:
        print("check: FAILED, tick and floor differ:")
        for line in results["check_floor"]:
            print(f"  {line}")
    else:
        state = results["state"]
        print(
            "check: OK, tick and floor left identical state "
            f"(memberships {sum(state['memberships by status/origin'].values()):,}, "
            f"postings {sum(state['postings by status/stage'].values()):,}, "
            f"reservations {sum(state['reservations by status'].values()):,}, "
            f"messages {sum(state['messages by date/kind/status/channel/language'].values()):,}, "
            f"audit rows of the day {sum(audit.values()):,}; counts and row fingerprints)"
        )
    targets_ = results["targets"]
    if "naive" in results:
        naive = results["naive"]
        speed = targets_.get("naive_speedup_per_affected_borrower")
        if speed:
            print(
                f"naive ORM loop on {naive['borrowers']:,} borrowers: {naive['seconds']:.1f} s, "
                f"{naive['affected']:,} affected, {speed['naive_ms_per_affected']:.2f} ms "
                f"per affected borrower"
            )
            print(
                f"tick on {results['borrowers']:,} borrowers: {tick['seconds']:.2f} s, "
                f"{results['affected']:,} affected, {speed['tick_ms_per_affected']:.4f} ms "
                f"per affected borrower: {speed['value']:,.0f}x faster"
            )
            same = targets_["naive_speedup_same_sample"]
            print(
                f"tick on the same {naive['borrowers']:,} borrowers: "
                f"{results['sample_tick']['seconds']:.2f} s, {same['tick_ms_per_affected']:.3f} ms "
                f"per affected borrower: {same['value']:,.0f}x faster"
            )
        if results["check_naive"]:
            print("check: FAILED, naive loop and tick differ on the sample:")
            for line in results["check_naive"]:
                print(f"  {line}")
        else:
            print("check: OK, naive loop and tick left identical state on the sample")
    if "naive_error" in results:
        print(f"naive loop: FAILED ({results['naive_error']}); see the log above")
    print(
        f"peak memory of the tick process (ru_maxrss): {tick['max_rss_mb']:.0f} MB "
        f"({tick['rss_before_mb']:.0f} MB after Django start-up)"
    )
    print()
    print("targets:")
    ratio = targets_["tick_over_floor"]
    print(
        f"  tick within {TARGET_FLOOR_RATIO:g}x the floor: {ratio['value']:.2f}x  "
        f"{'met' if ratio['met'] else 'NOT MET'}"
    )
    if "naive_speedup_per_affected_borrower" in targets_:
        speed = targets_["naive_speedup_per_affected_borrower"]
        print(
            f"  >= {TARGET_NAIVE_SPEEDUP:g}x faster per affected borrower than the naive loop: "
            f"{speed['value']:,.0f}x  {'met' if speed['met'] else 'NOT MET'}"
        )
    memory = targets_["peak_memory_mb"]
    print(
        f"  peak memory < {TARGET_MEMORY_MB:g} MB: {memory['value']:.0f} MB  "
        f"{'met' if memory['met'] else 'NOT MET'}"
    )


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except WorkerFailed as error:
        print(f"tick_bench: {error}; see its traceback above", file=sys.stderr)
        raise SystemExit(1) from None
