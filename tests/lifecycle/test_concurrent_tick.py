"""A second daily run while one is busy neither waits for it nor does its work again."""

import threading
from datetime import date, datetime

import pytest
from django.db import connection
from django.utils import timezone

from lidgeld.lifecycle import tick
from lidgeld.lifecycle.locks import Busy
from lidgeld.lifecycle.models import JobRun
from lidgeld.memberships.models import Membership, MembershipStatus
from lidgeld.notices.models import Message
from tests.factories import make_borrower, make_instance, make_membership, make_type

DAY = date(2026, 4, 1)
NOW = timezone.make_aware(datetime(2026, 4, 1, 2, 0))


def _steps_waiting_in_the_first():
    """The daily run's steps, the first of which waits inside until released."""
    inside_first_step = threading.Event()
    release = threading.Event()
    first_step = tick.STEPS[0]

    def slow(**kwargs):
        inside_first_step.set()
        assert release.wait(timeout=30)
        return first_step.run(**kwargs)

    return (tick.Step(first_step.name, slow, ""), *tick.STEPS[1:]), inside_first_step, release


@pytest.mark.django_db(transaction=True)
def test_a_second_tick_while_one_is_busy_returns_at_once(monkeypatch):
    instance = make_instance()
    make_membership(make_borrower(instance), make_type(instance), start=date(2025, 5, 1))
    tick.tick_run(today=date(2026, 3, 31), now=NOW)
    slow_steps, inside_first_step, release = _steps_waiting_in_the_first()
    monkeypatch.setattr(tick, "STEPS", slow_steps)
    errors = []

    def first_run() -> None:
        try:
            tick.tick_run(today=DAY, now=NOW)
        except Exception as error:  # asserted below
            errors.append(error)
        finally:
            connection.close()

    runner = threading.Thread(target=first_run)
    runner.start()
    try:
        assert inside_first_step.wait(timeout=30)
        # when a second run starts while the first is busy
        with pytest.raises(Busy):
            tick.tick_run(today=DAY, now=NOW)
    finally:
        release.set()
        runner.join(timeout=60)

    # then the first run finished alone and did each step once
    assert errors == []
    assert JobRun.objects.filter(day=DAY).count() == len(tick.STEPS)
    assert Message.objects.count() == 1
    # and a run afterwards finds nothing left to do
    monkeypatch.undo()
    assert tick.tick_run(today=DAY, now=NOW).days == []
    assert Membership.objects.filter(status=MembershipStatus.ACTIVE).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_rehearsal_never_turns_the_real_run_away(monkeypatch):
    # given a dry run (the dashboard's) that is busy in its first step
    instance = make_instance()
    make_membership(make_borrower(instance), make_type(instance), start=date(2025, 5, 1))
    tick.tick_run(today=date(2026, 3, 31), now=NOW)
    rehearsal_steps, inside_first_step, release = _steps_waiting_in_the_first()
    real_steps = tick.STEPS
    errors = []

    def rehearse() -> None:
        try:
            monkeypatch.setattr(tick, "STEPS", rehearsal_steps)
            tick.tick_run(today=DAY, now=NOW, dry_run=True)
        except Exception as error:  # asserted below
            errors.append(error)
        finally:
            connection.close()

    rehearsal = threading.Thread(target=rehearse)
    rehearsal.start()
    try:
        assert inside_first_step.wait(timeout=30)
        monkeypatch.setattr(tick, "STEPS", real_steps)
        # when the real run starts, it is not refused as busy and does the day
        assert tick.tick_run(today=DAY, now=NOW).days == [DAY]
    finally:
        release.set()
        rehearsal.join(timeout=60)
    # and the rehearsal, overtaken, says so instead of failing with a database error
    assert [type(error) for error in errors] == [Busy]
    assert JobRun.objects.filter(day=DAY).count() == len(tick.STEPS)
