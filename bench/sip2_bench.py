"""Benchmark of SIP2 patron status (issue 4): ``make bench-sip2`` / ``BENCH_ARGS=...``.

1. A PostgreSQL database with N borrowers: a clone of the template ``lidgeld_bench``
   when it exists with N borrowers (``make bench BENCH_ARGS=--keep`` leaves one),
   else generated as bench/tick_bench.py does it (create, migrate, bench/datagen.py,
   VACUUM ANALYZE) into that template first, then cloned.
2. A terminal of instance GENT (``lidgeld terminal add``); GENT's cooperation group
   holds all three generated instances, so every borrower is visible to it.
3. ``lidgeld sip2`` as a subprocess against the clone.
4. ``--connections`` asyncio connections on this machine, each logging in (93) and,
   once all are logged in (a login checks a password hash), sending 23 patron status
   for random borrowers back to back (no AD: checking a PIN hash is deliberately
   slow), for ``--warmup`` then ``--seconds`` seconds.
   Every answer is checked (a 24 with the request's sequence number, valid patron).
5. Prints throughput (responses/s) and p50/p99 latency over the measured seconds;
   exit 1 when a target is missed (>= 3,000 responses/s, p99 < 25 ms).

What it created is dropped unless ``--keep``. The admin connection comes from
LIDGELD_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import tick_bench  # noqa: E402
from tick_bench import Databases, database_url, log  # noqa: E402

TARGET_THROUGHPUT = 3000.0  # responses per second
TARGET_P99_MS = 25.0
TEMPLATE = "lidgeld_bench"
TERMINAL_LOGIN = "bench-kiosk"
TERMINAL_PASSWORD = "bench-kiosk-secret"  # a throw-away benchmark database
LIDGELD = Path(sys.executable).with_name("lidgeld")
STAMP = "20261201    100000"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark SIP2 patron status (23).")
    parser.add_argument("--borrowers", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--connections", type=int, default=50, help="default 50")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds (20)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before (5)")
    parser.add_argument("--workers", type=int, default=8, help="server database threads (8)")
    parser.add_argument("--db-name", default="lidgeld_sip2_bench", help="the clone's name")
    parser.add_argument("--keep", action="store_true", help="keep the databases it created")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="run the server under cProfile (every thread) and write the stats to FILE",
    )
    args = parser.parse_args(argv)
    if args.borrowers < 1000:
        parser.error("--borrowers must be at least 1000")
    if args.connections < 1 or args.seconds <= 0 or args.warmup < 0 or args.workers < 1:
        parser.error("--connections, --seconds and --workers must be more than 0")
    return args


# -- the database


def borrower_count(url: str) -> int | None:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM borrowers_borrower").fetchone()[0]
    except psycopg.Error:
        return None


def is_template(dbs: Databases, name: str) -> bool:
    with dbs._admin() as conn:
        row = conn.execute(
            "SELECT datistemplate FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return bool(row and row[0])


def prepare_database(dbs: Databases, args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The URL of a fresh clone with ``args.borrowers`` borrowers, and how it was made."""
    template_url = database_url(dbs.admin_url, TEMPLATE)
    made: dict[str, Any] = {"template": TEMPLATE}
    if (
        dbs.exists(TEMPLATE)
        and is_template(dbs, TEMPLATE)
        and borrower_count(template_url) == args.borrowers
    ):
        log(f"cloning the existing template {TEMPLATE} ({args.borrowers:,} borrowers)")
        made["generated"] = False
    else:
        # As bench/tick_bench.py does it, with its functions.
        from lidgeld.clock import FixedClock

        day = date(2026, 12, 1)
        log(f"creating {TEMPLATE} and migrating it")
        dbs.create(TEMPLATE)
        tick_bench.worker("migrate", template_url)
        made["generation"] = tick_bench.build_template(
            dbs, TEMPLATE, args.borrowers, day, tick_bench.step_names(), FixedClock(day).now()
        )
        made["generated"] = True
    started = time.perf_counter()
    url = dbs.create(args.db_name, template=TEMPLATE)
    made["clone_seconds"] = round(time.perf_counter() - started, 1)
    made["size_mb"] = round(dbs.size_mb(args.db_name))
    return url, made


