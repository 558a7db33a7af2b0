"""The one place that reads the wall clock.

Commands and requests ask the clock once and pass ``today`` down; tests swap
in a fixed clock.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


class Clock:
    def now(self) -> datetime:
        return timezone.now()

    def today(self) -> date:
        return timezone.localdate(self.now())


class FixedClock(Clock):
    """A day that does not pass (09:00 unless ``now`` says otherwise)."""

    def __init__(self, today: date, now: datetime | None = None) -> None:
        self._today = today
        self._now = now

    def now(self) -> datetime:
        if self._now is not None:
            return self._now
        return timezone.make_aware(
            datetime.combine(self._today, datetime.min.time().replace(hour=9))
        )

    def today(self) -> date:
        return self._today


class _CurrentClock(Clock):
    """What ``from lidgeld.clock import clock`` gives: it always asks the clock set
    last, so a module that imported it early still follows ``set_clock``."""

    def __init__(self) -> None:
        self.current: Clock = Clock()

    def now(self) -> datetime:
        return self.current.now()

    def today(self) -> date:
        return self.current.today()


clock = _CurrentClock()


def set_clock(new: Clock) -> None:
    clock.current = new
