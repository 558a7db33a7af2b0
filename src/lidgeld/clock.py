"""The one place that reads the wall clock.

Commands and requests ask the clock once and pass ``today`` down; tests swap
in a fixed clock.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from lidgeld.domain.moment import Moment


def at_nine(day: date) -> datetime:
    """09:00 on ``day`` in the library's time zone: the time a fixed clock stands at."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=9)))


class Clock:
    def now(self) -> datetime:
        return timezone.now()

    def today(self) -> date:
        return timezone.localdate(self.now())

    def moment(self, actor: str) -> Moment:
        """One reading of the clock for one action of ``actor``: today is the day of
        that same instant, so the two never straddle midnight."""
        now = self.now()
        return Moment(today=self.today_of(now), now=now, actor=actor)

    def today_of(self, now: datetime) -> date:
        return timezone.localdate(now)


class FixedClock(Clock):
    """A day that does not pass (09:00 unless ``now`` says otherwise)."""

    def __init__(self, today: date, now: datetime | None = None) -> None:
        self._today = today
        self._now = now

    def now(self) -> datetime:
        if self._now is not None:
            return self._now
        return at_nine(self._today)

    def today(self) -> date:
        return self._today

    def today_of(self, now: datetime) -> date:
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

    def today_of(self, now: datetime) -> date:
        return self.current.today_of(now)


clock = _CurrentClock()


def set_clock(new: Clock) -> None:
    clock.current = new