def add_terminal(url: str) -> None:
    subprocess.run(
        [
            str(LIDGELD),
            "terminal",
            "add",
            "--login",
            TERMINAL_LOGIN,
            "--password",
            TERMINAL_PASSWORD,
            "--instance",
            "GENT",
        ],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        stdout=subprocess.DEVNULL,
    )


# -- the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PROFILED_SERVER = """
import cProfile, pstats, sys, threading
profiles = []
def profiled(frame, event, arg):
    profile = cProfile.Profile()
    profiles.append(profile)
    profile.enable()
threading.setprofile(profiled)
main = cProfile.Profile()
profiles.append(main)
main.enable()
from lidgeld.cli.main import main as lidgeld
try:
    lidgeld(sys.argv[2:])
finally:
    main.disable()
    stats = pstats.Stats(main)
    for profile in profiles[1:]:
        profile.disable()
        stats.add(profile)
    stats.dump_stats(sys.argv[1])
"""


def start_server(url: str, port: int, args: argparse.Namespace) -> subprocess.Popen[str]:
    options = ["sip2", "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]
    options += ["--idle-timeout", "600"]
    if args.profile:
        command = [sys.executable, "-c", PROFILED_SERVER, args.profile, *options]
    else:
        command = [str(LIDGELD), *options]
    server = subprocess.Popen(
        command,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()  # "SIP2 server listening on …", or EOF on failure
    if "listening" not in line:
        server.kill()
        raise RuntimeError(f"lidgeld sip2 did not start (exit {server.wait()})")
    log(f"server: {line.strip()} ({args.workers} database threads)")
    return server


def stop_server(server: subprocess.Popen[str]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# -- the load


def frame(text: str, sequence: int) -> bytes:
    body = f"{text}AY{sequence}AZ".encode()
    return body + f"{(-sum(body)) & 0xFFFF:04X}".encode() + b"\r"


class Load:
    def __init__(self, borrowers: int, warmup: float, seconds: float) -> None:
        self.borrowers = borrowers
        self.warmup = warmup
        self.seconds = seconds
        self.latencies: list[float] = []  # seconds, of requests sent and answered in the window
        self.errors = 0
        self.bad = b""  # the first wrong answer
        self.window: tuple[float, float] = (0.0, 0.0)
        self.connections = 0
        self.logged_in = 0
        self.ready: asyncio.Event | None = None

    async def connection(self, port: int, seed: int) -> None:
        rng = random.Random(seed)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(frame(f"9300CN{TERMINAL_LOGIN}|CO{TERMINAL_PASSWORD}|", 0))
            answer = await reader.readuntil(b"\r")
            if not answer.startswith(b"941"):
                raise RuntimeError(f"login refused: {answer!r}")
            # The clock starts when every connection is logged in: a login checks a
            # password hash (slow on purpose) and must not count in the figures.
            self.logged_in += 1
            if self.logged_in == self.connections:
                begin = time.perf_counter()
                self.window = (begin + self.warmup, begin + self.warmup + self.seconds)
                self.ready.set()
            assert self.ready is not None
            await self.ready.wait()
            start, end = self.window
            perf = time.perf_counter
            sequence = 0
            while True:
                sequence = (sequence + 1) % 10
                card = f"B{rng.randint(1, self.borrowers):010d}"
                request = frame(f"23000{STAMP}AOGENT|AA{card}|AC|", sequence)
                sent = perf()
                if sent >= end:
                    return
                writer.write(request)
                answer = await reader.readuntil(b"\r")
                done = perf()
                ok = (
                    answer.startswith(b"24")
                    and f"AY{sequence}AZ".encode() in answer
                    and b"|BLY|" in answer
                    and f"|AA{card}|".encode() in answer
                )
                if not ok:
                    self.errors += 1
                    self.bad = self.bad or answer
                elif sent >= start and done <= end:
                    self.latencies.append(done - sent)
        finally:
            writer.close()

    async def run(self, port: int, connections: int) -> None:
        self.connections = connections
        self.ready = asyncio.Event()
        await asyncio.gather(*(self.connection(port, seed) for seed in range(connections)))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(port: int, args: argparse.Namespace) -> dict[str, Any]:
    load = Load(args.borrowers, args.warmup, args.seconds)
    log(
        f"{args.connections} connections: {args.warmup:g} s warm-up, "
        f"then {args.seconds:g} s measured"
    )
    cpu_before = os.times()
    asyncio.run(load.run(port, args.connections))
    cpu_after = os.times()
    latencies = load.latencies
    if not latencies:
        raise RuntimeError(f"no good answers in the measured window; first bad one {load.bad!r}")
    return {
        "responses": len(latencies),
        "errors": load.errors,
        "first_bad_answer": load.bad.decode("utf-8", "replace") or None,
        "throughput": len(latencies) / args.seconds,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
        "max_ms": max(latencies) * 1000,
        "load_generator_cpu_s": round(
            (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system), 1
        ),
    }


def targets(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "throughput": {
            "target": f">= {TARGET_THROUGHPUT:,.0f}/s",
            "met": result["throughput"] >= TARGET_THROUGHPUT,
        },
        "p99": {"target": f"< {TARGET_P99_MS:g} ms", "met": result["p99_ms"] < TARGET_P99_MS},
        "errors": {"target": "0", "met": result["errors"] == 0},
    }


def report(results: dict[str, Any]) -> None:
    run = results["run"]
    machine = results["machine"]
    print(
        f"SIP2 patron status (23), {results['borrowers']:,} borrowers, "
        f"{results['connections']} connections, {results['seconds']:g} s measured"
    )
    print(
        f"machine: {machine['cpus']} CPUs, {machine['platform']}, Python {machine['python']}, "
        f"PostgreSQL {machine['postgresql']}; load generator on the same machine"
    )
    print(f"  responses       {run['responses']:>10,}   errors {run['errors']}")
    print(
        f"  throughput      {run['throughput']:>10,.0f} /s   target >= {TARGET_THROUGHPUT:,.0f}/s"
    )
    print(f"  latency p50     {run['p50_ms']:>10.2f} ms")
    print(f"  latency p99     {run['p99_ms']:>10.2f} ms   target < {TARGET_P99_MS:g} ms")
    print(f"  latency max     {run['max_ms']:>10.2f} ms")
    for name, verdict in results["targets"].items():
        print(f"  {name:<15} {'met' if verdict['met'] else 'MISSED'} ({verdict['target']})")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lidgeld.settings")
    admin_url = os.environ.get("LIDGELD_BENCH_POSTGRES_URL", tick_bench.DEFAULT_ADMIN_URL)
    os.environ["DATABASE_URL"] = database_url(admin_url, args.db_name)
    import django

    django.setup()  # for lidgeld's constants (tick_bench's generator); no ORM use here
    dbs = Databases(admin_url)
    results: dict[str, Any] = {
        "borrowers": args.borrowers,
        "connections": args.connections,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "workers": args.workers,
        "machine": dbs.machine(),
    }
    server = None
    try:
        url, results["database"] = prepare_database(dbs, args)
        add_terminal(url)
        server = start_server(url, free_port(), args)
        results["run"] = measure(int(server.args[server.args.index("--port") + 1]), args)
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep:
            for name in list(dbs.created):
                log(f"dropping {name}")
                dbs.drop(name)
    results["targets"] = targets(results["run"])
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        report(results)
    return 0 if all(verdict["met"] for verdict in results["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
