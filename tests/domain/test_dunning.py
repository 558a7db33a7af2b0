"""R6 Unpaid contribution timeline (dunning.py).

A contribution booked in month M and still open: OPEN from booking, REMINDER
from the 1st of M+1, UNPAID from the 1st of M+6, written off from the 1st of
M+8 (defaults from the seed, configurable per instance).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lidgeld.domain.dunning import (
    CONTRIBUTION_CODES,
    STAGE_ORDER,
    DunningPolicy,
    Stage,
    booked_before_for,
    effective_stage,
    is_contribution,
    stage_dates,
    stage_on,
    stage_starts_on,
)
from lidgeld.domain.months import days_of, first_of_month

PROPERTY = settings(max_examples=200, deadline=None)

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2600, 12, 31))
month_offsets = st.integers(min_value=0, max_value=36)

APRIL_2026 = days_of(date(2026, 4, 1), date(2026, 4, 30))


@st.composite
def policies(draw: st.DrawFn) -> DunningPolicy:
    reminder = draw(st.integers(min_value=1, max_value=12))
    unpaid = draw(st.integers(min_value=reminder + 1, max_value=reminder + 12))
    write_off = draw(st.integers(min_value=unpaid + 1, max_value=unpaid + 12))
    return DunningPolicy(reminder, unpaid, write_off)


def day_before(day: date) -> date:
    return day - timedelta(days=1)


# --- the seed's worked example ---------------------------------------------------------


@pytest.mark.parametrize("booked_on", APRIL_2026, ids=str)
def test_the_seeds_worked_example(booked_on: date) -> None:
    # given a renewal on any day of April 2026 with the fee left open
    def stage(today: date) -> Stage:
        return stage_on(booked_on, today)

    # then it is OPEN from booking through 30 April
    assert stage(booked_on) is Stage.OPEN
    assert stage(date(2026, 4, 30)) is Stage.OPEN
    # REMINDER ("herinnering") from 1 May 2026, still on 30 September
    assert stage(date(2026, 5, 1)) is Stage.REMINDER
    assert stage(date(2026, 9, 30)) is Stage.REMINDER
    # UNPAID ("niet betaald") from 1 October 2026, still on 30 November
    assert stage(date(2026, 10, 1)) is Stage.UNPAID
    assert stage(date(2026, 11, 30)) is Stage.UNPAID
    # written off (membership invalid) from 1 December 2026, and it stays so
    assert stage(date(2026, 12, 1)) is Stage.WRITTEN_OFF
    assert stage(date(2027, 6, 1)) is Stage.WRITTEN_OFF


@pytest.mark.parametrize("booked_on", APRIL_2026, ids=str)
def test_the_seeds_worked_example_day_by_day(booked_on: date) -> None:
    # given a contribution booked in April 2026, when walking every day to January 2027
    for today in days_of(booked_on, date(2027, 1, 31)):
        stage = stage_on(booked_on, today)
        # then each day has the stage of its month
        if today < date(2026, 5, 1):
            assert stage is Stage.OPEN, today
        elif today < date(2026, 10, 1):
            assert stage is Stage.REMINDER, today
        elif today < date(2026, 12, 1):
            assert stage is Stage.UNPAID, today
        else:
            assert stage is Stage.WRITTEN_OFF, today


@pytest.mark.parametrize("booked_on", APRIL_2026, ids=str)
def test_stage_dates_of_the_seeds_worked_example(booked_on: date) -> None:
    assert stage_dates(booked_on) == {
        Stage.OPEN: booked_on,
        Stage.REMINDER: date(2026, 5, 1),
        Stage.UNPAID: date(2026, 10, 1),
        Stage.WRITTEN_OFF: date(2026, 12, 1),
    }


@pytest.mark.parametrize(
    ("booked_on", "reminder", "unpaid", "written_off"),
    [
        # booked in the last days of the year: the clock crosses the year boundary
        (date(2026, 12, 31), date(2027, 1, 1), date(2027, 6, 1), date(2027, 8, 1)),
        (date(2026, 11, 15), date(2026, 12, 1), date(2027, 5, 1), date(2027, 7, 1)),
        (date(2026, 5, 31), date(2026, 6, 1), date(2026, 11, 1), date(2027, 1, 1)),
        # booked on 1st: the month counts, not 30 days
        (date(2026, 1, 1), date(2026, 2, 1), date(2026, 7, 1), date(2026, 9, 1)),
        # February in a leap year
        (date(2024, 2, 29), date(2024, 3, 1), date(2024, 8, 1), date(2024, 10, 1)),
    ],
)
def test_stage_dates_by_month_of_booking(
    booked_on: date, reminder: date, unpaid: date, written_off: date
) -> None:
    assert stage_dates(booked_on) == {
        Stage.OPEN: booked_on,
        Stage.REMINDER: reminder,
        Stage.UNPAID: unpaid,
        Stage.WRITTEN_OFF: written_off,
    }
    # and the day before each date is still the previous stage
    assert stage_on(booked_on, day_before(reminder)) is Stage.OPEN
    assert stage_on(booked_on, day_before(unpaid)) is Stage.REMINDER
    assert stage_on(booked_on, day_before(written_off)) is Stage.UNPAID


def test_before_booking_a_contribution_is_only_open() -> None:
    assert stage_on(date(2026, 4, 10), date(2026, 3, 1)) is Stage.OPEN


@pytest.mark.parametrize(
    ("booked_on", "months_after", "expected"),
    [
        (date(2026, 4, 10), 0, date(2026, 4, 1)),
        (date(2026, 4, 10), 1, date(2026, 5, 1)),
        (date(2026, 4, 30), 6, date(2026, 10, 1)),
        (date(2026, 4, 1), 8, date(2026, 12, 1)),
        (date(2026, 12, 31), 1, date(2027, 1, 1)),
        (date(2026, 12, 31), 13, date(2028, 1, 1)),
    ],
)
def test_stage_starts_on(booked_on: date, months_after: int, expected: date) -> None:
    assert stage_starts_on(booked_on, months_after) == expected


@pytest.mark.parametrize(
    ("today", "months_after", "expected"),
    [
        # on 1 May 2026 the reminder applies to everything booked before 1 May (April or earlier)
        (date(2026, 5, 1), 1, date(2026, 5, 1)),
        # on 30 April it applies to what was booked before 1 April
        (date(2026, 4, 30), 1, date(2026, 4, 1)),
        # on 1 October 2026: UNPAID for bookings before 1 May 2026
        (date(2026, 10, 1), 6, date(2026, 5, 1)),
        # on 1 December 2026: write-off for bookings before 1 May 2026
        (date(2026, 12, 1), 8, date(2026, 5, 1)),
        (date(2026, 11, 30), 8, date(2026, 4, 1)),
        (date(2027, 1, 15), 1, date(2027, 1, 1)),
    ],
)
def test_booked_before_for(today: date, months_after: int, expected: date) -> None:
    assert booked_before_for(today, months_after) == expected


# --- properties ------------------------------------------------------------------------


@given(booked_on=days, today=days, months_after=month_offsets)
@PROPERTY
def test_booked_before_for_agrees_with_stage_starts_on(
    booked_on: date, today: date, months_after: int
) -> None:
    # the set-based form (daily job: "all items booked before X") and the per-item form agree
    reached = stage_starts_on(booked_on, months_after) <= today
    assert reached == (booked_on < booked_before_for(today, months_after))


@given(booked_on=days, today=days, later=st.integers(min_value=0, max_value=800))
@PROPERTY
def test_a_stage_never_goes_back_as_today_advances(
    booked_on: date, today: date, later: int
) -> None:
    before = stage_on(booked_on, today)
    after = stage_on(booked_on, today + timedelta(days=later))
    assert STAGE_ORDER.index(after) >= STAGE_ORDER.index(before)


@given(booked_on=days, today=days, policy=policies(), later=st.integers(0, 800))
@PROPERTY
def test_a_stage_never_goes_back_under_any_policy(
    booked_on: date, today: date, policy: DunningPolicy, later: int
) -> None:
    before = stage_on(booked_on, today, policy)
    after = stage_on(booked_on, today + timedelta(days=later), policy)
    assert STAGE_ORDER.index(after) >= STAGE_ORDER.index(before)


@given(a=days, b=days, today=days, policy=policies())
@PROPERTY
def test_only_the_month_of_booking_counts(
    a: date, b: date, today: date, policy: DunningPolicy
) -> None:
    # given two bookings in the same month, then they share every stage on every day
    same_month = b.replace(year=a.year, month=a.month, day=min(b.day, 28))
    assert stage_on(a, today, policy) == stage_on(same_month, today, policy)


@given(booked_on=days, today=days, policy=policies())
@PROPERTY
def test_stage_on_agrees_with_stage_dates(
    booked_on: date, today: date, policy: DunningPolicy
) -> None:
    # given the timeline staff are shown, then the stage on any day is the last one started
    dates = stage_dates(booked_on, policy)
    started = [stage for stage in STAGE_ORDER[1:] if dates[stage] <= today]
    expected = started[-1] if started else Stage.OPEN
    assert stage_on(booked_on, today, policy) is expected
    # and every stage after OPEN starts on a 1st, in order, after the month of booking
    later_dates = [dates[stage] for stage in STAGE_ORDER[1:]]
    assert all(day.day == 1 for day in later_dates)
    assert later_dates == sorted(later_dates)
    assert len(set(later_dates)) == 3
    assert later_dates[0] > first_of_month(booked_on)


@given(booked_on=days)
@PROPERTY
def test_on_the_day_of_booking_a_contribution_is_open(booked_on: date) -> None:
    assert stage_on(booked_on, booked_on) is Stage.OPEN


# --- custom policies -------------------------------------------------------------------


def test_the_default_policy_is_the_seeds() -> None:
    assert DunningPolicy() == DunningPolicy(reminder_months=1, unpaid_months=6, write_off_months=8)
    assert DunningPolicy().transitions() == (
        (Stage.OPEN, Stage.REMINDER, 1),
        (Stage.REMINDER, Stage.UNPAID, 6),
        (Stage.UNPAID, Stage.WRITTEN_OFF, 8),
    )


def test_a_custom_policy_moves_the_dates() -> None:
    # given an instance that reminds after 2 months, blocks after 4 and writes off after 12
    policy = DunningPolicy(reminder_months=2, unpaid_months=4, write_off_months=12)
    booked_on = date(2026, 11, 15)
    # then the timeline follows it, across the year boundary
    assert stage_dates(booked_on, policy) == {
        Stage.OPEN: booked_on,
        Stage.REMINDER: date(2027, 1, 1),
        Stage.UNPAID: date(2027, 3, 1),
        Stage.WRITTEN_OFF: date(2027, 11, 1),
    }
    assert stage_on(booked_on, date(2026, 12, 31), policy) is Stage.OPEN
    assert stage_on(booked_on, date(2027, 1, 1), policy) is Stage.REMINDER
    assert stage_on(booked_on, date(2027, 2, 28), policy) is Stage.REMINDER
    assert stage_on(booked_on, date(2027, 3, 1), policy) is Stage.UNPAID
    assert stage_on(booked_on, date(2027, 10, 31), policy) is Stage.UNPAID
    assert stage_on(booked_on, date(2027, 11, 1), policy) is Stage.WRITTEN_OFF
    # while the default policy would already have written it off
    assert stage_on(booked_on, date(2027, 10, 31)) is Stage.WRITTEN_OFF


def test_the_tightest_policy_is_accepted() -> None:
    policy = DunningPolicy(1, 2, 3)
    booked_on = date(2026, 4, 10)
    assert stage_on(booked_on, date(2026, 5, 1), policy) is Stage.REMINDER
    assert stage_on(booked_on, date(2026, 6, 1), policy) is Stage.UNPAID
    assert stage_on(booked_on, date(2026, 7, 1), policy) is Stage.WRITTEN_OFF


@pytest.mark.parametrize(
    ("reminder", "unpaid", "write_off"),
    [
        (0, 6, 8),  # a reminder in the month of booking
        (-1, 6, 8),
        (1, 1, 8),  # equal delays
        (1, 6, 6),
        (6, 6, 6),
        (3, 2, 8),  # shrinking delays
        (1, 9, 8),
        (8, 6, 1),
    ],
)
def test_a_policy_whose_delays_do_not_grow_is_refused(
    reminder: int, unpaid: int, write_off: int
) -> None:
    with pytest.raises(ValueError, match="must grow"):
        DunningPolicy(reminder, unpaid, write_off)


# -- the stage that counts today, and what a contribution is ------------------------


def test_the_effective_stage_follows_the_pipeline_up_to_unpaid():
    booked = date(2025, 4, 10)
    assert effective_stage(booked, date(2025, 4, 30)) is Stage.OPEN
    assert effective_stage(booked, date(2025, 5, 1)) is Stage.REMINDER
    assert effective_stage(booked, date(2025, 10, 1)) is Stage.UNPAID


def test_past_its_write_off_day_a_fee_not_yet_written_off_is_still_unpaid():
    # given the seed's policy, a fee of April 2025 is written off on 1 December 2025
    booked = date(2025, 4, 10)
    assert stage_on(booked, date(2025, 12, 1)) is Stage.WRITTEN_OFF
    # then, until the daily run writes it off, it counts as unpaid
    assert effective_stage(booked, date(2025, 12, 1)) is Stage.UNPAID
    assert effective_stage(booked, date(2027, 1, 1)) is Stage.UNPAID


@PROPERTY
@given(
    booked=st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    days=st.integers(0, 1000),
    delays=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
)
def test_the_effective_stage_is_the_stage_capped_at_unpaid(booked, days, delays):
    reminder = delays[0]
    policy = DunningPolicy(reminder, reminder + delays[1], reminder + delays[1] + delays[2])
    today = booked + timedelta(days=days)
    stage = stage_on(booked, today, policy)
    expected = Stage.UNPAID if stage is Stage.WRITTEN_OFF else stage
    assert effective_stage(booked, today, policy) is expected


def test_contributions_are_the_booking_codes_1000_to_1999():
    assert CONTRIBUTION_CODES == (1000, 1999)
    assert [is_contribution(c) for c in (999, 1000, 1500, 1999, 2000)] == [
        False, True, True, True, False,
    ]  # fmt: skip
