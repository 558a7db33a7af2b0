"""Month arithmetic on plain dates.

Memberships always end on the last day of a month and the dunning clock
counts in calendar months, so every rule is built from these few functions.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from lidgeld.domain.sentences import RuleRefusal, gettext_noop


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def end_of_month(day: date) -> date:
    return day.replace(day=days_in_month(day.year, day.month))


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def add_months(day: date, months: int) -> date:
    """Shift by whole calendar months, clamping to the last day of shorter months."""
    index = day.year * 12 + (day.month - 1) + months
    year, month_zero = divmod(index, 12)
    month = month_zero + 1
    return date(year, month, min(day.day, days_in_month(year, month)))


def month_start(year: int, month: int) -> date:
    return date(year, month, 1)


# The years lidgeld reckons with. A typing slip such as 9999-12 or 0001-01 is well formed,
# but month arithmetic on it runs off the calendar (there is no year 10000 nor year 0),
# and no membership, fee or notice is that far away.
FIRST_YEAR = 1900
LAST_YEAR = 2999


class OutOfCalendar(RuleRefusal):
    """A well-formed month or day outside FIRST_YEAR–LAST_YEAR."""


def check_year(day: date, text: str) -> date:
    """``day`` (typed as ``text``) when its year is one lidgeld reckons with."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutOfCalendar(
            gettext_noop("'%(text)s' is too far off: the year must be %(first)s to %(last)s"),
            code="year_out_of_range",
            params={"text": text, "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return day


def parse_month(text: str) -> date:
    """Parse ``YYYY-MM`` into the first day of that month (ValueError when malformed,
    OutOfCalendar when the year is not FIRST_YEAR to LAST_YEAR)."""
    parts = text.strip().split("-")
    well_formed = (
        len(parts) == 2
        and len(parts[0]) == 4
        and 1 <= len(parts[1]) <= 2
        and all(part.isascii() and part.isdigit() for part in parts)
    )
    if not well_formed:
        raise ValueError(f"'{text}' is not a month; write it as YYYY-MM, e.g. 2026-04")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' is not a month; the month must be 01 to 12")
    return check_year(date(year, month, 1), text)


def days_of(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end`` inclusive, in order."""
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
