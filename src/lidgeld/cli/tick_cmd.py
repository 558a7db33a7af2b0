"""``lidgeld tick``: the daily run."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.cli.base import add_json, emit, parse_date


def register(commands: Any) -> None:
    tick = commands.add_parser("tick", help="the daily run: every step for every day not yet done")
    tick.add_argument(
        "--today", type=parse_date, help="run as if it were this day (default: today)"
    )
    tick.add_argument(
        "--dry-run", action="store_true", help="show what the run would do; change nothing"
    )
    tick.add_argument(
        "--verbose", action="store_true", help="with the card numbers of the borrowers concerned"
    )
    tick.add_argument("--instance", action="append", help="only this instance (repeatable)")
    tick.add_argument(
        "--allow-future",
        action="store_true",
        help="run (or rehearse) more than one day after today's date, with every day up to "
        "there (tests, demos); asks for confirmation on a terminal",
    )
    tick.add_argument(
        "--allow-catch-up",
        action="store_true",
        help="catch up more than 31 days at once (the system really was down that long); "
        "asks for confirmation on a terminal",
    )
    add_json(tick)
    tick.set_defaults(handler=cmd_tick)


def cmd_tick(args: argparse.Namespace) -> int:
    from lidgeld.clock import clock
    from lidgeld.libraries.selectors import instance_get
    from lidgeld.lifecycle.tick import STEPS, TICK_ACTOR, run_size, tick_check, tick_run

    codes = [instance_get(code).code for code in args.instance] if args.instance else None
    # The daily run's one reading of the clock: the day it is and the time it starts.
    moment = clock.moment(TICK_ACTOR)
    wall_today = moment.today
    today = args.today or wall_today
    # The rehearsal is bounded like the run: it holds a transaction for as many days as
    # it rehearses, and what it shows is what the same command would do for real.
    unusual = tick_check(
        run_size(today=today, wall_today=wall_today, instance_codes=codes),
        allow_future=args.allow_future,
        allow_catch_up=args.allow_catch_up,
    )
    if unusual and not args.dry_run and sys.stdin.isatty():
        _confirm(unusual, today)
    report = tick_run(
        today=today,
        now=moment.now,
        dry_run=args.dry_run,
        verbose=args.verbose,
        instance_codes=codes,
    )
    data = report.as_dict()
    text = _text(report, [step.name for step in STEPS], args.verbose)
    if not args.dry_run:
        from lidgeld.selections.services import sets_purge

        # Temporary sets hold personal data: they go when their days are up (R9).
        purged = sets_purge(today=today, now=moment.now, actor=TICK_ACTOR)
        data["sets_purged"] = purged
        if purged:
            text += f"\n  temporary sets purged: {purged}"
    emit(args, data, text)
    return 0


def _confirm(unusual: list[str], today: Any) -> None:
    """Ask the person at the terminal; anything but "yes" runs nothing."""
    from lidgeld.errors import Refused

    sys.stderr.write(
        f"lidgeld tick: {'; '.join(unusual)}.\n"
        f"Run every day up to {today.isoformat()} for real? Expiry and write-off cannot "
        "be undone. Type yes to go on: "
    )
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() != "yes":
        raise Refused(_("not confirmed; nothing was run"), code="not_confirmed")


def _text(report: Any, step_names: list[str], verbose: bool) -> str:
    head = "dry run (nothing changed)" if report.dry_run else "daily run"
    if not report.days:
        return f"{head} for {report.today}: every day up to {report.today} was already done"
    days = (
        f"{report.days[0]}"
        if len(report.days) == 1
        else f"{report.days[0]} to {report.days[-1]} ({len(report.days)} days)"
    )
    lines = [f"{head} for {days}"]
    for instance, steps in report.totals().items():
        lines.append(f"  {instance}")
        for name in step_names:
            counts = steps.get(name, {})
            shown = ", ".join(f"{key} {value}" for key, value in counts.items()) or "nothing to do"
            lines.append(f"    {name:<13} {shown}")
    if verbose:
        for step in report.steps:
            for name, cards in step.cards.items():
                if cards:
                    lines.append(
                        f"  {step.day} {step.instance} {step.step} {name}: {' '.join(cards)}"
                    )
    return "\n".join(lines)
