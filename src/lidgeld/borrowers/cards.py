"""A borrower's cards (R12): report the current one lost or stolen, replace it.

A report blocks the card on every channel at once: the kiosks' and the portal's
lookups read ``Borrower.card_reported`` with the card number, and a portal session
ends because its fingerprint holds both. A replaced card stays in ``Card`` and is
never given to anyone else. The replacement fee is booked by
:func:`lidgeld.operations.cards.card_replace_at_desk`."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.checks import clean_card_number
from lidgeld.borrowers.models import Borrower, Card, CardReport
from lidgeld.borrowers.selectors import card_number_taken
from lidgeld.errors import InvalidInput, Refused


def _current(borrower_id: int) -> tuple[Borrower, Card]:
    """The borrower and their current card, locked for the change."""
    locked = Borrower.objects.select_for_update().get(pk=borrower_id)
    card = (
        Card.objects.select_for_update().filter(borrower_id=borrower_id, replaced_on=None).first()
    )
    if card is None:
        # A borrower from before cards had a history: their number is their card.
        card = Card.objects.create(
            number=locked.card_number, borrower=locked, issued_on=locked.registered_on
        )
    return locked, card


def card_report(*, borrower: Borrower, report: str, today: date, now: datetime, actor: str) -> Card:
    """The current card is lost or stolen: from now on no kiosk or portal accepts it."""
    if report not in CardReport.values:
        raise InvalidInput(
            _("a card is reported lost or stolen, not '%(report)s'"),
            code="card_report_unknown",
            params={"report": report},
        )
    with transaction.atomic():
        locked, card = _current(borrower.pk)
        if card.reported == report:
            raise Refused(
                _("card %(card)s is already reported %(report)s"),
                code="card_already_reported",
                params={"card": card.number, "report": CardReport(report).label},
            )
        before = card.reported
        card.reported, card.reported_on = report, today
        card.save(update_fields=["reported", "reported_on"])
        locked.card_reported = report
        locked.save(update_fields=["card_reported"])
        audit_record(
            actor=actor,
            action="card.reported",
            obj=card,
            today=today,
            now=now,
            borrower_id=locked.pk,
            instance_id=locked.home_instance_id,
            before={"card": card.number, "reported": before},
            after={"card": card.number, "reported": report},
        )
    borrower.card_reported = report
    return card


def card_replace(
    *, borrower: Borrower, new_number: str, today: date, now: datetime, actor: str
) -> Card:
    """A new card (typed or scanned) becomes the current one; the old one stays in the
    history, reported or not, and finds its borrower at the desk only."""
    new_number = clean_card_number(new_number)
    with transaction.atomic():
        locked, old = _current(borrower.pk)
        if card_number_taken(new_number):
            raise Refused(
                _(
                    "card number '%(card)s' was given out before; a card number is never "
                    "used twice: scan or type an unused card"
                ),
                code="card_in_use",
                params={"card": new_number},
            )
        old.replaced_on = today
        old.save(update_fields=["replaced_on"])
        card = Card.objects.create(number=new_number, borrower=locked, issued_on=today)
        locked.card_number, locked.card_reported = new_number, ""
        locked.save(update_fields=["card_number", "card_reported"])
        audit_record(
            actor=actor,
            action="card.replaced",
            obj=card,
            today=today,
            now=now,
            borrower_id=locked.pk,
            instance_id=locked.home_instance_id,
            before={"card": old.number, "reported": old.reported},
            after={"card": new_number},
        )
    borrower.card_number, borrower.card_reported = new_number, ""
    return card
