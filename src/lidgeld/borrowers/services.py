from __future__ import annotations

import re
from datetime import date, datetime

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.models import Borrower
from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import Instance

CARD_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,32}$")
# [0-9], not \d nor str.isdigit(): those take Arabic-Indic (١٢٣٤) and full-width (１２３４)
# digits too, which no kiosk keypad types; fullmatch, as $ would let a newline through.
PIN_PATTERN = re.compile(r"[0-9]{4,12}")
PIN_RULE = _("a PIN is 4 to 12 digits 0-9")

# How people call the columns they type, for "the first name is at most 100 characters".
_FIELD_WORDS = {
    "first_name": _("first name"),
    "last_name": _("last name"),
    "email": _("e-mail address"),
    "street": _("street"),
    "postal_code": _("postal code"),
    "city": _("city"),
}


def pin_is_well_formed(pin: str) -> bool:
    """The one PIN rule, for every channel (portal forms, CLI, desk, kiosks): 4 to 12
    digits 0-9. Whether a PIN is *right* is a separate check against its hash."""
    return PIN_PATTERN.fullmatch(pin) is not None


def _check_lengths(**values: str) -> None:
    """Each value fits its column (the model's max_length), said before the database
    refuses it (PostgreSQL) or stores it whole (SQLite)."""
    for field, value in values.items():
        limit = getattr(Borrower._meta.get_field(field), "max_length", None)
        if limit is not None and len(value) > limit:
            raise InvalidInput(
                _("the %(field)s is at most %(limit)d characters long, not %(length)d; shorten it"),
                code="too_long",
                params={"field": _FIELD_WORDS[field], "limit": limit, "length": len(value)},
            )


def clean_email(email: str) -> str:
    email = email.strip()
    if not email:
        return ""
    _check_lengths(email=email)
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            _(
                "'%(email)s' is not a valid e-mail address; correct it or leave it out "
                "(notices then go by letter)"
            ),
            code="email_invalid",
            params={"email": email},
        ) from None
    return email


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
    postal_code: str = "",
    city: str = "",
    pin: str | None = None,
) -> Borrower:
    """A new card holder, without a membership yet
    (:func:`lidgeld.operations.registration.borrower_register` gives the first)."""
    card_number = card_number.strip()
    if not CARD_PATTERN.match(card_number):
        raise InvalidInput(
            _("a card number is 1 to 32 letters, digits or dashes"), code="card_malformed"
        )
    if not first_name.strip() or not last_name.strip():
        raise InvalidInput(_("give both a first name and a last name"), code="name_missing")
    _check_lengths(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        street=street.strip(),
        postal_code=postal_code.strip(),
        city=city.strip(),
    )
    if language not in ("nl", "fr", "en"):
        raise InvalidInput(
            _("language must be nl, fr or en, not '%(language)s'"),
            code="unknown_language",
            params={"language": language},
        )
    if pin is not None and not pin_is_well_formed(pin):
        raise InvalidInput(PIN_RULE, code="pin_malformed")
    email = clean_email(email)
    with transaction.atomic():
        if Borrower.objects.filter(card_number=card_number).exists():
            raise InvalidInput(
                _("card number '%(card)s' is already in use"),
                code="card_in_use",
                params={"card": card_number},
            )
        borrower = Borrower.objects.create(
            card_number=card_number,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            language=language,
            birth_date=birth_date,
            street=street.strip(),
            postal_code=postal_code.strip(),
            city=city.strip(),
            home_instance=instance,
            pin_hash=make_password(pin) if pin else "",
            registered_on=today,
        )
        audit_record(
            actor=actor,
            action="borrower.registered",
            obj=borrower,
            today=today,
            now=now,
            borrower_id=borrower.pk,
            instance_id=instance.pk,
            after={"card": card_number, "instance": instance.code, "language": language},
        )
        return borrower


def borrower_pin_set(
    *, borrower: Borrower, pin: str, today: date, now: datetime, actor: str
) -> Borrower:
    """A new PIN (portal and kiosk), stored as a salted hash; the PIN itself is never kept
    nor audited. Who may set it (the borrower with the old PIN, a reset link, the desk)
    is the caller's to check."""
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
    """Change the e-mail address and/or the language notices and pages use; what is
    left out (None) stays as it is."""
    changes: dict[str, str] = {}
    if email is not None:
        changes["email"] = clean_email(email)
    if language is not None:
        if language not in ("nl", "fr", "en"):
            raise InvalidInput(
                _("language must be nl, fr or en, not '%(language)s'"),
                code="unknown_language",
                params={"language": language},
            )
        changes["language"] = language
    with transaction.atomic():
        locked = Borrower.objects.select_for_update().get(pk=borrower.pk)
        before = {field: getattr(locked, field) for field in changes}
        changed = {field: value for field, value in changes.items() if before[field] != value}
        if changed:
            for field, value in changed.items():
                setattr(locked, field, value)
            locked.save(update_fields=list(changed))
            audit_record(
                actor=actor,
                action="borrower.contact_changed",
                obj=locked,
                today=today,
                now=now,
                borrower_id=locked.pk,
                instance_id=locked.home_instance_id,
                before={field: before[field] for field in changed},
                after=changed,
            )
    for field, value in changes.items():
        setattr(borrower, field, value)
    return borrower
