"""R1: membership periods and where a renewal starts."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from lidgeld.domain.months import add_months, end_of_month


class RenewalBase(enum.StrEnum):
    """Where a renewal starts (Koha's ``BorrowerRenewalPeriodBase``).

    ``COMBINATION`` is the default of R1: contiguous while the old period runs
    or ended within the grace, otherwise today.
    """

    COMBINATION = "combination"
    NOW = "now"
    EXPIRY = "expiry"


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def period_end(start: date, months: int) -> date:
    """``end = end_of_month(start + months − 1 day)``; always a month end."""
    if months < 1:
        raise ValueError("a membership period lasts at least one month")
    return end_of_month(add_months(start, months) - timedelta(days=1))


def period_from(start: date, months: int) -> Period:
    return Period(start=start, end=period_end(start, months))


def renewal_start(
    *,
    previous_end: date | None,
    today: date,
    base: RenewalBase = RenewalBase.COMBINATION,
    grace_days: int = 0,
) -> date:
    """The first day of the period a renewal made ``today`` creates."""
    if grace_days < 0:
        raise ValueError("the renewal grace cannot be negative")
    if previous_end is None or base is RenewalBase.NOW:
        return today
    if base is RenewalBase.EXPIRY:
        return previous_end + timedelta(days=1)
    if (today - previous_end).days <= grace_days:
        return previous_end + timedelta(days=1)
    return today


def renewal_period(
    *,
    previous_end: date | None,
    today: date,
    months: int,
    base: RenewalBase = RenewalBase.COMBINATION,
    grace_days: int = 0,
) -> Period:
    start = renewal_start(previous_end=previous_end, today=today, base=base, grace_days=grace_days)
    return period_from(start, months)
