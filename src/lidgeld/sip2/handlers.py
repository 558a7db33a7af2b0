"""What the ACS answers to each SIP2 request: thin adapters over selectors and services.

Everything here runs in a worker thread (it touches the database); the server
calls :func:`handle` with the terminal's session and the request, and sends
the message it returns. No exception text ever reaches the kiosk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.hashers import check_password
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.loans import loan_checkin, loan_checkout, loan_renew
from lidgeld.circulation.models import Item, Loan, Reservation, ReservationStatus
from lidgeld.domain.blocks import MembershipState, Reason, format_amount
from lidgeld.errors import LidgeldError, Refused
from lidgeld.finance.services import open_contributions, parse_amount, payment_register
from lidgeld.sip2.codec import Message, clean
from lidgeld.sip2.selectors import KioskPatron, kiosk_patron, visible_instance_ids
from lidgeld.sip2.services import terminal_authenticate

log = logging.getLogger("lidgeld.sip2")

# Which messages this ACS answers, in the order of the BX field of the SIP2 spec:
# 23, 11, 09, 01, 99, 97, 93, 63, 35, 37, 17, 19, 25, 15, 29, 65.
SUPPORTED = "YYYNYYYYYYYNNNYY"

# SIP2 language codes (fixed field of 23/24/63/64) for the borrower's language.
SIP_LANGUAGE = {"en": "001", "fr": "002", "nl": "005"}
LANGUAGE_OF_SIP = {"001": "en", "002": "fr", "005": "nl", "024": "en", "026": "nl"}

TEXTS: dict[str, dict[str, str]] = {
    "not_logged_in": {
        "nl": "Dit toestel is niet aangemeld. Verwittig de balie.",
        "fr": "Cet automate n'est pas connecté. Prévenez le comptoir.",
        "en": "This kiosk is not logged in. Please tell the desk.",
    },
    "unknown_card": {
        "nl": "Deze kaart is hier niet gekend. Vraag het aan de balie.",
        "fr": "Cette carte n'est pas connue ici. Adressez-vous au comptoir.",
        "en": "This card is not known here. Please ask at the desk.",
    },
    "wrong_pin": {
        "nl": "De pincode klopt niet. Probeer opnieuw of vraag het aan de balie.",
        "fr": "Le code PIN est incorrect. Réessayez ou adressez-vous au comptoir.",
        "en": "The PIN is not correct. Try again or ask at the desk.",
    },
    "unknown_item": {
        "nl": "Dit exemplaar is hier niet gekend. Breng het naar de balie.",
        "fr": "Cet exemplaire n'est pas connu ici. Apportez-le au comptoir.",
        "en": "This item is not known here. Please take it to the desk.",
    },
    "on_loan": {
        "nl": "Dit exemplaar is al uitgeleend. Breng het naar de balie.",
        "fr": "Cet exemplaire est déjà prêté. Apportez-le au comptoir.",
        "en": "This item is already on loan. Please take it to the desk.",
    },
    "reserved": {
        "nl": "Dit exemplaar is gereserveerd door iemand anders en kan niet verlengd worden.",
        "fr": "Cet exemplaire est réservé par quelqu'un d'autre et ne peut être prolongé.",
        "en": "Someone else reserved this item, so it cannot be renewed.",
    },
    "not_your_loan": {
        "nl": "Dit exemplaar staat niet op jouw naam uitgeleend.",
        "fr": "Cet exemplaire n'est pas prêté à votre nom.",
        "en": "This item is not on loan to you.",
    },
    "checked_out": {
        "nl": "Uitgeleend tot {due}.",
        "fr": "Prêté jusqu'au {due}.",
        "en": "On loan until {due}.",
    },
    "renewed": {
        "nl": "Verlengd tot {due}.",
        "fr": "Prolongé jusqu'au {due}.",
        "en": "Renewed until {due}.",
    },
    "checked_in": {
        "nl": "Ingeleverd. Bedankt!",
        "fr": "Retour enregistré. Merci !",
        "en": "Returned. Thank you!",
    },
    "not_on_loan": {
        "nl": "Dit exemplaar was niet uitgeleend.",
        "fr": "Cet exemplaire n'était pas prêté.",
        "en": "This item was not on loan.",
    },
    "put_aside": {
        "nl": "Gereserveerd: leg dit exemplaar apart.",
        "fr": "Réservé : mettez cet exemplaire de côté.",
        "en": "Reserved: put this item aside.",
    },
    "no_currency": {
        "nl": "Betalen kan alleen in euro (EUR).",
        "fr": "Le paiement se fait uniquement en euros (EUR).",
        "en": "Payments are in euro (EUR) only.",
    },
    "bad_amount": {
        "nl": "Het bedrag is niet leesbaar. Vraag het aan de balie.",
        "fr": "Le montant est illisible. Adressez-vous au comptoir.",
        "en": "The amount cannot be read. Please ask at the desk.",
    },
    "nothing_open": {
        "nl": "Er staat geen lidgeld open.",
        "fr": "Aucune cotisation n'est due.",
        "en": "There is no membership fee to pay.",
    },
    "too_much": {
        "nl": "Dat is meer dan wat openstaat (€ {open}).",
        "fr": "C'est plus que le montant dû ({open} €).",
        "en": "That is more than what is open (€ {open}).",
    },
    "paid_all": {
        "nl": "Betaald: € {paid}. Bedankt! Je kan weer lenen.",
        "fr": "Payé : {paid} €. Merci ! Vous pouvez de nouveau emprunter.",
        "en": "Paid: € {paid}. Thank you! You can borrow again.",
    },
    "paid_part": {
        "nl": "Betaald: € {paid}. Nog open: € {open}.",
        "fr": "Payé : {paid} €. Reste dû : {open} €.",
        "en": "Paid: € {paid}. Still open: € {open}.",
    },
    "goodbye": {
        "nl": "Tot ziens!",
        "fr": "Au revoir !",
        "en": "Goodbye!",
    },
    "error": {
        "nl": "Er ging iets mis. Probeer opnieuw of vraag het aan de balie.",
        "fr": "Une erreur s'est produite. Réessayez ou adressez-vous au comptoir.",
        "en": "Something went wrong. Try again or ask at the desk.",
    },
}


def text(key: str, language: str, **values: str) -> str:
    sentences = TEXTS[key]
    return (sentences.get(language) or sentences["nl"]).format(**values)


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

    @property
    def actor(self) -> str:
        return f"sip2:{self.login}"


def login(*, user: str, password: str) -> Session | None:
    terminal = terminal_authenticate(login=user, password=password)
    if terminal is None:
        return None
    return Session(
        terminal_id=terminal.pk,
        login=terminal.login,
        instance_code=terminal.instance.code,
        instance_name=terminal.instance.name,
        location=terminal.location,
        charset=terminal.charset,
        instance_ids=tuple(visible_instance_ids(terminal.instance)),
    )


@dataclass(frozen=True)
class Edge:
    """The clock, read once per request."""

    today: date
    stamp: str  # SIP2 transaction date, YYYYMMDD    HHMMSS


def edge_from(now: datetime, today: date) -> Edge:
    local = timezone.localtime(now) if timezone.is_aware(now) else now
    return Edge(today=today, stamp=sip_date(local))


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
    return None


# -- patrons


@dataclass(frozen=True)
class PatronCheck:
    patron: KioskPatron | None
    pin_given: bool
    pin_ok: bool

    @property
    def usable(self) -> bool:
        """Known, and not refused by a PIN that was given and is wrong."""
        return self.patron is not None and (self.pin_ok or not self.pin_given)


def check_patron(session: Session, request: Message, edge: Edge) -> PatronCheck:
    card = (request.get("AA") or "").strip()
    patron = (
        kiosk_patron(card_number=card, instance_ids=session.instance_ids, today=edge.today)
        if card
        else None
    )
    pin = request.get("AD") or ""
    pin_ok = bool(patron and pin and patron.pin_hash and check_password(pin, patron.pin_hash))
    return PatronCheck(patron=patron, pin_given=bool(pin), pin_ok=pin_ok)


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
        return text("wrong_pin", check.patron.language)
    return None


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
        fields.append(("AF", text("wrong_pin", patron.language)))
        return "YYYY" + " " * 10, SIP_LANGUAGE.get(patron.language, "000"), fields
    if patron.open_amount > 0:
        fields += [("BH", "EUR"), ("BV", f"{patron.open_amount:.2f}")]
    if not patron.allowed:
        fields.append(("AF", patron.block.message(patron.language)))
    return patron_status_field(patron), SIP_LANGUAGE.get(patron.language, "000"), fields


def patron_status(session: Session, request: Message, edge: Edge) -> Message | None:
    check = check_patron(session, request, edge)
    if check.patron is None:
        return negative(session, request, edge, text("unknown_card", _request_language(request)))
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


def patron_information(session: Session, request: Message, edge: Edge) -> Message | None:
    check = check_patron(session, request, edge)
    if check.patron is None:
        return negative(session, request, edge, text("unknown_card", _request_language(request)))
    patron = check.patron
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


def checkout(session: Session, request: Message, edge: Edge) -> Message | None:
    check = check_patron(session, request, edge)
    refusal = _refusal_text(check, _request_language(request))
    if refusal is not None or check.patron is None:
        return negative(session, request, edge, refusal or "")
    patron = check.patron
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


def checkin(session: Session, request: Message, edge: Edge) -> Message | None:
    language = _request_language(request)
    item = _item(session, request.get("AB") or "")
    if item is None:
        return negative(session, request, edge, text("unknown_item", language))
    loan = loan_checkin(item=item, today=edge.today, actor=session.actor)
    waiting = Reservation.objects.filter(
        item=item, status__in=[ReservationStatus.WAITING, ReservationStatus.READY]
    ).exists()
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


def renew(session: Session, request: Message, edge: Edge) -> Message | None:
    check = check_patron(session, request, edge)
    refusal = _refusal_text(check, _request_language(request))
    if refusal is not None or check.patron is None:
        return negative(session, request, edge, refusal or "")
    patron = check.patron
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


def renew_all(session: Session, request: Message, edge: Edge) -> Message | None:
    check = check_patron(session, request, edge)
    refusal = _refusal_text(check, _request_language(request))
    if refusal is not None or check.patron is None:
        return negative(session, request, edge, refusal or "")
    patron = check.patron
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


def item_information(session: Session, request: Message, edge: Edge) -> Message | None:
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


def fee_paid(session: Session, request: Message, edge: Edge) -> Message | None:
    check = check_patron(session, request, edge)
    refusal = _refusal_text(check, _request_language(request))
    if refusal is not None or check.patron is None:
        return negative(session, request, edge, refusal or "")
    patron = check.patron
    language = patron.language
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
    try:
        result = payment_register(
            borrower=borrower, amount=amount, today=edge.today, actor=session.actor, channel="kiosk"
        )
    except LidgeldError as error:
        return negative(session, request, edge, _refused_text(error, language))
    paid = format_amount(result.paid, language)
    screen = (
        text("paid_all", language, paid=paid)
        if result.still_open == 0
        else text("paid_part", language, paid=paid, open=format_amount(result.still_open, language))
    )
    fixed = {"payment_accepted": "Y", "transaction_date": edge.stamp}
    fields: list[tuple[str, str | None]] = [
        ("AO", _institution(session, request)),
        ("AA", patron.card_number),
        ("BK", request.get("BK")),
        ("AF", screen),
    ]
    return _message("38", request, fixed, fields)


def end_session(session: Session, request: Message, edge: Edge) -> Message | None:
    language = _request_language(request)
    fixed = {"end_session": "Y", "transaction_date": edge.stamp}
    fields: list[tuple[str, str | None]] = [
        ("AO", _institution(session, request)),
        ("AA", request.get("AA") or ""),
        ("AF", text("goodbye", language)),
    ]
    return _message("36", request, fixed, fields)


def sc_status(session: Session | None, request: Message, edge: Edge) -> Message:
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
    ]
    return _message("98", request, fixed, fields)


HANDLERS: dict[str, Callable[[Session, Message, Edge], Message | None]] = {
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


def handle(session: Session | None, request: Message, edge: Edge) -> Message | None:
    """The answer to one request from a terminal (None: nothing to answer)."""
    if request.code == "99":
        return sc_status(session, request, edge)
    handler = HANDLERS.get(request.code)
    if handler is None:
        return None
    if session is None:
        return negative(None, request, edge, text("not_logged_in", _request_language(request)))
    try:
        return handler(session, request, edge)
    except Refused as error:
        return negative(session, request, edge, _refused_text(error, _request_language(request)))
    except Exception as error:
        # Never a stack trace on the wire; the log has it (never with PINs or passwords).
        log.exception("sip2 %s from %s failed", request.code, session.login)
        if isinstance(error, (InterfaceError, OperationalError)):
            connection.close()  # a broken connection: this worker reconnects next time
        return negative(session, request, edge, text("error", _request_language(request)))
