"""One Django process per measurement, so its peak memory is its own.

    python bench/worker.py migrate
    python bench/worker.py tick --today 2026-12-01
    python bench/worker.py naive --today 2026-12-01

DATABASE_URL names the database. The result is one JSON object on the last
line of stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _max_rss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup(today: date | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lidgeld.settings")
    import django

    django.setup()
    if today is not None:
        from lidgeld.clock import FixedClock, set_clock

        set_clock(FixedClock(today))


def do_migrate(args: argparse.Namespace) -> dict[str, Any]:
    _setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    return {"seconds": time.perf_counter() - started}


def do_tick(args: argparse.Namespace) -> dict[str, Any]:
    """tick_run for ``--today``, each step's function wrapped in a timer."""
    today = date.fromisoformat(args.today)
    _setup(today)
    from django.db import connection

    from lidgeld.clock import clock
    from lidgeld.lifecycle import tick

    timings: list[dict[str, Any]] = []

    def timed(step: tick.Step) -> tick.Step:
        def run(*, instance: Any, ctx: Any) -> Any:
            started = time.perf_counter()
            result = step.run(instance=instance, ctx=ctx)
            timings.append(
                {
                    "step": step.name,
                    "instance": instance.code,
                    "start": started,
                    "run_seconds": time.perf_counter() - started,
                    "counts": dict(result.counts),
                }
            )
            return result

        return tick.Step(step.name, run, step.description)

    original = tick.STEPS
    tick.STEPS = tuple(timed(step) for step in original)
    # Make Django connect before the clock starts, as a long-running worker would be.
    connection.ensure_connection()
    rss_before = _max_rss_mb()
    statements = 0

    def count_statements(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    try:
        with connection.execute_wrapper(count_statements):
            report = tick.tick_run(today=today, now=clock.now())
    finally:
        tick.STEPS = original
    total = time.perf_counter() - started
    # A step's wall time runs until the next step starts: it includes writing its
    # ledger row and the COMMIT of its transaction.
    for index, timing in enumerate(timings):
        end = timings[index + 1]["start"] if index + 1 < len(timings) else started + total
        timing["wall_seconds"] = end - timing["start"]
        del timing["start"]
    return {
        "seconds": total,
        "days": [day.isoformat() for day in report.days],
        "steps": timings,
        "rss_before_mb": rss_before,
        "max_rss_mb": _max_rss_mb(),
        "statements": statements,
    }


def do_naive(args: argparse.Namespace) -> dict[str, Any]:
    today = date.fromisoformat(args.today)
    _setup(today)
    from naive import naive_run

    from lidgeld.clock import clock

    result = naive_run(day=today, now=clock.now(), actor=args.actor)
    result["max_rss_mb"] = _max_rss_mb()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate")
    for name in ("tick", "naive"):
        command = sub.add_parser(name)
        command.add_argument("--today", required=True)
        command.add_argument("--actor", default="job:tick")
    args = parser.parse_args()
    handler = {"migrate": do_migrate, "tick": do_tick, "naive": do_naive}[args.command]
    print(json.dumps(handler(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
