"""Reads of borrowers: by card number (current or old), likely duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Collate, Upper
from django.utils.translation import gettext_lazy as _

from lidgeld.borrowers.models import Borrower, Card, Note
from lidgeld.domain.names import search_key
from lidgeld.errors import InvalidInput
from lidgeld.scope import Scope

DUPLICATES_SHOWN = 10


def upper_key(field: str) -> Any:
    """``UPPER(field)`` as borrowers/migrations/0003 and 0006 index it (byte order on
    PostgreSQL, where a prefix is only a contiguous range under ``COLLATE "C"``)."""
    upper = Upper(field)
    return Collate(upper, "C") if connection.vendor == "postgresql" else upper


def name_key(field: str) -> Any:
    """A search-key column (``search_first`` / ``search_last``) as 0006 indexes it."""
    return Collate(F(field), "C") if connection.vendor == "postgresql" else F(field)


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


@dataclass(frozen=True)
class CardHolder:
    borrower: Borrower
    card: Card  # the card asked for: the current one, or an old one

    @property
    def old_card(self) -> bool:
        return not self.card.current


def card_holder(card_number: str) -> CardHolder | None:
    """Whose card this number is or was (R12: an old card still finds its borrower)."""
    card = (
        Card.objects.select_related("borrower__home_instance")
        .filter(number=card_number.strip())
        .first()
    )
    return CardHolder(card.borrower, card) if card is not None else None


def card_number_taken(card_number: str) -> bool:
    """Ever given out, to anyone: a card number is never given to someone else."""
    return (
        Card.objects.filter(number=card_number).exists()
        or Borrower.objects.filter(card_number=card_number).exists()
    )


def borrower_cards(borrower: Borrower) -> list[Card]:
    return list(Card.objects.filter(borrower=borrower).order_by("-issued_on", "-id"))


def desk_notes(borrower: Borrower) -> list[Note]:
    """The notes not removed, newest first."""
    return list(Note.objects.filter(borrower=borrower, removed_at__isnull=True))


def likely_duplicates(
    *,
    scope: Scope,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    email: str,
    exclude_id: int | None = None,
) -> list[Borrower]:
    """Borrowers in ``scope`` with the same name (as the search compares names) and
    date of birth, or the same e-mail address, whatever its case."""
    same = Q()
    if birth_date is not None:
        same |= Q(
            k_last=search_key(last_name), k_first=search_key(first_name), birth_date=birth_date
        )
    if email:
        same |= Q(k_email=email.upper())
    if not same:
        return []
    found = scope.limit(
        Borrower.objects.annotate(
            k_last=name_key("search_last"),
            k_first=name_key("search_first"),
            k_email=upper_key("email"),
        ).filter(same),
        "home_instance_id",
    )
    if exclude_id is not None:
        found = found.exclude(pk=exclude_id)
    return list(found.select_related("home_instance").order_by("pk")[:DUPLICATES_SHOWN])


def borrower_by_id(borrower_id: int) -> Borrower:
    """A borrower known to exist (a kiosk's patron, found by its lookup)."""
    return Borrower.objects.get(pk=borrower_id)


def card_number_of(borrower_id: int) -> str | None:
    return Borrower.objects.filter(pk=borrower_id).values_list("card_number", flat=True).first()
