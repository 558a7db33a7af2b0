"""Benchmark of Mijn Bibliotheek's membership page (issue 7): 50 logged-in borrowers.

    .venv/bin/python bench/portal_bench.py [--borrowers 1000000] [--users 50]
        [--seconds 20] [--warmup 5] [--threads 8] [--conn-max-age SECONDS] [--keep] [--json]

1. A PostgreSQL database with N borrowers: a clone of the template ``lidgeld_bench``
   when it exists with N borrowers, else generated into that template first (as
   bench/sip2_bench.py and bench/tick_bench.py do it: bench/datagen.py, set-based).
2. ``--users`` borrowers spread over the network (a fixed random sample) get a PIN in
   one UPDATE: the same PBKDF2 hash, made once, for all of them (Django's default
   hasher, as ``lidgeld borrower add --pin`` stores it).
3. The portal's WSGI application under waitress (``--threads`` 8, as ``lidgeld serve``)
   in a subprocess, its clock set to the day the generated network is made for. With
   ``--conn-max-age`` it keeps its database connections (Django's CONN_MAX_AGE, with
   health checks) instead of the project's setting.
4. Each user logs in through the login form (CSRF token, card number, PIN) on a
   keep-alive connection of its own; once all are in, every user fetches
   ``/portal/membership/`` back to back for ``--warmup`` and then ``--seconds``
   seconds. Every answer is checked: 200, the user's own card number on the page.
5. Server time is what the page's ``Server-Timing: app;dur=…`` header says (from the
   session lookup to the rendered page, see lidgeld.portal.session); the time the
   client waited is reported beside it. p50/p95/p99 and throughput over the measured
   seconds; exit 1 when the target is missed (server time p95 < 150 ms) or an answer
   was wrong.

What it created is dropped unless ``--keep``. The admin connection comes from
LIDGELD_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import sip2_bench  # noqa: E402
import tick_bench  # noqa: E402
from tick_bench import Databases, database_url, log  # noqa: E402

TARGET_P95_MS = 150.0
PIN = "4321"
PAGE = "/portal/membership/"

# The server: the project's WSGI application under waitress, on the clock of the day
# the generated data is made for (the real `lidgeld serve` reads the wall clock).
SERVER = """
import sys
from datetime import date
from django.conf import settings
if sys.argv[4] != "default":
    settings.DATABASES["default"]["CONN_MAX_AGE"] = int(sys.argv[4])
    settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
