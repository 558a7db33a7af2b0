"""What the ACS answers to each SIP2 request: thin adapters over selectors and services.

Everything here runs in a worker thread (it touches the database); the server
calls :func:`handle` with the terminal's session and the request, and sends
the message it returns. No exception text ever reaches the kiosk.

Every request gets an answer a kiosk can show. The messages of the spec that we
do not support (block patron 01, item status update 19, patron enable 25, hold
15) get their own response type with ok=0 (or the patron denied) and a screen
message. A command that is not in the spec at all has no response type of its
own: it gets an ACS status (98) with a screen message saying it is not
supported, and BX listing what is. Not a 96: that asks the kiosk to send the
same message again, which would loop forever, and silence leaves it hanging
until its own time-out.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.loans import loan_checkin, loan_checkout, loan_renew
from lidgeld.circulation.models import Item, Loan, Reservation, ReservationStatus
from lidgeld.circulation.selectors import someone_waits_for
from lidgeld.domain.actors import kiosk_actor
from lidgeld.domain.blocks import MembershipState, Reason, format_amount
from lidgeld.errors import LidgeldError, Refused
from lidgeld.finance.services import (
    PaymentResult,
    open_contributions,
    parse_amount,
    payment_register,
)
from lidgeld.kiosks.selectors import kiosk_payment_earlier
from lidgeld.kiosks.services import (
    KioskAnswer,
    kiosk_fee_paid,
    terminal_for_login,
    terminal_password_matches,
)
from lidgeld.sip2.codec import Message, clean
from lidgeld.sip2.pins import Pin
from lidgeld.sip2.selectors import (
    KioskPatron,
    kiosk_patron,
    visible_instance_ids,
)
from lidgeld.sip2.texts import TEXTS, text
from lidgeld.text_input import has_control_characters

log = logging.getLogger("lidgeld.sip2")

# Which messages this ACS answers, in the order of the BX field of the SIP2 spec:
# 23, 11, 09, 01, 99, 97, 93, 63, 35, 37, 17, 19, 25, 15, 29, 65.
SUPPORTED = "YYYNYYYYYYYNNNYY"

# SIP2 language codes (fixed field of 23/24/63/64) for the borrower's language.
SIP_LANGUAGE = {"en": "001", "fr": "002", "nl": "005"}
LANGUAGE_OF_SIP = {"001": "en", "002": "fr", "005": "nl", "024": "en", "026": "nl"}


@dataclass(frozen=True)
class Session:
    """A logged-in terminal, as the connection remembers it (no model instances)."""

    terminal_id: int
    login: str
    instance_code: str
    instance_name: str
    location: str
    charset: str
    instance_ids: tuple[int, ...]
    terminator: str = "auto"  # auto, cr or crlf (Terminal.terminator)

    @property
    def actor(self) -> str:
        return kiosk_actor(self.login)


def login_candidate(*, user: str) -> tuple[Session | None, str | None]:
    """Database thread: the session a login as ``user`` would open, and the password
    hash to check first (None, None: no such enabled terminal)."""
    terminal = terminal_for_login(login=user)
    if terminal is None:
        return None, None
    session = Session(
        terminal_id=terminal.pk,
        login=terminal.login,
        instance_code=terminal.instance.code,
        instance_name=terminal.instance.name,
        location=terminal.location,
        charset=terminal.charset,
        instance_ids=tuple(visible_instance_ids(terminal.instance)),
        terminator=terminal.terminator,
    )
    return session, terminal.password_hash


def password_matches(*, password_hash: str | None, password: str) -> bool:
    """Hash thread: the slow check of a terminal password."""
    return terminal_password_matches(password_hash=password_hash, password=password)


def login(*, user: str, password: str) -> Session | None:
    """Both steps of a login in one thread (the server runs them on separate pools)."""
    session, password_hash = login_candidate(user=user)
    ok = password_matches(password_hash=password_hash, password=password)
    return session if ok else None


@dataclass(frozen=True)
class Edge:
    """The clock, read once per request."""

    today: date
    stamp: str  # SIP2 transaction date, YYYYMMDD    HHMMSS
    now: datetime


def edge_from(now: datetime, today: date) -> Edge:
    local = timezone.localtime(now) if timezone.is_aware(now) else now
    return Edge(today=today, stamp=sip_date(local), now=now)


def sip_date(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return moment.strftime("%Y%m%d    %H%M%S")
    return moment.strftime("%Y%m%d") + "    235959"


def short_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _message(
    code: str, request: Message, fixed: dict[str, str], fields: Sequence[tuple[str, str | None]]
) -> Message:
    return Message(
        code=code,
        fixed=fixed,
        fields=tuple((key, clean(value)[:255]) for key, value in fields if value is not None),
        sequence=request.sequence,
    )


def _institution(session: Session | None, request: Message) -> str:
    return request.get("AO") or (session.instance_code if session else "")


def _request_language(request: Message) -> str:
    return LANGUAGE_OF_SIP.get(request.fixed.get("language", ""), "nl")


# -- the one denial for every message, used for errors and refusals before a patron is known


def negative(session: Session | None, request: Message, edge: Edge, screen: str) -> Message | None:
    """A well-formed 'no' to ``request``, with ``screen`` as the screen message."""
    ao = _institution(session, request)
    aa = request.get("AA") or ""
    ab = request.get("AB") or ""
    date_field = {"transaction_date": edge.stamp}
    language = request.fixed.get("language", "000")
    denied = "YYYY" + " " * 10
    code = request.code
    if code == "23":
        fixed = {"patron_status": denied, "language": language, **date_field}
        return _message(
            "24", request, fixed, [("AO", ao), ("AA", aa), ("AE", ""), ("BL", "N"), ("AF", screen)]
        )
    if code == "63":
        fixed = {"patron_status": denied, "language": language, **date_field}
        for name in ("hold", "overdue", "charged", "fine", "recall"):
            fixed[f"{name}_items_count"] = "0000"
        fixed["unavailable_holds_count"] = "0000"
        return _message(
            "64", request, fixed, [("AO", ao), ("AA", aa), ("AE", ""), ("BL", "N"), ("AF", screen)]
        )
    if code in ("11", "29"):
        fixed = {
            "ok": "0",
            "renewal_ok": "N",
            "magnetic_media": "U",
            "desensitize": "N",
            **date_field,
        }
        fields = [("AO", ao), ("AA", aa), ("AB", ab), ("AJ", ""), ("AH", ""), ("AF", screen)]
        return _message("12" if code == "11" else "30", request, fixed, fields)
    if code == "09":
        fixed = {"ok": "0", "resensitize": "N", "magnetic_media": "U", "alert": "N", **date_field}
        return _message("10", request, fixed, [("AO", ao), ("AB", ab), ("AQ", ""), ("AF", screen)])
    if code == "65":
        fixed = {"ok": "0", "renewed_count": "0000", "unrenewed_count": "0000", **date_field}
        return _message("66", request, fixed, [("AO", ao), ("AF", screen)])
    if code == "17":
        fixed = {
            "circulation_status": "01",
            "security_marker": "00",
            "fee_type": "01",
            **date_field,
        }
        return _message("18", request, fixed, [("AB", ab), ("AJ", ""), ("AF", screen)])
    if code == "37":
        fixed = {"payment_accepted": "N", **date_field}
        return _message("38", request, fixed, [("AO", ao), ("AA", aa), ("AF", screen)])
    if code == "35":
        fixed = {"end_session": "N", **date_field}
        return _message("36", request, fixed, [("AO", ao), ("AA", aa), ("AF", screen)])
    # The messages we do not support: their own response, refusing.
    if code in ("01", "25"):
        # A block (01) is answered by a patron status, a patron enable (25) by its own;
        # BL is left out: the card is not said to be invalid, only the action refused.
        fixed = {"patron_status": denied, "language": language, **date_field}
        fields = [("AO", ao), ("AA", aa), ("AE", ""), ("AF", screen)]
        return _message("24" if code == "01" else "26", request, fixed, fields)
    if code == "15":
        fixed = {"ok": "0", "available": "N", **date_field}
        fields = [("AO", ao), ("AA", aa), ("AB", request.get("AB") or ""), ("AF", screen)]
        return _message("16", request, fixed, fields)
    if code == "19":
        fixed = {"item_properties_ok": "0", **date_field}
        return _message("20", request, fixed, [("AB", ab), ("AF", screen)])
    return None


# -- patrons


@dataclass(frozen=True)
class PatronCheck:
    patron: KioskPatron | None
    pin_given: bool
    pin_ok: bool
    pin_locked: bool = False

    @property
    def usable(self) -> bool:
        """Known, and not refused by a PIN that was given and is wrong."""
        return self.patron is not None and (self.pin_ok or not self.pin_given)

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


def patron_status_field(patron: KioskPatron) -> str:
    """The 14 flags of 24/64 ('Y' = denied / too many), from the kiosk block."""
    flags = [" "] * 14
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
            return negative(
                session, request, edge, text("unknown_card", _request_language(request))
            )
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
        refusal = _refusal_text(check, _request_language(request))
        if refusal is not None or check.patron is None:
            return negative(session, request, edge, refusal or "")
        return handler(session, request, edge, check.patron)

    return start


def _patron_fields(
    request: Message, check: PatronCheck, session: Session
) -> tuple[str, str, list[tuple[str, str | None]]]:
    patron = check.patron
    assert patron is not None
    fields: list[tuple[str, str | None]] = [
        ("AO", _institution(session, request)),
        ("AA", patron.card_number),
        ("AE", patron.name),
        ("BL", "Y"),
        ("CQ", "Y" if check.pin_ok else "N"),
    ]
    if check.pin_given and not check.pin_ok:
        # A wrong PIN learns nothing about the account.
        fields.append(("AF", check.wrong_pin_text(patron.language)))
        return "YYYY" + " " * 10, SIP_LANGUAGE.get(patron.language, "000"), fields
    if patron.open_amount > 0:
        fields += [("BH", "EUR"), ("BV", f"{patron.open_amount:.2f}")]
    if not patron.allowed:
        fields.append(("AF", patron.block.message(patron.language)))
    return patron_status_field(patron), SIP_LANGUAGE.get(patron.language, "000"), fields


@known_patron
def patron_status(
    session: Session, request: Message, edge: Edge, check: PatronCheck
) -> Message | None:
    status, language, fields = _patron_fields(request, check, session)
    fixed = {"patron_status": status, "language": language, "transaction_date": edge.stamp}
    return _message("24", request, fixed, fields)


def _range(request: Message) -> slice:
    def number(field_id: str, default: int) -> int:
        value = (request.get(field_id) or "").strip()
        return int(value) if value.isdigit() else default

    start = max(number("BP", 1), 1)
    end = max(number("BQ", 9999), start)
    return slice(start - 1, end)


@known_patron
def patron_information(
    session: Session, request: Message, edge: Edge, check: PatronCheck
) -> Message | None:
    patron = check.patron
    assert patron is not None  # known_patron
    status, language, fields = _patron_fields(request, check, session)
    summary = (request.fixed.get("summary", "") + " " * 10)[:10]
    reveal = check.usable
    loans = (
        list(
            Loan.objects.filter(borrower_id=patron.id, returned_on__isnull=True)
            .order_by("due_on", "id")
            .values_list("item__barcode", "due_on")
        )
        if reveal
        else []
    )
    holds = (
        list(
            Reservation.objects.filter(
                borrower_id=patron.id,
                status__in=[
                    ReservationStatus.WAITING,
                    ReservationStatus.HELD,
                    ReservationStatus.READY,
                ],
            )
            .order_by("placed_on", "id")
            .values_list("item__barcode", "status")
        )
        if reveal
        else []
    )
    available = [barcode for barcode, state in holds if state == ReservationStatus.READY]
    unavailable = [barcode for barcode, state in holds if state != ReservationStatus.READY]
    charged = [barcode for barcode, _ in loans]
    overdue = [barcode for barcode, due in loans if due < edge.today]
    fines_count = patron.open_items if reveal else 0
    window = _range(request)
    lists: list[tuple[int, str, Callable[[], list[str]]]] = [
        (0, "AS", lambda: available),
        (1, "AT", lambda: overdue),
        (2, "AU", lambda: charged),
        (3, "AV", lambda: _fine_items(patron) if reveal else []),
        (4, "BU", lambda: []),
        (5, "CD", lambda: unavailable),
    ]
    for position, field_id, items in lists:
        if summary[position] == "Y":
            fields += [(field_id, item) for item in items()[window]]

    def count(n: int) -> str:
        return f"{min(n, 9999):04d}"

    fixed = {
        "patron_status": status,
        "language": language,
        "transaction_date": edge.stamp,
        "hold_items_count": count(len(available)),
        "overdue_items_count": count(len(overdue)),
        "charged_items_count": count(len(charged)),
        "fine_items_count": count(fines_count),
        "recall_items_count": count(0),
        "unavailable_holds_count": count(len(unavailable)),
    }
    return _message("64", request, fixed, fields)


def _fine_items(patron: KioskPatron) -> list[str]:
    language = patron.language
    return [
        f"{posting.description or posting.booking_code} € {format_amount(posting.balance, language)}"
        for posting in open_contributions(patron.id)
    ]


# -- circulation


def _item(session: Session, barcode: str) -> Item | None:
    barcode = barcode.strip()
    if not barcode:
        return None
    return (
        Item.objects.select_related("instance")
        .filter(barcode=barcode, instance_id__in=session.instance_ids)
        .first()
    )


def _refused_text(error: LidgeldError, language: str) -> str:
    if error.code in TEXTS:
        return text(error.code, language)
    if error.code in {reason.value for reason in Reason}:
        return error.message  # the block's sentence, already in the borrower's language
    log.info("sip2 refusal shown as is: %s", error.code)
    return error.message


@patron_transaction
def checkout(session: Session, request: Message, edge: Edge, patron: KioskPatron) -> Message | None:
    if not patron.allowed:
        return negative(session, request, edge, patron.block.message(patron.language))
    item = _item(session, request.get("AB") or "")
    if item is None:
        return negative(session, request, edge, text("unknown_item", patron.language))
    borrower = Borrower.objects.get(pk=patron.id)
    try:
        loan = loan_checkout(borrower=borrower, item=item, today=edge.today, actor=session.actor)
    except LidgeldError as error:
        return negative(session, request, edge, _refused_text(error, patron.language))
    return _loan_answer("12", session, request, edge, patron, loan, renewed=False)


def _loan_answer(
    code: str,
    session: Session,
    request: Message,
    edge: Edge,
    patron: KioskPatron,
    loan: Loan,
    *,
    renewed: bool,
) -> Message:
    """The positive answer to a checkout (12) or a renewal (30): the same layout."""
    fixed = {
        "ok": "1",
        "renewal_ok": "Y" if renewed else "N",
        "magnetic_media": "U",
        "desensitize": "Y",
        "transaction_date": edge.stamp,
    }
    sentence = "renewed" if renewed else "checked_out"
    fields: list[tuple[str, str | None]] = [
        ("AO", _institution(session, request)),
        ("AA", patron.card_number),
        ("AB", loan.item.barcode),
        ("AJ", loan.item.title),
        ("AH", sip_date(loan.due_on)),
        ("AF", text(sentence, patron.language, due=short_date(loan.due_on))),
    ]
    return _message(code, request, fixed, fields)


def checkin(session: Session, request: Message, edge: Edge, pin: Pin) -> Message | None:
    language = _request_language(request)
    item = _item(session, request.get("AB") or "")
    if item is None:
        return negative(session, request, edge, text("unknown_item", language))
    loan = loan_checkin(item=item, today=edge.today, actor=session.actor)
    waiting = someone_waits_for(item_id=item.pk)
    screen = [text("checked_in", language) if loan else text("not_on_loan", language)]
    if waiting:
        screen.append(text("put_aside", language))
    fixed = {
        "ok": "1",
        "resensitize": "N" if waiting else "Y",
        "magnetic_media": "U",
        "alert": "Y" if waiting else "N",
        "transaction_date": edge.stamp,
    }
    patron_card = (
        Borrower.objects.filter(pk=loan.borrower_id).values_list("card_number", flat=True).first()
        if loan
        else None
    )
    fields: list[tuple[str, str | None]] = [
        ("AO", _institution(session, request)),
        ("AB", item.barcode),
        ("AQ", item.instance.code),
        ("AJ", item.title),
        ("AA", patron_card),
    ]
    fields += [("AF", line) for line in screen]
    return _message("10", request, fixed, fields)


@patron_transaction
def renew(session: Session, request: Message, edge: Edge, patron: KioskPatron) -> Message | None:
    loan = (
        Loan.objects.select_related("item")
        .filter(
            borrower_id=patron.id,
            returned_on__isnull=True,
            item__barcode=(request.get("AB") or "").strip(),
        )
        .first()
    )
    if loan is None:
        return negative(session, request, edge, text("not_your_loan", patron.language))
    try:
        loan = loan_renew(loan=loan, today=edge.today, actor=session.actor)
    except LidgeldError as error:
        return negative(session, request, edge, _refused_text(error, patron.language))
    return _loan_answer("30", session, request, edge, patron, loan, renewed=True)


@patron_transaction
def renew_all(
    session: Session, request: Message, edge: Edge, patron: KioskPatron
) -> Message | None:
    loans = list(
        Loan.objects.select_related("item")
        .filter(borrower_id=patron.id, returned_on__isnull=True)
        .order_by("due_on", "id")
    )
    renewed: list[str] = []
    unrenewed: list[str] = []
    screen: list[str] = []
    if not patron.allowed:
        unrenewed = [loan.item.barcode for loan in loans]
        screen.append(patron.block.message(patron.language))
    else:
        for loan in loans:
            try:
                loan_renew(loan=loan, today=edge.today, actor=session.actor)
                renewed.append(loan.item.barcode)
            except LidgeldError as error:
                unrenewed.append(loan.item.barcode)
                message = _refused_text(error, patron.language)
                if message not in screen:
                    screen.append(message)
    fixed = {
        "ok": "1" if patron.allowed else "0",
        "renewed_count": f"{min(len(renewed), 9999):04d}",
        "unrenewed_count": f"{min(len(unrenewed), 9999):04d}",
        "transaction_date": edge.stamp,
    }
    fields: list[tuple[str, str | None]] = [("AO", _institution(session, request))]
    fields += [("BM", barcode) for barcode in renewed]
    fields += [("BN", barcode) for barcode in unrenewed]
    fields += [("AF", line) for line in screen]
    return _message("66", request, fixed, fields)


def item_information(session: Session, request: Message, edge: Edge, pin: Pin) -> Message | None:
    item = _item(session, request.get("AB") or "")
    if item is None:
        return negative(session, request, edge, text("unknown_item", _request_language(request)))
    loan = (
        Loan.objects.filter(item=item, returned_on__isnull=True)
        .values_list("due_on", flat=True)
        .first()
    )
    queue = list(
        Reservation.objects.filter(
            item=item,
            status__in=[ReservationStatus.WAITING, ReservationStatus.HELD, ReservationStatus.READY],
        ).values_list("status", flat=True)
    )
    if loan is not None:
        status = "04"  # charged
    elif ReservationStatus.READY in queue:
        status = "08"  # waiting on hold shelf
    else:
        status = "03"  # available
    fixed = {
        "circulation_status": status,
        "security_marker": "00",
        "fee_type": "01",
        "transaction_date": edge.stamp,
    }
    fields: list[tuple[str, str | None]] = [
        ("CF", str(len(queue))),
        ("AH", sip_date(loan) if loan else None),
        ("AB", item.barcode),
        ("AJ", item.title),
        ("BG", item.instance.code),
        ("AQ", item.instance.code),
    ]
    return _message("18", request, fixed, fields)


@patron_transaction
def fee_paid(session: Session, request: Message, edge: Edge, patron: KioskPatron) -> Message | None:
    language = patron.language
    transaction_id = (request.get("BK") or "").strip()
    if transaction_id:
        earlier = _earlier_fee_paid(session, request, edge, transaction_id, patron)
        if earlier is not None:
            return earlier
    currency = request.fixed.get("currency_type", "").strip().upper()
    if currency not in ("EUR", ""):
        return negative(session, request, edge, text("no_currency", language))
    try:
        amount = parse_amount(request.get("BV") or "")
    except LidgeldError:
        return negative(session, request, edge, text("bad_amount", language))
    if patron.open_amount <= 0:
        return negative(session, request, edge, text("nothing_open", language))
    if amount > patron.open_amount:
        return negative(
            session,
            request,
            edge,
            text("too_much", language, open=format_amount(patron.open_amount, language)),
        )
    borrower = Borrower.objects.get(pk=patron.id)

    def accepted(result: PaymentResult) -> Message:
        paid = format_amount(result.paid, language)
        still_open = format_amount(result.still_open, language)
        screen = (
            text("paid_all", language, paid=paid)
            if result.still_open == 0
            else text("paid_part", language, paid=paid, open=still_open)
        )
        fixed = {"payment_accepted": "Y", "transaction_date": edge.stamp}
        fields: list[tuple[str, str | None]] = [
            ("AO", _institution(session, request)),
            ("AA", patron.card_number),
            ("BK", request.get("BK")),
            ("AF", screen),
        ]
        return _message("38", request, fixed, fields)

    try:
        if not transaction_id:
            return accepted(
                payment_register(
                    borrower=borrower,
                    amount=amount,
                    today=edge.today,
                    actor=session.actor,
                    channel="kiosk",
                )
            )
        booked = kiosk_fee_paid(
            terminal_id=session.terminal_id,
            transaction_id=transaction_id,
            borrower=borrower,
            amount=amount,
            today=edge.today,
            now=edge.now,
            actor=session.actor,
            answer=lambda result: _stored(accepted(result)),
        )
    except LidgeldError as error:
        return negative(session, request, edge, _refused_text(error, language))
    return _replayed(booked.answer, request)


def _stored(message: Message) -> KioskAnswer:
    return {"fixed": message.fixed, "fields": [list(pair) for pair in message.fields]}


def _replayed(answer: KioskAnswer, request: Message) -> Message:
    """A stored 38 again, with the sequence number of the request it answers now."""
    return Message(
        code="38",
        fixed=dict(answer["fixed"]),
        fields=tuple((key, value) for key, value in answer["fields"]),
        sequence=request.sequence,
    )


def _earlier_fee_paid(
    session: Session, request: Message, edge: Edge, transaction_id: str, patron: KioskPatron
) -> Message | None:
    """The answer already given to this terminal's 37 with this transaction id: a kiosk
    that lost it and sends the same request again books nothing (None: a new one)."""
    earlier = kiosk_payment_earlier(terminal_id=session.terminal_id, transaction_id=transaction_id)
    if earlier is None:
        return None
    try:
        amount = parse_amount(request.get("BV") or "")
    except LidgeldError:
        amount = None
    if earlier.card_number != patron.card_number or earlier.amount != amount:
        log.warning(
            "sip2 terminal %s: transaction id %s used again for another payment; refused",
            session.login,
            transaction_id,
        )
        screen = text("transaction_reused", patron.language, id=transaction_id)
        return negative(session, request, edge, screen)
    log.info(
        "sip2 terminal %s: fee paid %s sent again; answered as before, nothing booked",
        session.login,
        transaction_id,
    )
    return _replayed(earlier.answer, request)


def end_session(session: Session, request: Message, edge: Edge, pin: Pin) -> Message | None:
    language = _request_language(request)
    fixed = {"end_session": "Y", "transaction_date": edge.stamp}
    fields: list[tuple[str, str | None]] = [
        ("AO", _institution(session, request)),
        ("AA", request.get("AA") or ""),
        ("AF", text("goodbye", language)),
    ]
    return _message("36", request, fixed, fields)


def sc_status(
    session: Session | None, request: Message, edge: Edge, screen: str | None = None
) -> Message:
    fixed = {
        "online_status": "Y",
        "checkin_ok": "Y",
        "checkout_ok": "Y",
        "acs_renewal_policy": "Y",
        "status_update_ok": "N",
        "offline_ok": "N",
        "timeout_period": "030",
        "retries_allowed": "003",
        "date_time_sync": edge.stamp,
        "protocol_version": "2.00",
    }
    fields: list[tuple[str, str | None]] = [
        ("AO", session.instance_code if session else ""),
        ("AM", session.instance_name if session else None),
        ("BX", SUPPORTED),
        ("AN", session.location or None if session else None),
        ("AF", screen),
    ]
    return _message("98", request, fixed, fields)


def unsupported(session: Session | None, request: Message, edge: Edge) -> Message:
    """The refusal of a message we do not support: its own response where the spec has
    one, else an ACS status saying so (see the module's docstring)."""
    language = _request_language(request)
    screen = text("no_holds" if request.code == "15" else "not_supported", language)
    answer = negative(session, request, edge, screen) if request.code in UNSUPPORTED else None
    return answer or sc_status(session, request, edge, screen)


# Messages of the spec we refuse with their own response type (BX says N for them).
UNSUPPORTED = frozenset({"01", "15", "19", "25"})


HANDLERS: dict[str, Callable[[Session, Message, Edge, Pin], Message | None]] = {
    "23": patron_status,
    "63": patron_information,
    "11": checkout,
    "09": checkin,
    "29": renew,
    "65": renew_all,
    "17": item_information,
    "37": fee_paid,
    "35": end_session,
}


# Fields that are never looked up (secrets, compared as hashes): any character may be in them.
_UNQUERIED = frozenset({"AC", "AD", "CO"})


def _unreadable(session: Session | None, request: Message, edge: Edge) -> Message | None:
    """A refusal for a request with a control character (NUL, …) in a field that would
    be looked up: no card or barcode has one, and PostgreSQL refuses NUL in a query."""
    bad = [k for k, v in request.fields if k not in _UNQUERIED and has_control_characters(v)]
    if not bad:
        return None
    log.info("sip2 %s: a control character in field %s; refused", request.code, bad[0])
    key = "unknown_card" if "AA" in bad else "unknown_item" if "AB" in bad else "unreadable"
    screen = text(key, _request_language(request))
    return negative(session, request, edge, screen) or sc_status(session, request, edge, screen)


def handle(
    session: Session | None, request: Message, edge: Edge, pin: Pin = Pin.NONE
) -> Message | None:
    """The answer to one request from a terminal; ``pin``: what the server found of
    the request's PIN (:func:`lidgeld.sip2.pins.pin_check`)."""
    if request.code == "99":
        return sc_status(session, request, edge)
    unreadable = _unreadable(session, request, edge)
    if unreadable is not None:
        return unreadable
    handler = HANDLERS.get(request.code)
    if handler is None:
        return unsupported(session, request, edge)
    if session is None:
        return negative(None, request, edge, text("not_logged_in", _request_language(request)))
    try:
        return handler(session, request, edge, pin)
    except Refused as error:
        return negative(session, request, edge, _refused_text(error, _request_language(request)))
    except Exception as error:
        # Never a stack trace on the wire; the log has it (never with PINs or passwords).
        log.exception("sip2 %s from %s failed", request.code, session.login)
        if isinstance(error, (InterfaceError, OperationalError)):
            connection.close()  # a broken connection: this worker reconnects next time
        return negative(session, request, edge, text("error", _request_language(request)))
