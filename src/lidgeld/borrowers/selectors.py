"""Reads of borrowers: one borrower by card number."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lidgeld.borrowers.models import Borrower
from lidgeld.errors import InvalidInput


def borrower_get(card_number: str) -> Borrower:
    borrower = (
        Borrower.objects.select_related("home_instance")
        .filter(card_number=card_number.strip())
        .first()
    )
    if borrower is None:
        raise InvalidInput(
            _("no borrower has card number '%(card)s'"),
            code="card_unknown",
            params={"card": card_number},
        )
    return borrower


def borrower_by_id(borrower_id: int) -> Borrower:
    """A borrower known to exist (a kiosk's patron, found by its lookup)."""
    return Borrower.objects.get(pk=borrower_id)


def card_number_of(borrower_id: int) -> str | None:
    return Borrower.objects.filter(pk=borrower_id).values_list("card_number", flat=True).first()