import django
django.setup()
from lidgeld.clock import FixedClock, set_clock
set_clock(FixedClock(date.fromisoformat(sys.argv[1])))
from waitress import serve
from lidgeld.wsgi import application
print("serving", flush=True)
serve(application, host="127.0.0.1", port=int(sys.argv[2]), threads=int(sys.argv[3]),
      connection_limit=1000, channel_timeout=600)
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the portal's membership page.")
    parser.add_argument("--borrowers", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--users", type=int, default=50, help="logged-in users (50)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds (20)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before (5)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (8)")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="keep database connections this many seconds (default: the project's setting)",
    )
    parser.add_argument("--db-name", default="lidgeld_portal_bench", help="the clone's name")
    parser.add_argument("--keep", action="store_true", help="keep the databases it created")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.borrowers < 1000:
        parser.error("--borrowers must be at least 1000")
    if args.users < 1 or args.users > args.borrowers:
        parser.error("--users must be from 1 to --borrowers")
    if args.seconds <= 0 or args.warmup < 0 or args.threads < 1:
        parser.error("--seconds and --threads must be more than 0")
    return args


# -- the data


def give_pins(url: str, cards: list[str]) -> int:
    """One PIN for every benchmark user: one hash, made once, set in one UPDATE."""
    import psycopg
    from django.contrib.auth.hashers import make_password

    with psycopg.connect(url) as conn:
        cursor = conn.execute(
            "UPDATE borrowers_borrower SET pin_hash = %s WHERE card_number = ANY(%s)",
            [make_password(PIN), cards],
        )
        return cursor.rowcount


def benchmark_day(url: str) -> date:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT max(day) + 1 FROM lifecycle_jobrun").fetchone()
    return row[0] if row and row[0] else date(2026, 12, 1)


# -- the server


def start_server(
    url: str, port: int, day: date, threads: int, conn_max_age: int | None
) -> subprocess.Popen[str]:
    age = "default" if conn_max_age is None else str(conn_max_age)
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, day.isoformat(), str(port), str(threads), age],
        env={
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "lidgeld.settings",
            "LIDGELD_ALLOWED_HOSTS": "127.0.0.1",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    if "serving" not in server.stdout.readline():
        server.kill()
        raise RuntimeError(f"the portal server did not start (exit {server.wait()})")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # waitress binds after printing
        try:
            with sip2_bench.socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    connections = "project setting" if conn_max_age is None else f"CONN_MAX_AGE={conn_max_age}"
    log(f"portal server on 127.0.0.1:{port} ({threads} threads, {connections}, clock at {day})")
    return server


# -- a small HTTP/1.1 client: one keep-alive connection per user, cookies by hand


class Http:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None
        assert self.writer is not None
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, cookie_value = cookie.partition("=")
                self.cookies[key.strip()] = cookie_value.strip().strip('"')
            headers[name] = value
        payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
        return int(status_line.split()[1]), headers, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def server_ms(headers: dict[str, str]) -> float:
    match = re.search(r"\bapp;dur=([0-9.]+)", headers.get("server-timing", ""))
    if match is None:
        raise RuntimeError("the page has no Server-Timing header")
    return float(match.group(1))


class Load:
    def __init__(self, port: int, cards: list[str], warmup: float, seconds: float) -> None:
        self.port = port
        self.cards = cards
        self.warmup = warmup
        self.seconds = seconds
        self.server_ms: list[float] = []
        self.client_ms: list[float] = []
        self.errors = 0
        self.first_error = ""
        self.login_seconds = 0.0
        self.window = (0.0, 0.0)

    def fail(self, text: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or text

    async def log_in(self, card: str) -> Http:
        http = Http(self.port)
        await http.open()
        status, _, page = await http.request("GET", "/portal/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or match is None:
            raise RuntimeError(f"no login form for {card} (HTTP {status})")
        form = {"csrfmiddlewaretoken": match.group(1).decode(), "card_number": card, "pin": PIN}
        status, headers, _ = await http.request("POST", "/portal/login/", form)
        if status != 302 or headers.get("location") != PAGE:
            raise RuntimeError(f"{card} could not log in (HTTP {status})")
        return http

    async def user(self, http: Http, card: str, ready: asyncio.Event) -> None:
        await ready.wait()
        start, end = self.window
        expected = quote(card).encode()
        perf = time.perf_counter
        while True:
            sent = perf()
            if sent >= end:
                break
            status, headers, page = await http.request("GET", PAGE)
            done = perf()
            if status != 200 or expected not in page:
                self.fail(f"{card}: HTTP {status}")
                continue
            if sent >= start and done <= end:
                self.server_ms.append(server_ms(headers))
                self.client_ms.append((done - sent) * 1000)
        await http.close()

    async def run(self) -> None:
        started = time.perf_counter()
        sessions = await asyncio.gather(*(self.log_in(card) for card in self.cards))
        self.login_seconds = time.perf_counter() - started
        ready = asyncio.Event()
        begin = time.perf_counter()
        self.window = (begin + self.warmup, begin + self.warmup + self.seconds)
        ready.set()
        await asyncio.gather(
            *(self.user(http, card, ready) for http, card in zip(sessions, self.cards, strict=True))
        )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 0.50), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "p99_ms": round(percentile(values, 0.99), 1),
        "mean_ms": round(statistics.fmean(values), 1),
        "max_ms": round(max(values), 1),
    }


def measure(port: int, cards: list[str], args: argparse.Namespace) -> dict[str, Any]:
    load = Load(port, cards, args.warmup, args.seconds)
    log(
        f"{len(cards)} users log in, then {args.warmup:g} s warm-up and {args.seconds:g} s measured"
    )
    cpu_before = os.times()
    asyncio.run(load.run())
    cpu_after = os.times()
    if not load.server_ms:
        raise RuntimeError(f"no good answers in the measured window ({load.first_error})")
    return {
        "pages": len(load.server_ms),
        "errors": load.errors,
        "first_error": load.first_error or None,
        "throughput": round(len(load.server_ms) / args.seconds, 1),
        "login_seconds": round(load.login_seconds, 1),
        "server": summary(load.server_ms),
        "client": summary(load.client_ms),
        "load_generator_cpu_s": round(
            (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system), 1
        ),
    }


def report(results: dict[str, Any]) -> None:
    run, machine = results["run"], results["machine"]
    print(
        f"Mijn Bibliotheek membership page, {results['borrowers']:,} borrowers, "
        f"{results['users']} logged-in users, {results['seconds']:g} s measured"
    )
    print(
        f"machine: {machine['cpus']} CPUs, {machine['platform']}, Python {machine['python']}, "
        f"PostgreSQL {machine['postgresql']}; waitress {results['threads']} threads; "
        f"CONN_MAX_AGE {results['conn_max_age'] if results['conn_max_age'] is not None else 'as set'}; "
        "load generator on the same machine"
    )
    print(f"  pages           {run['pages']:>8,}   errors {run['errors']}")
    print(f"  throughput      {run['throughput']:>8,.1f} pages/s")
    for name in ("server", "client"):
        figures = run[name]
        print(
            f"  {name + ' time':<15} p50 {figures['p50_ms']:>6.1f} ms   p95 {figures['p95_ms']:>6.1f}"
            f" ms   p99 {figures['p99_ms']:>6.1f} ms   max {figures['max_ms']:>6.1f} ms"
        )
    verdict = results["target"]
    print(f"  server p95      {'met' if verdict['met'] else 'MISSED'} (< {TARGET_P95_MS:g} ms)")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lidgeld.settings")
    admin_url = os.environ.get("LIDGELD_BENCH_POSTGRES_URL", tick_bench.DEFAULT_ADMIN_URL)
    os.environ["DATABASE_URL"] = database_url(admin_url, args.db_name)
    import django

    django.setup()  # for the password hasher and the generator's constants; no ORM use
    dbs = Databases(admin_url)
    rng = random.Random(7)
    cards = [f"B{k:010d}" for k in rng.sample(range(1, args.borrowers + 1), args.users)]
    results: dict[str, Any] = {
        "borrowers": args.borrowers,
        "users": args.users,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "threads": args.threads,
        "conn_max_age": args.conn_max_age,
        "machine": dbs.machine(),
    }
    server = None
    try:
        url, results["database"] = sip2_bench.prepare_database(dbs, args)
        results["pins_set"] = give_pins(url, cards)
        day = benchmark_day(url)
        results["day"] = day.isoformat()
        port = sip2_bench.free_port()
        server = start_server(url, port, day, args.threads, args.conn_max_age)
        results["run"] = measure(port, cards, args)
    finally:
        if server is not None:
            sip2_bench.stop_server(server)
        if not args.keep:
            for name in list(dbs.created):
                log(f"dropping {name}")
                dbs.drop(name)
    run = results["run"]
    results["target"] = {
        "server_p95_ms": run["server"]["p95_ms"],
        "met": run["server"]["p95_ms"] < TARGET_P95_MS and run["errors"] == 0,
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        report(results)
    return 0 if results["target"]["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
