"""One Django process per measurement, so its peak memory is its own.

    python bench/worker.py migrate
    python bench/worker.py tick --today 2026-12-01
    python bench/worker.py naive --today 2026-12-01
    python bench/worker.py selection --today 2026-12-01 --rule 'B.kind = CAE' [--explain]
    python bench/worker.py outstanding --booked-to 2026-11-30 --out report.xlsx
    python bench/worker.py set-export --today 2026-12-01 --set-id 1 --fields card,email \
        --format xlsx --out set.xlsx

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

from lidgeld.clock import at_nine

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


def _measured_start() -> float:
    """Connect before the clock starts, as a long-running process would be; the RSS then."""
    from django.db import connection

    connection.ensure_connection()
    return _max_rss_mb()


def do_selection(args: argparse.Namespace) -> dict[str, Any]:
    """selection_run for ``--rule``: the set's id and size. With ``--explain``, the
    INSERT … SELECT that fills the set runs as EXPLAIN (ANALYZE, BUFFERS) instead, in a
    transaction that is rolled back, and its plan is returned."""
    today = date.fromisoformat(args.today)
    _setup(today)
    from django.db import connection, transaction

    from lidgeld.scope import operator_scope
    from lidgeld.selections.services import rule_from_text, selection_run

    scope = operator_scope("bench")
    rule = rule_from_text(args.rule)
    rss_before = _measured_start()
    if args.explain:
        plan: list[str] = []

        def explain(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if not sql.startswith('INSERT INTO "selections_borrowersetmember"'):
                return execute(sql, params, many, context)
            result = execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params, many, context)
            plan.extend(row[0] for row in context["cursor"].fetchall())
            return result

        with transaction.atomic():
            with connection.execute_wrapper(explain):
                selection_run(scope=scope, rule=rule, today=today, now=at_nine(today))
            transaction.set_rollback(True)
        return {"plan": plan}
    statements: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(record):
        borrower_set = selection_run(scope=scope, rule=rule, today=today, now=at_nine(today))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "set_id": borrower_set.pk,
        "size": borrower_set.size,
        "statements": len(statements),
        "rss_before_mb": rss_before,
        "max_rss_mb": _max_rss_mb(),
    }


def do_outstanding(args: argparse.Namespace) -> dict[str, Any]:
    """The outstanding-items report over every open contribution, written as XLSX."""
    _setup()
    from lidgeld.exports.table import RowKind
    from lidgeld.exports.writers import ExportFormat, write_table
    from lidgeld.reports.finance_reports import outstanding_items
    from lidgeld.scope import operator_scope

    rss_before = _measured_start()
    counts = {kind.value: 0 for kind in RowKind}
    started = time.perf_counter()
    table = outstanding_items(
        scope=operator_scope("bench"),
        instance_ids=None,
        booked_to=date.fromisoformat(args.booked_to),
    )
    rows = table.rows

    def counted() -> Any:
        for row in rows:
            counts[row.kind.value] += 1
            yield row

    table.rows = counted()
    with open(args.out, "wb") as out:
        written = write_table(table, out, ExportFormat.XLSX)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": written,
        "items": counts[RowKind.DATA.value],
        "subtotals": counts[RowKind.SUBTOTAL.value],
        "bytes": os.path.getsize(args.out),
        "rss_before_mb": rss_before,
        "max_rss_mb": _max_rss_mb(),
    }


def do_set_export(args: argparse.Namespace) -> dict[str, Any]:
    """set_export of ``--set-id`` with ``--fields`` to the file ``--out``."""
    today = date.fromisoformat(args.today)
    _setup(today)
    from lidgeld.exports.writers import ExportFormat
    from lidgeld.scope import operator_scope
    from lidgeld.selections.services import set_export

    fmt = ExportFormat(args.format)
    fields = args.fields.split(",")
    scope = operator_scope("bench")
    rss_before = _measured_start()
    started = time.perf_counter()
    with open(args.out, "wb") as out:
        rows = set_export(
            scope=scope,
            set_id=args.set_id,
            fields=fields,
            fmt=fmt,
            out=out,
            today=today,
            now=at_nine(today),
        )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": rows,
        "bytes": os.path.getsize(args.out),
        "rss_before_mb": rss_before,
        "max_rss_mb": _max_rss_mb(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate")
    for name in ("tick", "naive"):
        command = sub.add_parser(name)
        command.add_argument("--today", required=True)
        command.add_argument("--actor", default="job:tick")
    command = sub.add_parser("selection")
    command.add_argument("--today", required=True)
    command.add_argument("--rule", required=True)
    command.add_argument("--explain", action="store_true")
    command = sub.add_parser("outstanding")
    command.add_argument("--booked-to", required=True)
    command.add_argument("--out", required=True)
    command = sub.add_parser("set-export")
    command.add_argument("--today", required=True)
    command.add_argument("--set-id", type=int, required=True)
    command.add_argument("--fields", required=True)
    command.add_argument("--format", choices=("xlsx", "csv"), required=True)
    command.add_argument("--out", required=True)
    args = parser.parse_args()
    handler = {
        "migrate": do_migrate,
        "tick": do_tick,
        "naive": do_naive,
        "selection": do_selection,
        "outstanding": do_outstanding,
        "set-export": do_set_export,
    }[args.command]
    print(json.dumps(handler(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
