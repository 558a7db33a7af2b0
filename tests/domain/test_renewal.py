"""R1 Month-end periods (renewal.py).

``end = end_of_month(start + months − 1 day)``; a renewal of a membership that
has not ended, or ended at most ``renewal_grace`` ago, starts the day after the
old end; otherwise it starts today. The base is configurable (combination,
now, expiry).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lidgeld.domain.months import add_months, days_in_month, end_of_month, is_month_end
from lidgeld.domain.renewal import (
    Period,
    RenewalBase,
    period_end,
    period_from,
    renewal_period,
    renewal_start,
)

PROPERTY = settings(max_examples=200, deadline=None)

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2600, 12, 31))
lengths = st.integers(min_value=1, max_value=120)
graces = st.integers(min_value=0, max_value=60)

TODAY = date(2026, 4, 10)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def last_day_of_month_index(index: int) -> date:
    year, zero_month = divmod(index, 12)
    return date(year, zero_month + 1, days_in_month(year, zero_month + 1))


def expected_end(start: date, months: int) -> date:
    """R1 worked out by hand: starting on a 1st, ``months`` whole months ending with the
    month before start+months; starting later in a month, the end of month start+months."""
    last = month_index(start) + months - (1 if start.day == 1 else 0)
    return last_day_of_month_index(last)


# --- period_end ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        # the design's examples
        (date(2026, 4, 10), 12, date(2027, 4, 30)),
        (date(2026, 5, 1), 12, date(2027, 4, 30)),
        # start on the 1st: exactly `months` whole months
        (date(2026, 1, 1), 1, date(2026, 1, 31)),
        (date(2026, 2, 1), 1, date(2026, 2, 28)),
        (date(2024, 2, 1), 1, date(2024, 2, 29)),
        (date(2026, 12, 1), 1, date(2026, 12, 31)),
        (date(2024, 2, 1), 12, date(2025, 1, 31)),
        (date(2023, 3, 1), 12, date(2024, 2, 29)),  # ends on a leap day
        (date(2024, 3, 1), 12, date(2025, 2, 28)),
        # start later in the month: the rest of that month is added
        # 31 Jan + 1 month = 28 Feb (clamped), − 1 day = 27 Feb, end of month = 28 Feb
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 1, date(2026, 2, 28)),
        (date(2026, 1, 2), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 6, date(2026, 7, 31)),
        (date(2026, 4, 30), 12, date(2027, 4, 30)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        # leap day start
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2023, 2, 15), 12, date(2024, 2, 29)),
        # December to January
        (date(2026, 12, 15), 1, date(2027, 1, 31)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 12, 15), 12, date(2027, 12, 31)),
        (date(2026, 11, 20), 2, date(2027, 1, 31)),
    ],
)
def test_period_end_follows_r1(start: date, months: int, end: date) -> None:
    # given a start and a length, when computing the end
    # then it is end_of_month(start + months − 1 day)
    assert period_end(start, months) == end
    assert period_end(start, months) == end_of_month(add_months(start, months) - timedelta(1))
    assert period_from(start, months) == Period(start=start, end=end)


@pytest.mark.parametrize("months", [0, -1, -12])
def test_a_period_lasts_at_least_one_month(months: int) -> None:
    with pytest.raises(ValueError, match="at least one month"):
        period_end(TODAY, months)


@given(start=days, months=lengths)
@PROPERTY
def test_an_end_is_always_a_month_end_not_before_the_start(start: date, months: int) -> None:
    end = period_end(start, months)
    assert is_month_end(end)
    assert end >= start
    assert end == expected_end(start, months)


@given(start=days, months=lengths)
@PROPERTY
def test_a_period_covers_its_months_and_less_than_one_month_more(start: date, months: int) -> None:
    # given a period of `months` months
    end = period_end(start, months)
    # then it reaches at least to the day before start + months ...
    assert end >= add_months(start, months) - timedelta(days=1)
    # ... and it contains at least `months` − 1 (in fact `months`) full calendar months
    first_full = month_index(start) + (0 if start.day == 1 else 1)
    full_months = month_index(end) - first_full + 1
    assert full_months >= months - 1
    assert full_months == months
    # ... but never a whole extra month beyond that
    assert end < add_months(start, months) + timedelta(days=31)


@given(start=days, months=lengths, more=st.integers(min_value=0, max_value=24))
@PROPERTY
def test_period_end_grows_with_the_length(start: date, months: int, more: int) -> None:
    assert period_end(start, months + more) >= period_end(start, months)


@given(a=days, b=days, months=lengths)
@PROPERTY
def test_a_later_start_never_gives_an_earlier_end(a: date, b: date, months: int) -> None:
    earlier, later = sorted((a, b))
    assert period_end(later, months) >= period_end(earlier, months)


# --- renewal_start ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous_end", "grace_days", "expected_start"),
    [
        # not ended yet: contiguous
        (date(2026, 4, 30), 0, date(2026, 5, 1)),
        (date(2027, 3, 31), 0, date(2027, 4, 1)),
        # ends today (today is its last valid day): still contiguous
        (TODAY, 0, TODAY + timedelta(days=1)),
        # ended yesterday, grace 0: starts today (which is also the day after the old end)
        (TODAY - timedelta(days=1), 0, TODAY),
        # ended ten days ago, no grace: starts today, the gap is not bridged
        (date(2026, 3, 31), 0, TODAY),
        # grace 5 days: ended 5 days ago -> contiguous, 6 days ago -> today
        (TODAY - timedelta(days=5), 5, TODAY - timedelta(days=4)),
        (TODAY - timedelta(days=6), 5, TODAY),
        # a generous grace bridges the gap back to the 1st
        (date(2026, 3, 31), 15, date(2026, 4, 1)),
        (date(2026, 3, 31), 10, date(2026, 4, 1)),
        (date(2026, 3, 31), 9, TODAY),
    ],
)
def test_renewal_start_combination(
    previous_end: date, grace_days: int, expected_start: date
) -> None:
    # given a previous end and a grace, when renewing today with base combination
    start = renewal_start(previous_end=previous_end, today=TODAY, grace_days=grace_days)
    # then the renewal starts as R1 says
    assert start == expected_start


def test_combination_is_the_default_base() -> None:
    previous_end = date(2026, 4, 30)
    assert renewal_start(previous_end=previous_end, today=TODAY) == renewal_start(
        previous_end=previous_end, today=TODAY, base=RenewalBase.COMBINATION, grace_days=0
    )


@pytest.mark.parametrize("base", list(RenewalBase))
def test_without_a_previous_membership_a_renewal_starts_today(base: RenewalBase) -> None:
    assert renewal_start(previous_end=None, today=TODAY, base=base) == TODAY


@pytest.mark.parametrize(
    ("previous_end", "expected_start"),
    [
        (date(2026, 4, 30), TODAY),  # even while the old period runs
        (TODAY, TODAY),
        (date(2026, 3, 31), TODAY),
        (date(2020, 1, 31), TODAY),
    ],
)
def test_renewal_start_base_now_is_always_today(previous_end: date, expected_start: date) -> None:
    start = renewal_start(previous_end=previous_end, today=TODAY, base=RenewalBase.NOW)
    assert start == expected_start


@pytest.mark.parametrize(
    ("previous_end", "expected_start"),
    [
        (date(2026, 4, 30), date(2026, 5, 1)),
        (date(2026, 3, 31), date(2026, 4, 1)),
        (date(2025, 1, 31), date(2025, 2, 1)),  # however long ago
        (date(2026, 12, 31), date(2027, 1, 1)),
    ],
)
def test_renewal_start_base_expiry_is_always_the_day_after_the_old_end(
    previous_end: date, expected_start: date
) -> None:
    start = renewal_start(previous_end=previous_end, today=TODAY, base=RenewalBase.EXPIRY)
    assert start == expected_start


def test_a_negative_grace_is_refused() -> None:
    with pytest.raises(ValueError, match="grace"):
        renewal_start(previous_end=date(2026, 3, 31), today=TODAY, grace_days=-1)


@pytest.mark.parametrize(
    ("previous_end", "grace_days", "expected"),
    [
        # running membership renewed for 12 months: one year on, month-end to month-end
        (date(2026, 4, 30), 0, Period(date(2026, 5, 1), date(2027, 4, 30))),
        # expired on 31 March, renewed on 10 April without grace: 10 April to 30 April 2027
        (date(2026, 3, 31), 0, Period(TODAY, date(2027, 4, 30))),
        # the same with a grace that covers the gap: contiguous, 1 April to 31 March 2027
        (date(2026, 3, 31), 15, Period(date(2026, 4, 1), date(2027, 3, 31))),
    ],
)
def test_renewal_period(previous_end: date, grace_days: int, expected: Period) -> None:
    period = renewal_period(
        previous_end=previous_end, today=TODAY, months=12, grace_days=grace_days
    )
    assert period == expected


# --- properties of renewal_start -------------------------------------------------------


@given(previous_end=days, today=days, grace=graces)
@PROPERTY
def test_combination_is_contiguous_exactly_within_the_grace(
    previous_end: date, today: date, grace: int
) -> None:
    # given any old end, today and grace, when renewing with base combination
    start = renewal_start(previous_end=previous_end, today=today, grace_days=grace)
    contiguous = start == previous_end + timedelta(days=1)
    # then it is contiguous when the old period runs or ended at most `grace` days ago
    if (today - previous_end).days <= grace:
        assert contiguous
    else:
        # otherwise it starts today
        assert start == today
    # and it never overlaps the old period
    assert start > previous_end


@given(previous_end=days, today=days, base=st.sampled_from(list(RenewalBase)), grace=graces)
@PROPERTY
def test_renewal_starts_either_today_or_the_day_after_the_old_end(
    previous_end: date, today: date, base: RenewalBase, grace: int
) -> None:
    start = renewal_start(previous_end=previous_end, today=today, base=base, grace_days=grace)
    assert start in {today, previous_end + timedelta(days=1)}
    if base is RenewalBase.NOW:
        assert start == today
    if base is RenewalBase.EXPIRY:
        assert start == previous_end + timedelta(days=1)


@given(start=days, months=lengths, renewal_months=lengths, data=st.data())
@PROPERTY
def test_a_contiguous_renewal_starts_the_day_after_the_previous_end(
    start: date, months: int, renewal_months: int, data: st.DataObject
) -> None:
    # given a membership, and a renewal made on any day while it still runs
    previous = period_from(start, months)
    today = data.draw(st.dates(min_value=previous.start, max_value=previous.end), label="today")
    # when renewing
    renewed = renewal_period(previous_end=previous.end, today=today, months=renewal_months)
    # then the new period starts exactly the day after the previous end: no gap, no overlap
    assert renewed.start == previous.end + timedelta(days=1)
    assert renewed.start.day == 1
    # and it runs exactly `renewal_months` whole months to a month end
    assert month_index(renewed.end) == month_index(previous.end) + renewal_months
    assert is_month_end(renewed.end)


@given(first=days, lengths_in_chain=st.lists(lengths, min_size=1, max_size=6))
@PROPERTY
def test_a_chain_of_contiguous_renewals_adds_up(first: date, lengths_in_chain: list[int]) -> None:
    # given a first period, when it is renewed contiguously (on its last day) several times
    period = period_from(first, lengths_in_chain[0])
    initial_end = period.end
    for months in lengths_in_chain[1:]:
        period = renewal_period(previous_end=period.end, today=period.end, months=months)
    # then the last end lies exactly the sum of the renewal lengths after the first end
    assert month_index(period.end) == month_index(initial_end) + sum(lengths_in_chain[1:])
    assert is_month_end(period.end)
