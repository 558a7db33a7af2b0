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
from django.http import HttpRequest
from django.utils.translation import ngettext

from lidgeld.web.models import LoginFailure

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Policy:
    free_failures: int
    lock_after: int
    max_delay_seconds: int  # delays stop growing here, so whoever keeps trying reaches the lock


ONE_NAME = Policy(free_failures=3, lock_after=10, max_delay_seconds=30)
# An address is shared by a whole branch behind one router: more room, shorter waits,
# but someone trying card after card from it still ends up locked out.
ONE_ADDRESS = Policy(free_failures=15, lock_after=50, max_delay_seconds=10)
FREE_FAILURES = ONE_NAME.free_failures
LOCK_AFTER = ONE_NAME.lock_after


def card_key(card_number: str) -> str:
    """The key a borrower's card is counted under: the portal's logins and PIN checks
    and the kiosks' (SIP2) PIN checks share it, so they share one counter and one lock."""
    return f"card:{card_number}"


def policy_for(key: str) -> Policy:
    return ONE_ADDRESS if key.startswith("ip:") else ONE_NAME


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


def throttle_verdict(*, keys: Iterable[str], now: datetime) -> Verdict:
    """May an attempt for these keys (e.g. the name typed and the address) go ahead?"""
    worst = Verdict(allowed=True, wait_seconds=0, locked=False)
    for key in keys:
        failures = _failures(key, now)
        policy = policy_for(key)
        if len(failures) >= policy.lock_after:
            until = failures[-policy.lock_after] + WINDOW
            return Verdict(
                allowed=False, wait_seconds=max(1, int((until - now).total_seconds())), locked=True
            )
        if len(failures) > policy.free_failures:
            growing = 2 ** (len(failures) - policy.free_failures)
            delay = timedelta(seconds=min(policy.max_delay_seconds, growing))
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


# --- the staff logins: /staff/login/ and the Django admin's /admin/login/ --------------


def client_address(request: HttpRequest | None) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown")) if request is not None else "unknown"


def login_keys(*, username: str, address: str) -> list[str]:
    """What a staff login is counted on: the name as typed (whether it exists or not) and
    the address. Every login form for staff uses these keys, so a lock earned at one
    holds at the others."""
    return [f"user:{username.strip().lower()}", f"ip:{address}"]


def throttle_message(verdict: Verdict) -> str:
    """The sentence for an attempt that was not looked at: how long to wait."""
    if verdict.locked:
        minutes = max(1, round(verdict.wait_seconds / 60))
        return ngettext(
            "Too many failed attempts. Try again in %(minutes)d minute.",
            "Too many failed attempts. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
    return ngettext(
        "Too many failed attempts. Wait %(seconds)d second and try again.",
        "Too many failed attempts. Wait %(seconds)d seconds and try again.",
        verdict.wait_seconds,
    ) % {"seconds": verdict.wait_seconds}
