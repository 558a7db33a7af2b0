"""SIP2 circulation at the kiosk: checkout (11), checkin (09), renew (29), renew all
(65) and item information (17)."""

from __future__ import annotations

import logging

from lidgeld.borrowers.selectors import borrower_by_id, card_number_of
from lidgeld.circulation.models import Item, Loan, ReservationStatus
from lidgeld.circulation.selectors import (
    item_by_barcode,
    item_circulation,
    open_loan_of,
    open_loans,
    someone_waits_for,
)
from lidgeld.errors import LidgeldError
from lidgeld.operations.loans import loan_checkin, loan_checkout, loan_renew
from lidgeld.sip2.answers import (
    institution_of,
    message_of,
    negative,
    refused_text,
    request_language,
    short_date,
)
from lidgeld.sip2.codec import Message, sip_date
from lidgeld.sip2.patrons import (
    patron_transaction,
)
from lidgeld.sip2.pins import Pin
from lidgeld.sip2.session import Edge, Session
from lidgeld.sip2.texts import text
from lidgeld.standing.kiosk import (
    KioskPatron,
)

log = logging.getLogger("lidgeld.sip2")


# -- circulation


def _item(session: Session, barcode: str) -> Item | None:
    return item_by_barcode(barcode, instance_ids=session.instance_ids)


@patron_transaction
def checkout(session: Session, request: Message, edge: Edge, patron: KioskPatron) -> Message | None:
    if not patron.allowed:
        return negative(session, request, edge, patron.block.message(patron.language))
    item = _item(session, request.get("AB") or "")
    if item is None:
        return negative(session, request, edge, text("unknown_item", patron.language))
    borrower = borrower_by_id(patron.id)
    try:
        loan = loan_checkout(
            borrower=borrower, item=item, today=edge.today, now=edge.now, actor=session.actor
        )
    except LidgeldError as error:
        return negative(session, request, edge, refused_text(error, patron.language))
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
        ("AO", institution_of(session, request)),
        ("AA", patron.card_number),
        ("AB", loan.item.barcode),
        ("AJ", loan.item.title),
        ("AH", sip_date(loan.due_on)),
        ("AF", text(sentence, patron.language, due=short_date(loan.due_on))),
    ]
    return message_of(code, request, fixed, fields)


def checkin(session: Session, request: Message, edge: Edge, pin: Pin) -> Message | None:
    language = request_language(request)
    item = _item(session, request.get("AB") or "")
    if item is None:
        return negative(session, request, edge, text("unknown_item", language))
    loan = loan_checkin(item=item, today=edge.today, now=edge.now, actor=session.actor)
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
    patron_card = card_number_of(loan.borrower_id) if loan else None
    fields: list[tuple[str, str | None]] = [
        ("AO", institution_of(session, request)),
        ("AB", item.barcode),
        ("AQ", item.instance.code),
        ("AJ", item.title),
        ("AA", patron_card),
    ]
    fields += [("AF", line) for line in screen]
    return message_of("10", request, fixed, fields)


@patron_transaction
def renew(session: Session, request: Message, edge: Edge, patron: KioskPatron) -> Message | None:
    loan = open_loan_of(patron.id, request.get("AB") or "")
    if loan is None:
        return negative(session, request, edge, text("not_your_loan", patron.language))
    try:
        loan = loan_renew(loan=loan, today=edge.today, now=edge.now, actor=session.actor)
    except LidgeldError as error:
        return negative(session, request, edge, refused_text(error, patron.language))
    return _loan_answer("30", session, request, edge, patron, loan, renewed=True)


@patron_transaction
def renew_all(
    session: Session, request: Message, edge: Edge, patron: KioskPatron
) -> Message | None:
    loans = open_loans(patron.id)
    renewed: list[str] = []
    unrenewed: list[str] = []
    screen: list[str] = []
    if not patron.allowed:
        unrenewed = [loan.item.barcode for loan in loans]
        screen.append(patron.block.message(patron.language))
    else:
        for loan in loans:
            try:
                loan_renew(loan=loan, today=edge.today, now=edge.now, actor=session.actor)
                renewed.append(loan.item.barcode)
            except LidgeldError as error:
                unrenewed.append(loan.item.barcode)
                message = refused_text(error, patron.language)
                if message not in screen:
                    screen.append(message)
    fixed = {
        "ok": "1" if patron.allowed else "0",
        "renewed_count": f"{min(len(renewed), 9999):04d}",
        "unrenewed_count": f"{min(len(unrenewed), 9999):04d}",
        "transaction_date": edge.stamp,
    }
    fields: list[tuple[str, str | None]] = [("AO", institution_of(session, request))]
    fields += [("BM", barcode) for barcode in renewed]
    fields += [("BN", barcode) for barcode in unrenewed]
    fields += [("AF", line) for line in screen]
    return message_of("66", request, fixed, fields)


def item_information(session: Session, request: Message, edge: Edge, pin: Pin) -> Message | None:
    item = _item(session, request.get("AB") or "")
    if item is None:
        return negative(session, request, edge, text("unknown_item", request_language(request)))
    loan, queue = item_circulation(item.pk)
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
    return message_of("18", request, fixed, fields)
