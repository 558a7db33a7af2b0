"""Login throttling: free tries, growing delays, a lock, and more room for a shared address."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from lidgeld.web.throttle import (
    FREE_FAILURES,
    LOCK_AFTER,
    ONE_ADDRESS,
    WINDOW,
    throttle_clear,
    throttle_fail,
    throttle_verdict,
)

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime(2026, 4, 10, 9, 0))


def fail(key: str, times: int, *, every: timedelta = timedelta(minutes=1)) -> datetime:
    moment = START
    for number in range(times):
        moment = START + every * number
        throttle_fail(keys=[key], now=moment)
    return moment


def test_the_first_failures_are_free_then_each_attempt_waits():
    last = fail("card:1", FREE_FAILURES)
    assert throttle_verdict(keys=["card:1"], now=last).allowed
    throttle_fail(keys=["card:1"], now=last)
    verdict = throttle_verdict(keys=["card:1"], now=last + timedelta(seconds=1))
    assert (verdict.allowed, verdict.locked, verdict.wait_seconds) == (False, False, 1)
    assert throttle_verdict(keys=["card:1"], now=last + timedelta(seconds=2)).allowed


def test_a_key_locks_after_the_limit_until_the_window_has_passed():
    last = fail("card:1", LOCK_AFTER)
    verdict = throttle_verdict(keys=["card:1"], now=last + timedelta(minutes=1))
    assert verdict.locked
    first = START
    assert not throttle_verdict(keys=["card:1"], now=first + WINDOW - timedelta(seconds=1)).allowed
    assert throttle_verdict(keys=["card:1"], now=last + WINDOW + timedelta(seconds=1)).allowed


def test_an_address_gets_more_room_than_a_card():
    last = fail("ip:10.0.0.1", LOCK_AFTER)
    assert throttle_verdict(keys=["ip:10.0.0.1"], now=last + timedelta(minutes=1)).allowed
    last = fail("ip:10.0.0.2", ONE_ADDRESS.lock_after, every=timedelta(seconds=10))
    assert throttle_verdict(keys=["ip:10.0.0.2"], now=last + timedelta(seconds=40)).locked


def test_the_worst_of_the_keys_decides_and_success_clears_only_its_name():
    fail("user:an", LOCK_AFTER)
    moment = START + timedelta(minutes=10)
    assert throttle_verdict(keys=["user:bert", "user:an"], now=moment).locked
    throttle_clear(key="user:an")
    assert throttle_verdict(keys=["user:bert", "user:an"], now=moment).allowed
