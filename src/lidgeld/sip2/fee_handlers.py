"""SIP2 fee paid (37): once per transaction id, never more than is open."""

from __future__ import annotations

import logging

from lidgeld.borrowers.selectors import borrower_by_id
from lidgeld.domain.blocks import format_amount
from lidgeld.errors import LidgeldError
from lidgeld.finance.services import (
    PaymentResult,
    parse_amount,
    payment_register,
)
from lidgeld.kiosks.selectors import kiosk_payment_earlier
from lidgeld.kiosks.services import (
    KioskAnswer,
    kiosk_fee_paid,
)
from lidgeld.sip2.answers import (
    institution_of,
    message_of,
    negative,
    refused_text,
)
from lidgeld.sip2.codec import Message
from lidgeld.sip2.patrons import (
    patron_transaction,
)
from lidgeld.sip2.session import Edge, Session
from lidgeld.sip2.texts import text
from lidgeld.standing.kiosk import (
    KioskPatron,
)

log = logging.getLogger("lidgeld.sip2")


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
    borrower = borrower_by_id(patron.id)

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
            ("AO", institution_of(session, request)),
            ("AA", patron.card_number),
            ("BK", request.get("BK")),
            ("AF", screen),
        ]
        return message_of("38", request, fixed, fields)

    try:
        if not transaction_id:
            return accepted(
                payment_register(
                    borrower=borrower,
                    amount=amount,
                    today=edge.today,
                    now=edge.now,
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
        return negative(session, request, edge, refused_text(error, language))
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
