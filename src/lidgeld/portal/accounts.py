"""Logging in with card number and PIN, and choosing a new PIN.

Guessing is slowed down and then locked per typed card number and per address
(:mod:`lidgeld.web.throttle`), whether the card exists or not, and every answer
to a wrong card or PIN is the same sentence after the same work (a PIN hash is
computed even for a card that does not exist), so nobody learns which cards
exist. A card reported lost or stolen, or an old (replaced) card, is refused with
the block's sentence (R7: "this card was reported lost, come to the desk") only
after its borrower's right PIN, and still counts as a failed attempt: the sentence
cannot be used to find out which cards exist or were reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import get_language, gettext_lazy, ngettext

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.models import Borrower
from lidgeld.borrowers.selectors import card_holder
from lidgeld.borrowers.services import borrower_pin_set
from lidgeld.domain.actors import portal_actor
from lidgeld.domain.blocks import CardState, card_sentence, card_state
from lidgeld.errors import InvalidInput, Refused
from lidgeld.notices.services import usable_email
from lidgeld.operations.details import borrower_correct
from lidgeld.portal.mail import pin_reset_mail_send
from lidgeld.web.throttle import Verdict, throttle_clear, throttle_fail, throttle_verdict

RESET_SALT = "lidgeld.portal.pin-reset"
# Turns a reset token into the absolute address of the page that takes it.
LinkMaker = Callable[[str], str]


def reset_valid_for() -> timedelta:
    return timedelta(minutes=getattr(settings, "LIDGELD_PORTAL_PIN_RESET_MINUTES", 60))


def login_keys(card_number: str, address: str) -> list[str]:
    return [f"card:{card_number}", f"ip:{address}"]


def wait_sentence(verdict: Verdict) -> str:
    """What a slowed-down or locked visitor reads; the same for every card."""
    if verdict.locked:
        minutes = max(1, -(-verdict.wait_seconds // 60))
        return ngettext(
            "Too many failed attempts. For your safety, logging in with this card or from "
            "this device is locked for %(minutes)d minute.",
            "Too many failed attempts. For your safety, logging in with this card or from "
            "this device is locked for %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
    return ngettext(
        "Please wait %(seconds)d second before you try again.",
        "Please wait %(seconds)d seconds before you try again.",
        verdict.wait_seconds,
    ) % {"seconds": verdict.wait_seconds}


@dataclass(frozen=True)
class LoginOutcome:
    borrower: Borrower | None
    verdict: Verdict | None = None  # set when the attempt was not even looked at
    # Not OK when the PIN was right but the portal accepts no such card.
    card: CardState = CardState.OK

    @property
    def card_refusal(self) -> str:
        """Why the card is refused, in the page's language ('' when it is not)."""
        return card_sentence(self.card, (get_language() or "nl")[:2])


def _card_and_borrower(card_number: str) -> tuple[Borrower | None, CardState]:
    """Whose card this is, current or old, and the state of the card."""
    borrower = (
        Borrower.objects.select_related("home_instance").filter(card_number=card_number).first()
    )
    if borrower is not None:
        return borrower, card_state(borrower.card_reported)
    holder = card_holder(card_number)
    if holder is None or not holder.old_card:
        return None, CardState.OK
    return holder.borrower, card_state(holder.card.reported, replaced=True)


def portal_login(*, card_number: str, pin: str, address: str, now: datetime) -> LoginOutcome:
    """The borrower when card and PIN match and the card is accepted (R12: not reported
    lost or stolen, not an old card); otherwise None, and the failure counts."""
    keys = login_keys(card_number, address)
    verdict = throttle_verdict(keys=keys, now=now)
    if not verdict.allowed:
        return LoginOutcome(None, verdict)
    borrower, card = _card_and_borrower(card_number)
    if borrower is not None and borrower.pin_hash:
        matches = check_password(pin, borrower.pin_hash)
    else:
        make_password(pin)  # the work of a real check: the time must not tell
        matches = False
    if not matches or borrower is None:
        throttle_fail(keys=keys, now=now)
        return LoginOutcome(None)
    if card is not CardState.OK:
        # The right PIN, but no portal accepts this card: say why, and count it as a
        # failure as a wrong PIN is, so trying cards with a known PIN stays slowed down.
        throttle_fail(keys=keys, now=now)
        return LoginOutcome(None, card=card)
    throttle_clear(key=keys[0])
    return LoginOutcome(borrower)


