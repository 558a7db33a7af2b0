"""Login throttling shared by the staff pages and the portal.

Failures are counted per key over a window: the first few are free, then every
attempt must wait a growing delay, and after ``LOCK_AFTER`` failures the key is
locked until the window has passed. The answer never says whether the account
exists: callers throttle on the name that was typed, known or not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from lidgeld.web.models import LoginFailure

WINDOW = timedelta(minutes=15)
FREE_FAILURES = 3
LOCK_AFTER = 10
ADDRESS_FACTOR = 5
# Delays stop growing here, so someone who keeps trying reaches the lock.
MAX_DELAY_SECONDS = 30


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    wait_seconds: int  # how long before the next attempt is looked at
    locked: bool


def _failures(key: str, now: datetime) -> list[datetime]:
    return list(
        LoginFailure.objects.filter(key=key, at__gt=now - WINDOW)
        .order_by("at")
        .values_list("at", flat=True)
    )


def _lock_after(key: str) -> int:
    """An address is shared by a whole branch behind one router: it gets more room
    before it locks than one card or one user name does."""
    return LOCK_AFTER * ADDRESS_FACTOR if key.startswith("ip:") else LOCK_AFTER


def throttle_verdict(*, keys: Iterable[str], now: datetime) -> Verdict:
    """May an attempt for these keys (e.g. the name typed and the address) go ahead?"""
    worst = Verdict(allowed=True, wait_seconds=0, locked=False)
    for key in keys:
        failures = _failures(key, now)
        lock_after = _lock_after(key)
        if len(failures) >= lock_after:
            until = failures[-lock_after] + WINDOW
            return Verdict(
                allowed=False, wait_seconds=max(1, int((until - now).total_seconds())), locked=True
            )
        free = FREE_FAILURES * (ADDRESS_FACTOR if key.startswith("ip:") else 1)
        if len(failures) > free:
            delay = timedelta(seconds=min(MAX_DELAY_SECONDS, 2 ** (len(failures) - free)))
            ready = failures[-1] + delay
            if ready > now:
                wait = max(1, int((ready - now).total_seconds()))
                if wait > worst.wait_seconds:
                    worst = Verdict(allowed=False, wait_seconds=wait, locked=False)
    return worst


def throttle_fail(*, keys: Iterable[str], now: datetime) -> None:
    with transaction.atomic():
        LoginFailure.objects.bulk_create([LoginFailure(key=key, at=now) for key in keys])
        # Keep the table small: what lies outside the window no longer counts.
        LoginFailure.objects.filter(at__lt=now - WINDOW * 4).delete()


def throttle_clear(*, key: str) -> None:
    """A successful login forgets that name's failures (not the address's)."""
    LoginFailure.objects.filter(key=key).delete()
