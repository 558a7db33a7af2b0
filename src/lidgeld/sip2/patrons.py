"""Who the card of a request is, and the start every patron message shares."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from lidgeld.domain.blocks import CardState, MembershipState
from lidgeld.sip2.answers import (
    SIP_LANGUAGE,
    institution_of,
    negative,
    request_language,
)
from lidgeld.sip2.codec import Message
from lidgeld.sip2.pins import Pin
from lidgeld.sip2.session import Edge, Session
from lidgeld.sip2.texts import text
from lidgeld.standing.kiosk import (
    KioskPatron,
    kiosk_patron,
)

# -- patrons


@dataclass(frozen=True)
class PatronCheck:
    patron: KioskPatron | None
    pin_given: bool
    pin_ok: bool
    pin_locked: bool = False

    @property
    def usable(self) -> bool:
        """Known, with a card a kiosk accepts, and not refused by a PIN that was given
        and is wrong: only then does the answer tell about the account."""
        return (
            self.patron is not None
            and not self.patron.card_refused
            and (self.pin_ok or not self.pin_given)
        )

    def wrong_pin_text(self, language: str) -> str:
        return text("pin_locked" if self.pin_locked else "wrong_pin", language)


def card_of(request: Message) -> str:
    return (request.get("AA") or "").strip()


def check_patron(session: Session, request: Message, edge: Edge, pin: Pin) -> PatronCheck:
    """The patron of the request's card; ``pin`` is what the server found of its PIN
    (:func:`lidgeld.sip2.pins.pin_check`: the hash is never compared here)."""
    card = card_of(request)
    patron = (
        kiosk_patron(card_number=card, instance_ids=session.instance_ids, today=edge.today)
        if card
        else None
    )
    return PatronCheck(
        patron=patron,
        pin_given=pin is not Pin.NONE,
        pin_ok=patron is not None and pin is Pin.RIGHT,
        pin_locked=pin is Pin.LOCKED,
    )


# Position 4 of the patron status: "card reported lost" (lost or stolen).
REPORTED = frozenset({CardState.LOST, CardState.STOLEN})


def patron_status_field(patron: KioskPatron) -> str:
    """The 14 flags of 24/64 ('Y' = denied / too many), from the kiosk block."""
    flags = [" "] * 14
    if patron.card_refused:
        # A card no kiosk accepts may do nothing, and tells nothing of the account.
        flags[0:4] = ["Y"] * 4  # charge, renewal, recall and hold privileges denied
        if patron.card in REPORTED:
            flags[4] = "Y"  # card reported lost
        return "".join(flags)
    if not patron.allowed:
        flags[0] = "Y"  # charge privileges denied
        flags[1] = "Y"  # renewal privileges denied (the kiosk refuses renewals too)
        if patron.membership is not MembershipState.ACTIVE:
            flags[2] = "Y"  # recall privileges denied
            flags[3] = "Y"  # hold privileges denied
    if patron.open_amount > 0:
        flags[11] = "Y"  # excessive outstanding fees
    return "".join(flags)


def _refusal_text(check: PatronCheck, language: str) -> str | None:
    """Why a transaction for this patron cannot start, or None when it can."""
    if check.patron is None:
        return text("unknown_card", language)
    if check.patron.card_refused:
        # Before the PIN: no PIN is checked for such a card (kiosk_pin_hash).
        return check.patron.block.message(check.patron.language)
    if check.pin_given and not check.pin_ok:
        return check.wrong_pin_text(check.patron.language)
    return None


Handler = Callable[[Session, Message, Edge, Pin], "Message | None"]


def known_patron(
    handler: Callable[[Session, Message, Edge, PatronCheck], Message | None],
) -> Handler:
    """The start of a patron status or information request (23, 63): an unknown card
    is refused; the handler gets the check (a wrong PIN still gets an answer)."""

    @functools.wraps(handler)
    def start(session: Session, request: Message, edge: Edge, pin: Pin) -> Message | None:
        check = check_patron(session, request, edge, pin)
        if check.patron is None:
            return negative(session, request, edge, text("unknown_card", request_language(request)))
        return handler(session, request, edge, check)

    return start


def patron_transaction(
    handler: Callable[[Session, Message, Edge, KioskPatron], Message | None],
) -> Handler:
    """The start of a transaction for a patron (11, 29, 65, 37): the card must be
    known and a PIN, when given, right; otherwise a refusal the kiosk shows."""

    @functools.wraps(handler)
    def start(session: Session, request: Message, edge: Edge, pin: Pin) -> Message | None:
        check = check_patron(session, request, edge, pin)
        refusal = _refusal_text(check, request_language(request))
        if refusal is not None or check.patron is None:
            return negative(session, request, edge, refusal or "")
        return handler(session, request, edge, check.patron)

    return start


def patron_fields(
    request: Message, check: PatronCheck, session: Session
) -> tuple[str, str, list[tuple[str, str | None]]]:
    patron = check.patron
    assert patron is not None
    fields: list[tuple[str, str | None]] = [
        ("AO", institution_of(session, request)),
        ("AA", patron.card_number),
        ("AE", patron.name),
        ("BL", "Y"),
        ("CQ", "Y" if check.pin_ok else "N"),
    ]
    if patron.card_refused:
        # Why the card is refused (R7's sentence), and nothing of the account.
        fields.append(("AF", patron.block.message(patron.language)))
        return patron_status_field(patron), SIP_LANGUAGE.get(patron.language, "000"), fields
    if check.pin_given and not check.pin_ok:
        # A wrong PIN learns nothing about the account.
        fields.append(("AF", check.wrong_pin_text(patron.language)))
        return "YYYY" + " " * 10, SIP_LANGUAGE.get(patron.language, "000"), fields
    if patron.open_amount > 0:
        fields += [("BH", "EUR"), ("BV", f"{patron.open_amount:.2f}")]
    if not patron.allowed:
        fields.append(("AF", patron.block.message(patron.language)))
    return patron_status_field(patron), SIP_LANGUAGE.get(patron.language, "000"), fields