def _confirm_pin(borrower: Borrower, pin: str, *, address: str, now: datetime) -> None:
    """A change to the account asks for the PIN again; wrong guesses count as failed
    logins, so a borrowed session cannot be used to find the PIN."""
    keys = login_keys(borrower.card_number, address)
    verdict = throttle_verdict(keys=keys, now=now)
    if not verdict.allowed:
        raise Refused(wait_sentence(verdict), code="throttled")
    if not (borrower.pin_hash and check_password(pin, borrower.pin_hash)):
        throttle_fail(keys=keys, now=now)
        raise InvalidInput(gettext_lazy("Your current PIN is not correct."), code="wrong_pin")


def portal_pin_change(
    *, borrower: Borrower, current: str, new: str, address: str, now: datetime, today: date
) -> Borrower:
    _confirm_pin(borrower, current, address=address, now=now)
    return borrower_pin_set(
        borrower=borrower, pin=new, today=today, now=now, actor=portal_actor(borrower.card_number)
    )


def portal_email_change(
    *, borrower: Borrower, email: str, pin: str, address: str, now: datetime, today: date
) -> Borrower:
    """A new address: it is where a PIN reset link goes, so it asks for the PIN."""
    _confirm_pin(borrower, pin, address=address, now=now)
    # the one correction service: the old address is told when the library wants it
    borrower_correct(
        borrower=borrower,
        changes={"email": email},
        today=today,
        now=now,
        actor=portal_actor(borrower.card_number),
    )
    return borrower


# --- a new PIN through a link by e-mail ------------------------------------------------


def _reset_fingerprint(borrower: Borrower) -> str:
    """Changes when the PIN or the address changes, so a link works once and only for
    the address it was sent to."""
    return salted_hmac(
        RESET_SALT, f"{borrower.pk}|{borrower.pin_hash}|{borrower.email}"
    ).hexdigest()


def pin_reset_token(borrower: Borrower, *, now: datetime) -> str:
    payload = {"b": borrower.pk, "t": int(now.timestamp()), "f": _reset_fingerprint(borrower)}
    return signing.dumps(payload, salt=RESET_SALT, compress=True)


def pin_reset_borrower(*, token: str, now: datetime, lock: bool = False) -> Borrower | None:
    """The borrower a reset link is for, while it is valid and unused; None otherwise."""
    try:
        payload = signing.loads(token, salt=RESET_SALT)
        borrower_id, issued, fingerprint = int(payload["b"]), int(payload["t"]), payload["f"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if not 0 <= now.timestamp() - issued <= reset_valid_for().total_seconds():
        return None
    borrowers = Borrower.objects.select_related("home_instance")
    if lock:
        borrowers = borrowers.select_for_update(of=("self",))
    borrower = borrowers.filter(pk=borrower_id).first()
    if borrower is None or not constant_time_compare(
        str(fingerprint), _reset_fingerprint(borrower)
    ):
        return None
    return borrower


def pin_reset_request(
    *, card_number: str, address: str, link_for: LinkMaker, now: datetime, today: date
) -> Verdict:
    """Send a link to choose a new PIN to the card's e-mail address, if it has one.

    The visitor always reads the same answer; only the throttle (per typed card and
    per address, every request counting) may hold them back, so nobody can flood a
    borrower's mailbox.
    """
    keys = [f"pin-reset:card:{card_number}", f"pin-reset:ip:{address}"]
    verdict = throttle_verdict(keys=keys, now=now)
    if not verdict.allowed:
        return verdict
    throttle_fail(keys=keys, now=now)
    borrower = (
        Borrower.objects.select_related("home_instance").filter(card_number=card_number).first()
    )
    if borrower is None or not usable_email(borrower.email):
        return verdict
    audit_record(
        actor=portal_actor(borrower.card_number),
        action="borrower.pin_reset_requested",
        obj=borrower,
        today=today,
        now=now,
        borrower_id=borrower.pk,
        instance_id=borrower.home_instance_id,
        after={"to": borrower.email},
    )
    pin_reset_mail_send(
        borrower=borrower,
        link=link_for(pin_reset_token(borrower, now=now)),
        valid_minutes=int(reset_valid_for().total_seconds() // 60),
        now=now,
    )
    return verdict


def pin_reset_complete(*, token: str, pin: str, now: datetime, today: date) -> Borrower:
    """Set the PIN chosen through a reset link; the link is spent by it. A new PIN also
    lifts a lock on the card: its owner proved they read its mail."""
    with transaction.atomic():
        borrower = pin_reset_borrower(token=token, now=now, lock=True)
        if borrower is None:
            raise Refused(
                gettext_lazy(
                    "This link is no longer valid. Ask for a new link to choose your PIN."
                ),
                code="link_invalid",
            )
        borrower_pin_set(
            borrower=borrower,
            pin=pin,
            today=today,
            now=now,
            actor=portal_actor(borrower.card_number),
        )
        throttle_clear(key=f"card:{borrower.card_number}")
        return borrower
