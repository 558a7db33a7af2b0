"""The one check of each detail a borrower is registered with or corrected to: the
desk's forms, the command line and the API all send their values through
:func:`clean_details`, which says in the reader's language what to fix."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from lidgeld.borrowers.models import Borrower
from lidgeld.domain.addresses import BELGIUM, country_refusal, postcode_refusal
from lidgeld.errors import InvalidInput

CARD_PATTERN = re.compile(r"[A-Za-z0-9-]{1,32}")
# [0-9], not \d nor str.isdigit(): those take Arabic-Indic (١٢٣٤) and full-width (１２３４)
# digits too, which no kiosk keypad types; fullmatch, as $ would let a newline through.
PIN_PATTERN = re.compile(r"[0-9]{4,12}")
PIN_RULE = _("a PIN is 4 to 12 digits 0-9")
LANGUAGES = ("nl", "fr", "en")
OLDEST_BIRTH = date(1900, 1, 1)

# The details a desk registers and corrects, in the order its form shows them.
DETAIL_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "street",
    "house_number",
    "box",
    "postal_code",
    "city",
    "country",
    "email",
    "phone",
    "language",
)
TEXT_FIELDS = frozenset(DETAIL_FIELDS) - {"birth_date"}

# How people call the columns they type, for "the first name is at most 100 characters".
FIELD_WORDS = {
    "first_name": _("first name"),
    "last_name": _("last name"),
    "birth_date": _("date of birth"),
    "street": _("street"),
    "house_number": _("house number"),
    "box": _("box"),
    "postal_code": _("postal code"),
    "city": _("city"),
    "country": _("country"),
    "email": _("e-mail address"),
    "phone": _("phone"),
    "language": _("language"),
}


def pin_is_well_formed(pin: str) -> bool:
    """The one PIN rule, for every channel (portal forms, CLI, desk, kiosks): 4 to 12
    digits 0-9. Whether a PIN is *right* is a separate check against its hash."""
    return PIN_PATTERN.fullmatch(pin) is not None


def clean_card_number(card_number: str) -> str:
    card_number = card_number.strip()
    if not CARD_PATTERN.fullmatch(card_number):
        raise InvalidInput(
            _("a card number is 1 to 32 letters, digits or dashes"), code="card_malformed"
        )
    return card_number


def _check_length(field: str, value: str) -> None:
    """The value fits its column (the model's max_length), said before the database
    refuses it (PostgreSQL) or stores it whole (SQLite)."""
    limit = getattr(Borrower._meta.get_field(field), "max_length", None)
    if limit is not None and len(value) > limit:
        raise InvalidInput(
            _("the %(field)s is at most %(limit)d characters long, not %(length)d; shorten it"),
            code="too_long",
            params={"field": FIELD_WORDS[field], "limit": limit, "length": len(value)},
        )


def clean_email(email: str) -> str:
    email = email.strip()
    if not email:
        return ""
    _check_length("email", email)
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


def clean_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput(
            _("language must be nl, fr or en, not '%(language)s'"),
            code="unknown_language",
            params={"language": language},
        )
    return language


def clean_phone(phone: str, country: str) -> str:
    """E.164 (+32 9 266 10 00 → +3292661000) when the number parses for the country
    it was given in; otherwise kept as typed, as long as it looks like a number."""
    phone = " ".join(phone.split())
    if not phone:
        return ""
    _check_length("phone", phone)
    try:
        parsed = phonenumbers.parse(phone, country or BELGIUM)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if re.fullmatch(r"\+?[0-9 ()./-]{6,}", phone) is None:
        raise InvalidInput(
            _("'%(phone)s' is not a phone number; type its digits, such as 09 266 10 00"),
            code="phone_invalid",
            params={"phone": phone},
        )
    return phone


def clean_birth_date(birth_date: date | None, today: date) -> date | None:
    if birth_date is not None and not (OLDEST_BIRTH <= birth_date <= today):
        raise InvalidInput(
            _("the date of birth %(day)s cannot be right: it lies in the future or before 1900"),
            code="birth_date_impossible",
            params={"day": birth_date},
        )
    return birth_date


def clean_details(
    values: Mapping[str, Any], *, today: date, country: str = BELGIUM
) -> dict[str, Any]:
    """The given details, cleaned; what is left out stays out (a correction changes
    only what it names). ``country`` is the borrower's when the values do not say."""
    unknown = set(values) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"not a borrower detail: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    for field in TEXT_FIELDS & set(values):
        text = values[field]
        cleaned[field] = " ".join(str(text if text is not None else "").split())
    for field in ("first_name", "last_name", "street", "house_number", "box", "city"):
        if field in cleaned:
            _check_length(field, cleaned[field])
    for field in ("first_name", "last_name"):
        if field in cleaned and not cleaned[field]:
            raise InvalidInput(_("give both a first name and a last name"), code="name_missing")
    if "country" in cleaned:
        cleaned["country"] = cleaned["country"].upper() or BELGIUM
        refusal = country_refusal(cleaned["country"])
        if refusal is not None:
            raise InvalidInput.of(refusal)
    country = cleaned.get("country", country)
    if "postal_code" in cleaned:
        cleaned["postal_code"] = cleaned["postal_code"].upper()
        _check_length("postal_code", cleaned["postal_code"])
        refusal = postcode_refusal(cleaned["postal_code"], country)
        if refusal is not None:
            raise InvalidInput.of(refusal)
    if "email" in cleaned:
        cleaned["email"] = clean_email(cleaned["email"])
    if "phone" in cleaned:
        cleaned["phone"] = clean_phone(cleaned["phone"], country)
    if "language" in cleaned:
        cleaned["language"] = clean_language(cleaned["language"])
    if "birth_date" in values:
        cleaned["birth_date"] = clean_birth_date(values["birth_date"], today)
    return cleaned
