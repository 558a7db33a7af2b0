from __future__ import annotations

from datetime import date

import pytest

from lidgeld.clock import FixedClock, set_clock


@pytest.fixture(autouse=True)
def _fixed_clock():
    """Nothing in a test reads the wall clock: the clock stands on a fixed day."""
    set_clock(FixedClock(date(2026, 4, 10)))
    yield
    from lidgeld.clock import Clock

    set_clock(Clock())


@pytest.fixture
def at():
    """Move the clock: ``at(date(2026, 5, 1))``."""

    def move(day: date) -> None:
        set_clock(FixedClock(day))

    return move
