"""``lidgeld tick`` refuses to race ahead: a mistyped ``--today`` in the future, or a
catch-up of more days than a library is ever really down (a wrong system clock).

Each test runs the real command in a process of its own, on the real wall clock."""

from __future__ import annotations

import os
import pty
import subprocess
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from lidgeld.clock import Clock
from lidgeld.lifecycle.models import JobRun
from lidgeld.lifecycle.tick import CATCH_UP_DAYS, tick_run
from tests.factories import make_borrower, make_instance, make_membership, make_type
from tests.subprocess_cli import lidgeld_command, lidgeld_env, run_lidgeld

pytestmark = pytest.mark.django_db(transaction=True)


def wall_today() -> date:
    """Today as the child process sees it (Europe/Brussels)."""
    return Clock().today()


@pytest.fixture
def library():
    gent = make_instance()
    make_membership(make_borrower(gent), make_type(gent), start=date(2025, 5, 1))
    return gent


def ledger_at(day: date) -> None:
    tick_run(today=day, now=timezone.make_aware(datetime.combine(day, datetime.min.time())))


def ledger() -> list[date]:
    return sorted(set(JobRun.objects.values_list("day", flat=True)))


def test_a_today_more_than_a_day_ahead_is_refused_and_nothing_changes(library):
    # given a library whose daily run is done up to yesterday
    today = wall_today()
    ledger_at(today - timedelta(days=1))
    before = ledger()
    typo = today.replace(year=today.year + 1)

    # when someone types next year instead of this one
    done = run_lidgeld("tick", "--today", typo.isoformat())

    # then it is refused with what to check, and no day was run
    assert done.returncode == 2, done.stderr
    assert f"--today {typo.isoformat()} is" in done.stderr
    assert f"after today ({today.isoformat()})" in done.stderr
    assert "--allow-future" in done.stderr
    assert "Traceback" not in done.stderr
    assert ledger() == before


def test_tomorrow_is_still_allowed(library):
    today = wall_today()
    ledger_at(today)

    done = run_lidgeld("tick", "--today", (today + timedelta(days=1)).isoformat())

    assert done.returncode == 0, done.stderr
    assert ledger()[-1] == today + timedelta(days=1)


def test_allow_future_runs_ahead_without_asking_when_stdin_is_no_terminal(library):
    today = wall_today()
    ledger_at(today)
    ahead = today + timedelta(days=40)

    done = run_lidgeld("tick", "--today", ahead.isoformat(), "--allow-future")

    assert done.returncode == 0, done.stderr
    assert ledger()[-1] == ahead
    assert "confirm" not in done.stderr.lower()


def _on_a_terminal(argv: list[str], answer: bytes) -> tuple[int, str]:
    """Run with a pseudo-terminal as stdin, answer the question, return (code, stderr)."""
    controller, terminal = pty.openpty()
    try:
        child = subprocess.Popen(
            lidgeld_command(*argv),
            env=lidgeld_env(),
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        os.write(controller, answer)
        _out, err = child.communicate(timeout=120)
    finally:
        os.close(controller)
        os.close(terminal)
    return child.returncode, err.decode()


def test_allow_future_asks_for_confirmation_on_a_terminal(library):
    from django.db import connection

    today = wall_today()
    ledger_at(today)
    before = ledger()
    ahead = (today + timedelta(days=3)).isoformat()
    connection.close()

    # when the person at the terminal does not say yes
    code, err = _on_a_terminal(["tick", "--today", ahead, "--allow-future"], b"no\n")

    # then nothing was run
    assert code == 2, err
    assert f"up to {ahead}" in err
    assert "not confirmed" in err
    assert ledger() == before

    # and when they do, the days are run
    code, err = _on_a_terminal(["tick", "--today", ahead, "--allow-future"], b"yes\n")
    assert code == 0, err
    assert ledger()[-1].isoformat() == ahead


def test_a_catch_up_longer_than_the_bound_is_refused_until_allowed(library):
    # given a ledger that stopped long ago (or a system clock that jumped ahead)
    today = wall_today()
    last = today - timedelta(days=CATCH_UP_DAYS + 9)
    ledger_at(last)

    # when the daily run starts as usual
    done = run_lidgeld("tick")

    # then it refuses, says why and how to go on, and runs nothing
    assert done.returncode == 2, done.stderr
    assert f"last day done is {last.isoformat()}" in done.stderr
    assert f"{CATCH_UP_DAYS + 9} days at once" in done.stderr
    assert "system clock" in done.stderr
    assert "--allow-catch-up" in done.stderr
    assert ledger() == [last]

    # and with --allow-catch-up every missed day is run, in order
    done = run_lidgeld("tick", "--allow-catch-up")
    assert done.returncode == 0, done.stderr
    assert ledger()[-1] == today
    assert len(ledger()) == CATCH_UP_DAYS + 10


def test_a_catch_up_within_the_bound_needs_no_flag(library):
    today = wall_today()
    ledger_at(today - timedelta(days=CATCH_UP_DAYS))

    done = run_lidgeld("tick")

    assert done.returncode == 0, done.stderr
    assert ledger()[-1] == today


def test_the_rehearsal_is_bounded_like_the_run(library):
    today = wall_today()
    ledger_at(today)
    far = (today + timedelta(days=400)).isoformat()

    refused = run_lidgeld("tick", "--today", far, "--dry-run")
    assert refused.returncode == 2, refused.stderr
    assert "--allow-future" in refused.stderr

    allowed = run_lidgeld("tick", "--today", far, "--dry-run", "--allow-future")
    assert allowed.returncode == 0, allowed.stderr
    assert "dry run (nothing changed)" in allowed.stdout
    assert ledger() == [today]
