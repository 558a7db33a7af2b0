"""A borrower's cards at the desk (R12): the history on the borrower page, report the
current card lost or stolen, give a new card (with the library's fee when it asks one),
and the banners that say a scanned card is an old or a reported one.

Each change has a confirmation step (GET, or the first POST of the new card's form,
shows what will happen; the POST that confirms calls the one service). A refusal shows
the form again with its reason and changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lidgeld.borrowers.cards import card_report
from lidgeld.borrowers.checks import clean_card_number
from lidgeld.borrowers.models import Borrower, Card, CardReport
from lidgeld.borrowers.selectors import borrower_cards, card_number_taken
from lidgeld.errors import LidgeldError
from lidgeld.exports.formatting import format_date_be, format_money_be
from lidgeld.operations.cards import card_replace_at_desk
from lidgeld.staffweb.access import StaffRequest, staff_page, visible_borrower
from lidgeld.staffweb.views.desk_common import actor

# -- on the borrower page -------------------------------------------------------------


def shown_cards(borrower: Borrower, cards: list[Card]) -> list[Card]:
    """The card history as the page shows it: a borrower from before cards had a
    history has only their number, shown as the current card (not saved here)."""
    if cards:
        return cards
    return [Card(number=borrower.card_number, borrower=borrower, issued_on=borrower.registered_on)]


def _old_card_sentence(card: Card) -> str:
    values = {
        "card": card.number,
        "replaced": format_date_be(card.replaced_on) if card.replaced_on else "",
        "reported": format_date_be(card.reported_on) if card.reported_on else "",
    }
    if card.reported == CardReport.LOST:
        return (
            _(
                "Old card: card %(card)s was replaced on %(replaced)s (reported lost on %(reported)s)."
            )
            % values
        )
    if card.reported == CardReport.STOLEN:
        return (
            _(
                "Old card: card %(card)s was replaced on %(replaced)s "
                "(reported stolen on %(reported)s)."
            )
            % values
        )
    return _("Old card: card %(card)s was replaced on %(replaced)s.") % values


def _reported_sentence(card: Card, scanned: bool) -> str:
    values = {
        "card": card.number,
        "day": format_date_be(card.reported_on) if card.reported_on else "",
    }
    if scanned:
        if card.reported == CardReport.STOLEN:
            return _("This card was reported stolen on %(day)s.") % values
        return _("This card was reported lost on %(day)s.") % values
    if card.reported == CardReport.STOLEN:
        return _("The current card %(card)s was reported stolen on %(day)s.") % values
    return _("The current card %(card)s was reported lost on %(day)s.") % values


def card_banners(cards: list[Card], asked: str) -> list[dict[str, str]]:
    """What the top of the borrower page says about the card: the card the desk
    scanned (``asked``, checked against this borrower's own cards) when it is an old
    one, and the current card when it is reported lost or stolen."""
    banners = []
    asked = asked.strip().upper()
    scanned = next((c for c in cards if c.number.upper() == asked), None) if asked else None
    if scanned is not None and not scanned.current:
        banners.append({"code": "old-card", "text": _old_card_sentence(scanned)})
    current = next((c for c in cards if c.current), None)
    if current is not None and current.reported:
        sentence = _reported_sentence(current, scanned=scanned is current)
        banners.append({"code": "card-reported", "text": sentence})
    return banners


def cards_context(borrower: Borrower, cards: list[Card], asked: str) -> dict[str, Any]:
    shown = shown_cards(borrower, cards)
    current = next((c for c in shown if c.current), None)
    return {
        "cards": shown,
        "card_banners": card_banners(shown, asked),
        "current_card_reported": current.reported if current is not None else "",
    }


# -- report lost or stolen ------------------------------------------------------------


def _current_card(borrower: Borrower) -> Card:
    cards = shown_cards(borrower, borrower_cards(borrower))
    return next((c for c in cards if c.current), cards[0])


def _back(borrower_id: int) -> HttpResponseBase:
    return redirect("staffweb:borrower", borrower_id=borrower_id)


@staff_page()
@require_http_methods(["GET", "POST"])
def lost_or_stolen(request: StaffRequest, borrower_id: int, report: str) -> HttpResponseBase:
    borrower = visible_borrower(request.scope, borrower_id)
    error = ""
    if request.method == "POST":
        try:
            card = card_report(
                borrower=borrower,
                report=report,
                today=request.moment.today,
                now=request.moment.now,
                actor=actor(request),
            )
        except LidgeldError as refusal:
            error = refusal.localized()
        else:
            values = {"card": card.number}
            messages.success(
                request,
                _("Card %(card)s reported stolen; every kiosk and Mijn Bibliotheek refuse it.")
                % values
                if report == CardReport.STOLEN
                else _("Card %(card)s reported lost; every kiosk and Mijn Bibliotheek refuse it.")
                % values,
            )
            return _back(borrower.pk)
    context = {
        "borrower": borrower,
        "card": _current_card(borrower),
        "report": report,
        "error": error,
    }
    return render(
        request, "staffweb/desk/card_report_confirm.html", context, status=400 if error else 200
    )


# -- a new card -----------------------------------------------------------------------


@staff_page()
@require_http_methods(["GET", "POST"])
def replace(request: StaffRequest, borrower_id: int) -> HttpResponseBase:
    """The new card's form; its first POST shows the confirmation, the second (with
    ``confirm``) replaces the card."""
    borrower = visible_borrower(request.scope, borrower_id)
    fee = borrower.home_instance.card_fee
    posted = request.method == "POST"
    number = request.POST.get("number", "").strip()
    charge = fee > 0 and (request.POST.get("charge") == "on" if posted else True)
    paid = charge and request.POST.get("paid") == "on"
    context: dict[str, Any] = {
        "borrower": borrower,
        "card": _current_card(borrower),
        "fee": fee,
        "number": number,
        "charge": charge,
        "paid": paid,
        "error": "",
    }
    if not posted:
        return render(request, "staffweb/desk/card_replace.html", context)
    if number and number == borrower.card_number:
        # The confirmation was sent twice: the first one gave this card.
        messages.info(request, _("Card %(card)s is the current card already.") % {"card": number})
        return _back(borrower.pk)
    try:
        number = clean_card_number(number)
        if "confirm" not in request.POST:
            if card_number_taken(number):
                context["error"] = _(
                    "Card number %(card)s was given out before; a card number is never used "
                    "twice: scan or type an unused card."
                ) % {"card": number}
            else:
                return render(request, "staffweb/desk/card_replace_confirm.html", context)
        else:
            done = card_replace_at_desk(
                borrower=borrower,
                new_number=number,
                charge_fee=charge,
                fee_paid=paid,
                today=request.moment.today,
                now=request.moment.now,
                actor=actor(request),
            )
            messages.success(request, _replaced_sentence(context["card"], done.card, done.fee))
            return _back(borrower.pk)
    except LidgeldError as refusal:
        context["error"] = refusal.localized()
    return render(request, "staffweb/desk/card_replace.html", context, status=400)


def _replaced_sentence(old: Card, new: Card, fee: Any) -> str:
    values = {"old": old.number, "new": new.number}
    sentence = _("Card %(new)s given; card %(old)s is kept as an old card.") % values
    if fee is None:
        return sentence
    values["fee"] = format_money_be(fee.amount)
    if fee.balance == 0:
        return " ".join([sentence, _("Card fee %(fee)s paid.") % values])
    return " ".join([sentence, _("Card fee %(fee)s open.") % values])
