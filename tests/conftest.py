from __future__ import annotations

from datetime import date

import pytest

from lidgeld.clock import FixedClock, set_clock

pytest_plugins = ["tests.browser"]


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only behaviour (row locks between connections) is left out of the
    SQLite run, and reported as deselected, never as skipped or passed."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    selected = [item for item in items if item.get_closest_marker("postgres_only") is None]
    deselected = [item for item in items if item.get_closest_marker("postgres_only") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True)
def _fast_hashers(request):
    """PBKDF2 at full strength costs ~0.3 s a hash and the suite hashes thousands of
    PINs and passwords: tests hash with MD5, except those marked ``real_hashers``,
    which check what production stores."""
    if request.node.get_closest_marker("real_hashers") is not None:
        yield
        return
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


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
