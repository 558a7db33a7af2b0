"""Month arithmetic (months.py): the bricks R1 and R6 are built from.

Each test reads as given / when / then. Table tests pin the calendar corners
(31st, February in leap and non-leap years, December to January, clamping,
negative shifts); property tests state what must hold for every date.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lidgeld.domain.months import (
    FIRST_YEAR,
    LAST_YEAR,
    OutOfCalendar,
    add_months,
    days_in_month,
    days_of,
    end_of_month,
    first_of_month,
    is_month_end,
    month_start,
    parse_month,
)

PROPERTY = settings(max_examples=200, deadline=None)

# Far enough from date.min / date.max that shifting by up to 100 years stays valid.
days = st.dates(min_value=date(1800, 1, 1), max_value=date(2800, 12, 31))
month_shifts = st.integers(min_value=-1200, max_value=1200)


def month_index(day: date) -> int:
    """Months since year 0, an independent way to count calendar months."""
    return day.year * 12 + day.month - 1


# --- end_of_month / days_in_month -------------------------------------------------


@pytest.mark.parametrize(
    ("given_day", "expected_end"),
    [
        # months with 31 days
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 3, 15), date(2026, 3, 31)),
        (date(2026, 5, 31), date(2026, 5, 31)),
        (date(2026, 7, 2), date(2026, 7, 31)),
        (date(2026, 8, 30), date(2026, 8, 31)),
        (date(2026, 10, 10), date(2026, 10, 31)),
        (date(2026, 12, 1), date(2026, 12, 31)),
        # months with 30 days
        (date(2026, 4, 10), date(2026, 4, 30)),
        (date(2026, 6, 30), date(2026, 6, 30)),
        (date(2026, 9, 1), date(2026, 9, 30)),
        (date(2026, 11, 29), date(2026, 11, 30)),
        # February: leap (divisible by 4; by 400), non-leap (plain; century not by 400)
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2000, 2, 14), date(2000, 2, 29)),
        (date(2025, 2, 1), date(2025, 2, 28)),
        (date(1900, 2, 10), date(1900, 2, 28)),
        (date(2100, 2, 10), date(2100, 2, 28)),
    ],
)
def test_end_of_month_is_the_last_calendar_day(given_day: date, expected_end: date) -> None:
    # given a day, when asking for the end of its month, then it is the last calendar day
    assert end_of_month(given_day) == expected_end


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2024, 2, 29),
        (2000, 2, 29),
        (2025, 2, 28),
        (1900, 2, 28),
        (2026, 1, 31),
        (2026, 4, 30),
        (2026, 12, 31),
    ],
)
def test_days_in_month(year: int, month: int, expected: int) -> None:
    assert days_in_month(year, month) == expected


@given(day=days)
@PROPERTY
def test_end_of_month_stays_in_the_month_and_the_next_day_starts_a_new_one(day: date) -> None:
    # given any day, when taking the end of its month
    end = end_of_month(day)
    # then it is in the same month, not before the day, and the next day is a 1st
    assert (end.year, end.month) == (day.year, day.month)
    assert end >= day
    assert (end + timedelta(days=1)).day == 1
    assert end_of_month(end) == end  # idempotent


# --- is_month_end ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_day", "expected"),
    [
        (date(2026, 1, 31), True),
        (date(2026, 1, 30), False),
        (date(2026, 4, 30), True),
        (date(2026, 3, 30), False),  # the 30th is not the end of a 31-day month
        (date(2024, 2, 29), True),
        (date(2024, 2, 28), False),  # leap year: 28 Feb is not the end
        (date(2025, 2, 28), True),
        (date(1900, 2, 28), True),
        (date(2000, 2, 28), False),
        (date(2000, 2, 29), True),
        (date(2026, 12, 31), True),  # year end
        (date(2026, 1, 1), False),
    ],
)
def test_is_month_end(given_day: date, expected: bool) -> None:
    assert is_month_end(given_day) is expected


@given(day=days)
@PROPERTY
def test_is_month_end_agrees_with_end_of_month(day: date) -> None:
    assert is_month_end(day) == (day == end_of_month(day))


# --- first_of_month / month_start ----------------------------------------------------


@pytest.mark.parametrize(
    ("given_day", "expected"),
    [
        (date(2026, 4, 30), date(2026, 4, 1)),
        (date(2026, 1, 1), date(2026, 1, 1)),
        (date(2024, 2, 29), date(2024, 2, 1)),
        (date(2026, 12, 31), date(2026, 12, 1)),
    ],
)
def test_first_of_month(given_day: date, expected: date) -> None:
    assert first_of_month(given_day) == expected


@given(day=days)
@PROPERTY
def test_first_of_month_is_day_one_of_the_same_month(day: date) -> None:
    first = first_of_month(day)
    assert first.day == 1
    assert (first.year, first.month) == (day.year, day.month)
    assert first <= day
    assert month_start(day.year, day.month) == first


# --- add_months ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_day", "months", "expected"),
    [
        # plain shifts
        (date(2026, 4, 10), 1, date(2026, 5, 10)),
        (date(2026, 4, 10), 12, date(2027, 4, 10)),
        (date(2026, 4, 10), 0, date(2026, 4, 10)),
        # December -> January: the year changes
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 12, 31), 1, date(2026, 1, 31)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),
        (date(2026, 1, 1), 24, date(2028, 1, 1)),
        # clamping: the 31st into shorter months
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2000, 1, 31), 1, date(2000, 2, 29)),
        (date(1900, 1, 31), 1, date(1900, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2026, 1, 29), 1, date(2026, 2, 28)),
        (date(2024, 1, 29), 1, date(2024, 2, 29)),
        # 29 February a year on
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        # negative months
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2026, 5, 31), -1, date(2026, 4, 30)),
        (date(2026, 1, 31), -13, date(2024, 12, 31)),
        (date(2026, 3, 31), -25, date(2024, 2, 29)),
        (date(2026, 4, 10), -12, date(2025, 4, 10)),
        (date(2026, 1, 1), -1, date(2025, 12, 1)),
    ],
)
def test_add_months(given_day: date, months: int, expected: date) -> None:
    # given a day, when shifting it by whole months, then the calendar day is kept or clamped
    assert add_months(given_day, months) == expected


@given(day=days, months=month_shifts)
@PROPERTY
def test_add_months_lands_in_the_right_month_with_a_clamped_day(day: date, months: int) -> None:
    # given any day and shift, when adding months
    shifted = add_months(day, months)
    # then the month moves by exactly that many calendar months
    assert month_index(shifted) == month_index(day) + months
    # and the day is kept, or clamped to the last day of a shorter month
    assert shifted.day == min(day.day, days_in_month(shifted.year, shifted.month))


@given(day=days, first=month_shifts, second=month_shifts)
@PROPERTY
def test_add_months_composes_for_days_every_month_has(day: date, first: int, second: int) -> None:
    # given a day on or before the 28th (never clamped)
    day = day.replace(day=min(day.day, 28))
    # when shifting twice, then it equals one shift by the sum, and shifting back returns it
    assert add_months(add_months(day, first), second) == add_months(day, first + second)
    assert add_months(add_months(day, first), -first) == day


@given(day=days, months=month_shifts)
@PROPERTY
def test_add_months_keeps_month_ends_of_long_months_clamped_not_overflowed(
    day: date, months: int
) -> None:
    # given the last day of any month, when shifting, then the result never spills
    # into the following month (no 31 Jan + 1 month = 3 March)
    end = end_of_month(day)
    shifted = add_months(end, months)
    assert month_index(shifted) == month_index(end) + months
    assert shifted <= end_of_month(shifted)


# --- parse_month -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04", date(2026, 4, 1)),
        ("2026-4", date(2026, 4, 1)),
        ("2026-12", date(2026, 12, 1)),
        ("2026-01", date(2026, 1, 1)),
        ("2024-02", date(2024, 2, 1)),
        (" 2026-04 ", date(2026, 4, 1)),
    ],
)
def test_parse_month_gives_the_first_of_the_month(text: str, expected: date) -> None:
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026/04",
        "april",
        "April 2026",
        "",
        "2026",
        "26-04",
        "2026-004",
        "2026-04-01",
        "04-2026",
        "2026-ab",
    ],
)
def test_parse_month_rejects_what_is_not_a_month(text: str) -> None:
    # given text that is not YYYY-MM, when parsing, then a ValueError says so
    with pytest.raises(ValueError, match=r"not a month|invalid literal"):
        parse_month(text)


@pytest.mark.parametrize("text", ["2026-13", "2026/04", "april"])
def test_parse_month_error_explains_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match="not a month") as error:
        parse_month(text)
    assert text in str(error.value)


# int() alone would accept signs and inner spaces ("2026-+4" as April 2026);
# the docstring promises a ValueError for anything malformed.
@pytest.mark.parametrize("text", ["2026-+4", "2026- 4", "+026-04", "2026--4", "-2026-04"])
def test_parse_month_rejects_signs_and_inner_spaces(text: str) -> None:
    with pytest.raises(ValueError, match="not a month"):
        parse_month(text)


@given(year=st.integers(min_value=FIRST_YEAR, max_value=LAST_YEAR), month=st.integers(1, 12))
@PROPERTY
def test_parse_month_round_trips_the_iso_form(year: int, month: int) -> None:
    assert parse_month(f"{year:04d}-{month:02d}") == date(year, month, 1)


@pytest.mark.parametrize("text", ["9999-12", "0001-01", "1899-12", "3000-01"])
def test_a_month_too_far_off_is_refused_before_its_arithmetic_runs_off_the_calendar(
    text: str,
) -> None:
    # 9999-12 has no next month and 0001-01 no previous one: a page showing either
    # would fail; the year range says what to type instead.
    with pytest.raises(OutOfCalendar, match="the year must be 1900 to 2999") as error:
        parse_month(text)
    assert str(error.value).startswith(f"'{text}' is too far off")


@given(year=st.integers(min_value=FIRST_YEAR, max_value=LAST_YEAR), month=st.integers(1, 12))
@PROPERTY
def test_every_month_in_the_years_has_a_month_before_and_after(year: int, month: int) -> None:
    first = parse_month(f"{year:04d}-{month:02d}")
    assert add_months(first, -1) < first < add_months(first, 1)


# --- days_of ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (
            date(2026, 2, 27),
            date(2026, 3, 2),
            [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)],
        ),
        (
            date(2024, 2, 28),
            date(2024, 3, 1),
            [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)],
        ),
        (
            date(2025, 12, 31),
            date(2026, 1, 1),
            [date(2025, 12, 31), date(2026, 1, 1)],
        ),
        (date(2026, 4, 10), date(2026, 4, 10), [date(2026, 4, 10)]),
        (date(2026, 4, 10), date(2026, 4, 9), []),
    ],
)
def test_days_of(start: date, end: date, expected: list[date]) -> None:
    assert days_of(start, end) == expected


@pytest.mark.parametrize(
    ("year", "month", "count"),
    [(2024, 2, 29), (2000, 2, 29), (2025, 2, 28), (1900, 2, 28), (2026, 4, 30), (2026, 12, 31)],
)
def test_days_of_a_whole_month(year: int, month: int, count: int) -> None:
    first = month_start(year, month)
    assert len(days_of(first, end_of_month(first))) == count


@given(start=days, length=st.integers(min_value=0, max_value=400))
@PROPERTY
def test_days_of_is_every_day_once_in_order(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    listed = days_of(start, end)
    assert len(listed) == length + 1
    assert listed[0] == start
    assert listed[-1] == end
    assert all(b - a == timedelta(days=1) for a, b in pairwise(listed))
