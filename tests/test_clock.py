"""The clock is read once per action: a Moment's day is the day of its own instant."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from lidgeld.clock import Clock, at_nine


class TickingClock(Clock):
    """A wall clock that moves a little every time it is read, from just before midnight."""

    def __init__(self, start: datetime) -> None:
        self.reads = 0
        self.start = start

    def now(self) -> datetime:
        self.reads += 1
        return self.start + timedelta(seconds=self.reads)


def test_a_moment_read_just_before_midnight_keeps_that_day_and_reads_the_clock_once():
    # given a clock one second before midnight that moves on every reading
    clock = TickingClock(timezone.make_aware(datetime(2026, 4, 30, 23, 59, 58)))
    # when an edge reads its moment
    moment = clock.moment("staff:balie-gent")
    # then today is the day of that same instant, not of a second reading after midnight
    assert (moment.now, moment.today) == (
        timezone.make_aware(datetime(2026, 4, 30, 23, 59, 59)),
        date(2026, 4, 30),
    )
    assert clock.reads == 1
    assert moment.actor == "staff:balie-gent"


def test_at_nine_is_nine_in_the_morning_of_that_day_in_the_librarys_time_zone():
    nine = timezone.localtime(at_nine(date(2026, 4, 10)))
    assert (nine.date(), nine.hour, nine.minute) == (date(2026, 4, 10), 9, 0)
