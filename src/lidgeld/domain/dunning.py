"""R6: the unpaid-contribution clock, declared as data.

A contribution booked in month M and still open moves one stage forward on
the 1st of M+n for each step of the pipeline below. The pipeline is the one
place that says which stage follows which; the daily run and the block
decision both read it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from lidgeld.domain.months import add_months, first_of_month
from lidgeld.domain.sentences import RuleRefusal, gettext_noop


class Stage(enum.StrEnum):
    OPEN = "open"
    REMINDER = "reminder"
    UNPAID = "unpaid"
    WRITTEN_OFF = "written_off"


STAGE_ORDER: tuple[Stage, ...] = (Stage.OPEN, Stage.REMINDER, Stage.UNPAID, Stage.WRITTEN_OFF)

# Booking codes of membership contributions (lidgeld): the only items R6 follows up.
CONTRIBUTION_CODES = (1000, 1999)


def is_contribution(booking_code: int) -> bool:
    low, high = CONTRIBUTION_CODES
    return low <= booking_code <= high


@dataclass(frozen=True)
class DunningPolicy:
    """Months after the month of booking at which each stage starts (seed: 1, 6, 8)."""

    reminder_months: int = 1
    unpaid_months: int = 6
    write_off_months: int = 8

    def __post_init__(self) -> None:
        if not 1 <= self.reminder_months < self.unpaid_months < self.write_off_months:
            raise RuleRefusal(
                gettext_noop(
                    "the dunning delays must grow: reminder < unpaid < write-off, "
                    "each at least 1 month"
                ),
                code="dunning_delays_invalid",
            )

    def transitions(self) -> tuple[tuple[Stage, Stage, int], ...]:
        """(from, to, months after the month of booking), in the order they happen."""
        return (
            (Stage.OPEN, Stage.REMINDER, self.reminder_months),
            (Stage.REMINDER, Stage.UNPAID, self.unpaid_months),
            (Stage.UNPAID, Stage.WRITTEN_OFF, self.write_off_months),
        )


def stage_starts_on(booked_on: date, months_after: int) -> date:
    """The 1st of the month ``months_after`` months after the month of booking."""
    return add_months(first_of_month(booked_on), months_after)


def booked_before_for(today: date, months_after: int) -> date:
    """Contributions booked before this date have reached the stage that starts
    ``months_after`` months after their month of booking, as of ``today``.

    The set-based form of :func:`stage_starts_on`: ``stage_starts_on(b, n) <= today``
    exactly when ``b < booked_before_for(today, n)``.
    """
    return add_months(first_of_month(today), 1 - months_after)


def stage_on(booked_on: date, today: date, policy: DunningPolicy | None = None) -> Stage:
    """The stage an unpaid contribution booked on ``booked_on`` has on ``today``."""
    policy = policy or DunningPolicy()
    stage = Stage.OPEN
    for _, to_stage, months in policy.transitions():
        if stage_starts_on(booked_on, months) <= today:
            stage = to_stage
    return stage


def stage_dates(booked_on: date, policy: DunningPolicy | None = None) -> dict[Stage, date]:
    """When each stage starts for an unpaid contribution: the timeline staff explain."""
    policy = policy or DunningPolicy()
    dates = {Stage.OPEN: booked_on}
    for _, to_stage, months in policy.transitions():
        dates[to_stage] = stage_starts_on(booked_on, months)
    return dates


def effective_stage(booked_on: date, today: date, policy: DunningPolicy | None = None) -> Stage:
    """The stage an open contribution stands at today, for the blocks and the portal.

    Past its write-off day but not yet written off by the daily run, a fee is still
    owed: it counts as unpaid until the run writes it off (and ends the membership)."""
    return min(stage_on(booked_on, today, policy), Stage.UNPAID, key=STAGE_ORDER.index)
