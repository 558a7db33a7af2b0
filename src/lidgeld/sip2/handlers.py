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

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connection

from lidgeld.circulation.models import ReservationStatus
from lidgeld.circulation.selectors import live_reservations, open_loans
from lidgeld.domain.blocks import format_amount
from lidgeld.errors import Refused
from lidgeld.finance.selectors import open_contributions
from lidgeld.sip2.answers import (
    SUPPORTED,
    institution_of,
    message_of,
    negative,
    refused_text,
    request_language,
)
from lidgeld.sip2.codec import Message
from lidgeld.sip2.fee_handlers import fee_paid
from lidgeld.sip2.loan_handlers import checkin, checkout, item_information, renew, renew_all
from lidgeld.sip2.patrons import (
    PatronCheck,
    known_patron,
    patron_fields,
)
from lidgeld.sip2.pins import Pin
from lidgeld.sip2.session import Edge, Session
from lidgeld.sip2.texts import text
from lidgeld.standing.kiosk import (
    KioskPatron,
)
from lidgeld.text_input import has_control_characters

log = logging.getLogger("lidgeld.sip2")


@known_patron
def patron_status(
    session: Session, request: Message, edge: Edge, check: PatronCheck
) -> Message | None:
    status, language, fields = patron_fields(request, check, session)
    fixed = {"patron_status": status, "language": language, "transaction_date": edge.stamp}
    return message_of("24", request, fixed, fields)


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
    status, language, fields = patron_fields(request, check, session)
    summary = (request.fixed.get("summary", "") + " " * 10)[:10]
    reveal = check.usable
    loans = [(loan.item.barcode, loan.due_on) for loan in open_loans(patron.id)] if reveal else []
    holds = live_reservations(patron.id) if reveal else []
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
    return message_of("64", request, fixed, fields)


def _fine_items(patron: KioskPatron) -> list[str]:
    language = patron.language
    return [
        f"{posting.description or posting.booking_code} € {format_amount(posting.balance, language)}"
        for posting in open_contributions(patron.id)
    ]


def end_session(session: Session, request: Message, edge: Edge, pin: Pin) -> Message | None:
    language = request_language(request)
    fixed = {"end_session": "Y", "transaction_date": edge.stamp}
    fields: list[tuple[str, str | None]] = [
        ("AO", institution_of(session, request)),
        ("AA", request.get("AA") or ""),
        ("AF", text("goodbye", language)),
    ]
    return message_of("36", request, fixed, fields)


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
    return message_of("98", request, fixed, fields)


def unsupported(session: Session | None, request: Message, edge: Edge) -> Message:
    """The refusal of a message we do not support: its own response where the spec has
    one, else an ACS status saying so (see the module's docstring)."""
    language = request_language(request)
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
    screen = text(key, request_language(request))
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
        return negative(None, request, edge, text("not_logged_in", request_language(request)))
    try:
        return handler(session, request, edge, pin)
    except Refused as error:
        return negative(session, request, edge, refused_text(error, request_language(request)))
    except Exception as error:
        # Never a stack trace on the wire; the log has it (never with PINs or passwords).
        log.exception("sip2 %s from %s failed", request.code, session.login)
        if isinstance(error, (InterfaceError, OperationalError)):
            connection.close()  # a broken connection: this worker reconnects next time
        return negative(session, request, edge, text("error", request_language(request)))
