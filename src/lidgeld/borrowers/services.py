"""Writes of a borrower's own record: register, correct the details, set the PIN.

Cards are in :mod:`lidgeld.borrowers.cards`, notes in :mod:`lidgeld.borrowers.notes`;
a registration with its first membership in :mod:`lidgeld.operations.registration`."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.checks import (
    DETAIL_FIELDS,
    PIN_RULE,
    clean_card_number,
    clean_details,
    clean_email,
    clean_language,
    pin_is_well_formed,
)
from lidgeld.borrowers.models import Borrower, Card
from lidgeld.borrowers.selectors import card_number_taken, likely_duplicates
from lidgeld.domain.names import search_key
from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import Instance
from lidgeld.scope import Scope

__all__ = [
    "LikelyDuplicate",
    "borrower_contact_update",
    "borrower_create",
    "borrower_details_correct",
    "borrower_pin_set",
    "pin_generate",
    "pin_is_well_formed",
]

GENERATED_PIN_DIGITS = 6


class LikelyDuplicate(InvalidInput):
    """Someone with the same name and date of birth, or the same e-mail address, is
    already registered: the desk is shown them and may still go on."""

    def __init__(self, borrowers: list[Borrower]) -> None:
        super().__init__(
            _(
                "%(count)d borrower(s) with the same name and date of birth or the same "
                "e-mail address already exist; check they are not this person, then "
                "register anyway"
            ),
            code="likely_duplicate",
            params={"count": len(borrowers)},
        )
        self.borrowers = borrowers


def pin_generate() -> str:
    """A PIN for a slip printed at the desk: random digits, never stored as such."""
    return "".join(secrets.choice("0123456789") for _ in range(GENERATED_PIN_DIGITS))


def _keys(values: Mapping[str, Any]) -> dict[str, str]:
    keys = {}
    if "first_name" in values:
        keys["search_first"] = search_key(values["first_name"])
    if "last_name" in values:
        keys["search_last"] = search_key(values["last_name"])
    return keys


def borrower_create(
    *,
    card_number: str,
    first_name: str,
    last_name: str,
    instance: Instance,
    today: date,
    now: datetime,
    actor: str,
    email: str = "",
    language: str = "nl",
    birth_date: date | None = None,
    street: str = "",
    house_number: str = "",
    box: str = "",
    postal_code: str = "",
    city: str = "",
    country: str = "BE",
    phone: str = "",
    pin: str | None = None,
    duplicates_in: Scope | None = None,
) -> Borrower:
    """A new card holder, without a membership yet
    (:func:`lidgeld.operations.registration.borrower_register` gives the first).

    With ``duplicates_in``, borrowers in that scope with the same name and date of
    birth or the same e-mail address refuse it (:class:`LikelyDuplicate`); the desk
    passes None once staff have looked at them and chosen to go on."""
    card_number = clean_card_number(card_number)
    details = clean_details(
        {
            "first_name": first_name,
            "last_name": last_name,
            "birth_date": birth_date,
            "street": street,
            "house_number": house_number,
            "box": box,
            "postal_code": postal_code,
            "city": city,
            "country": country,
            "email": email,
            "phone": phone,
            "language": language,
        },
        today=today,
    )
    if pin is not None and not pin_is_well_formed(pin):
        raise InvalidInput(PIN_RULE, code="pin_malformed")
    if duplicates_in is not None:
        found = likely_duplicates(
            scope=duplicates_in,
            first_name=details["first_name"],
            last_name=details["last_name"],
            birth_date=details["birth_date"],
            email=details["email"],
        )
        if found:
            raise LikelyDuplicate(found)
    with transaction.atomic():
        if card_number_taken(card_number):
            raise InvalidInput(
                _("card number '%(card)s' is already in use"),
                code="card_in_use",
                params={"card": card_number},
            )
        borrower = Borrower.objects.create(
            card_number=card_number,
            home_instance=instance,
            pin_hash=make_password(pin) if pin else "",
            registered_on=today,
            **details,
            **_keys(details),
        )
        Card.objects.create(number=card_number, borrower=borrower, issued_on=today)
        audit_record(
            actor=actor,
            action="borrower.registered",
            obj=borrower,
            today=today,
            now=now,
            borrower_id=borrower.pk,
            instance_id=instance.pk,
            after={"card": card_number, "instance": instance.code, **details},
        )
        return borrower


def borrower_details_correct(
    *,
    borrower: Borrower,
    changes: Mapping[str, Any],
    today: date,
    now: datetime,
    actor: str,
) -> dict[str, tuple[Any, Any]]:
    """Change the details named in ``changes`` (any of ``DETAIL_FIELDS``); what is not
    named stays as it is, and nothing is blanked unless it is named with "". Audited
    with before and after; returns what changed, field → (before, after)."""
    with transaction.atomic():
        locked = Borrower.objects.select_for_update().get(pk=borrower.pk)
        cleaned = clean_details(changes, today=today, country=locked.country)
        if "postal_code" not in cleaned and "country" in cleaned and locked.postal_code:
            # a new country asks whether the postcode kept still fits it
            clean_details(
                {"postal_code": locked.postal_code, "country": cleaned["country"]}, today=today
            )
        changed = {
            field: (getattr(locked, field), value)
            for field, value in cleaned.items()
            if getattr(locked, field) != value
        }
        if changed:
            after = {field: new for field, (_old, new) in changed.items()}
            for field, value in (after | _keys(after)).items():
                setattr(locked, field, value)
            locked.save(update_fields=[*after, *_keys(after)])
            audit_record(
                actor=actor,
                action="borrower.details_corrected",
                obj=locked,
                today=today,
                now=now,
                borrower_id=locked.pk,
                instance_id=locked.home_instance_id,
                before={field: old for field, (old, _new) in changed.items()},
                after=after,
            )
    for field in DETAIL_FIELDS:
        setattr(borrower, field, getattr(locked, field))
    borrower.search_first, borrower.search_last = locked.search_first, locked.search_last
    return changed


def borrower_pin_set(
    *, borrower: Borrower, pin: str, today: date, now: datetime, actor: str
) -> Borrower:
    """A new PIN (portal and kiosk), stored as a salted hash; the PIN itself is never kept
    nor audited. Who may set it (the borrower with the old PIN, a reset link, the desk)
    is the caller's to check. Every portal session of the borrower ends: a session
    remembers a fingerprint of the hash it was opened with (lidgeld.portal.session)."""
    if not pin_is_well_formed(pin):
        raise InvalidInput(PIN_RULE, code="pin_malformed")
    with transaction.atomic():
        locked = Borrower.objects.select_for_update().get(pk=borrower.pk)
        had_pin = bool(locked.pin_hash)
        locked.pin_hash = make_password(pin)
        locked.save(update_fields=["pin_hash"])
        audit_record(
            actor=actor,
            action="borrower.pin_set",
            obj=locked,
            today=today,
            now=now,
            borrower_id=locked.pk,
            instance_id=locked.home_instance_id,
            before={"pin": "set" if had_pin else "none"},
            after={"pin": "set"},
        )
    borrower.pin_hash = locked.pin_hash
    return borrower


def borrower_contact_update(
    *,
    borrower: Borrower,
    today: date,
    now: datetime,
    actor: str,
    email: str | None = None,
    language: str | None = None,
) -> Borrower:
    """Change the e-mail address and/or the language notices and pages use (the
    portal's profile page); what is left out (None) stays as it is."""
    changes: dict[str, str] = {}
    if email is not None:
        changes["email"] = clean_email(email)
    if language is not None:
        changes["language"] = clean_language(language)
    borrower_details_correct(borrower=borrower, changes=changes, today=today, now=now, actor=actor)
    return borrower
