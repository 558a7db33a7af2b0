"""PIN checks at the kiosk, counted with the portal's: one counter, one lock.

A kiosk that is logged in may send ``23 … AA<card>|AD<guess>|`` as often as it
likes, and ``CQY`` tells when a guess is right. So every PIN check for a card
goes through :mod:`lidgeld.web.throttle` under the same key as the portal's
login for that card (:func:`~lidgeld.web.throttle.card_key`): wrong PINs at a
kiosk and in the portal add up, a lock earned in one holds in the other, and
the portal's unlock (the lock's window passing, a new PIN) lifts both.

Only the card is counted, not the kiosk's address: every kiosk of a branch
(and often the branch's public Wi-Fi) leaves through one router, and a lock on
that address would shut every kiosk of the branch and the portal for its
visitors because of one guesser. The kiosk itself is authenticated (93), and
every wrong PIN is logged with its terminal, so a kiosk trying card after card
shows in the log.

A check goes in three steps, each where it belongs: the card's PIN hash and the
throttle's verdict are read on a database thread, the slow hash is compared on
the server's own hash threads, and the outcome is written on a database thread
again. A card that must wait is made to wait by the connection's own task
(``asyncio.sleep``), holding no thread and not the event loop. A locked card is
answered as a wrong PIN (``CQN``), even when the PIN is right: its hash is not
even compared.

:func:`pin_check` is the one entry point per message, so a connection could
later remember a PIN it saw checked right (for the rest of a patron's session)
without changing anything below it.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import check_password

from lidgeld.standing.kiosk import kiosk_pin_hash
from lidgeld.text_input import has_control_characters
from lidgeld.web.throttle import (
    Verdict,
    card_key,
    throttle_clear,
    throttle_fail,
    throttle_verdict,
)

log = logging.getLogger("lidgeld.sip2")

# The messages whose answer depends on the PIN (CQ, or refusing a wrong one).
PIN_CHECKED = frozenset({"23", "63", "11", "29", "65", "37"})
# A card kept waiting this many times in a row (others keep failing it meanwhile)
# is answered as locked rather than held on to.
MAX_WAITS = 3

Run = Callable[..., Awaitable[Any]]


class Pin(enum.Enum):
    """What the PIN of a request turned out to be."""

    NONE = "none"  # no PIN given: nothing was checked
    RIGHT = "right"
    WRONG = "wrong"
    LOCKED = "locked"  # not checked: too many wrong PINs for this card


@dataclass(frozen=True)
class PinQuestion:
    known: bool  # the terminal sees this card
    pin_hash: str
    verdict: Verdict


def pin_question(*, instance_ids: tuple[int, ...], card: str, now: datetime) -> PinQuestion:
    """Database thread: the card's PIN hash and whether it may be checked now."""
    pin_hash = kiosk_pin_hash(card_number=card, instance_ids=instance_ids)
    if pin_hash is None:
        return PinQuestion(known=False, pin_hash="", verdict=Verdict(True, 0, False))
    return PinQuestion(
        known=True, pin_hash=pin_hash, verdict=throttle_verdict(keys=[card_key(card)], now=now)
    )


def pin_matches(pin: str, pin_hash: str) -> bool:
    """Hash thread: the slow comparison."""
    return bool(pin_hash) and check_password(pin, pin_hash)


def pin_outcome_record(*, terminal: str, card: str, right: bool, now: datetime) -> None:
    """Database thread: a right PIN forgets the card's failures (as a portal login
    does), a wrong one counts, and is logged without the PIN."""
    if right:
        throttle_clear(key=card_key(card))
        return
    throttle_fail(keys=[card_key(card)], now=now)
    log.warning("sip2 terminal %s: wrong PIN for card %s", terminal, card)


async def pin_check(
    *,
    terminal: str,
    instance_ids: tuple[int, ...],
    card: str,
    pin: str,
    now: Callable[[], datetime],
    on_database: Run,
    on_hash: Run,
    wait_scale: float = 1.0,
) -> Pin:
    """The outcome of the PIN ``pin`` given for ``card`` at ``terminal``.

    ``on_database`` and ``on_hash`` run a function on the server's database and hash
    threads; ``wait_scale`` is the real seconds waited per second the throttle asks
    (1; tests shrink it together with a fast clock)."""
    if not card or not pin:
        return Pin.NONE
    if has_control_characters(card):
        return Pin.WRONG  # no such card: the request is refused as unknown anyway
    for _ in range(MAX_WAITS + 1):
        moment = now()
        question: PinQuestion = await on_database(
            pin_question, instance_ids=instance_ids, card=card, now=moment
        )
        if not question.known:
            # An unknown card, or one no kiosk accepts (reported, or an old card): it is
            # refused as such, its PIN never checked; nothing to count.
            return Pin.WRONG
        verdict = question.verdict
        if verdict.locked:
            log.warning(
                "sip2 terminal %s: card %s is locked after too many wrong PINs; not checked",
                terminal,
                card,
            )
            return Pin.LOCKED
        if verdict.allowed:
            right: bool = await on_hash(pin_matches, pin, question.pin_hash)
            await on_database(
                pin_outcome_record, terminal=terminal, card=card, right=right, now=moment
            )
            return Pin.RIGHT if right else Pin.WRONG
        log.info(
            "sip2 terminal %s: card %s had wrong PINs; the next check waits %ds",
            terminal,
            card,
            verdict.wait_seconds,
        )
        await asyncio.sleep(verdict.wait_seconds * wait_scale)
    return Pin.LOCKED
