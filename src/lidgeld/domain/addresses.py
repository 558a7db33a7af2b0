"""Checks on what a borrower's address is made of, as plain values."""

from __future__ import annotations

from lidgeld.domain.sentences import RuleRefusal, gettext_noop

BELGIUM = "BE"


def postcode_refusal(postcode: str, country: str) -> RuleRefusal | None:
    """A Belgian postcode is four digits from 1000 to 9992; other countries' are not
    checked here (their formats are many, and the post office knows them)."""
    if not postcode or country != BELGIUM:
        return None
    if (
        len(postcode) == 4
        and postcode.isascii()
        and postcode.isdigit()
        and 1000 <= int(postcode) <= 9992
    ):
        return None
    return RuleRefusal(
        gettext_noop(
            "'%(postcode)s' is not a Belgian postcode: it is four digits from 1000 to 9992"
        ),
        code="postcode_invalid",
        params={"postcode": postcode},
    )


def country_refusal(country: str) -> RuleRefusal | None:
    """A country is its two-letter ISO code (BE, NL, FR, …)."""
    if len(country) == 2 and country.isascii() and country.isalpha() and country.isupper():
        return None
    return RuleRefusal(
        gettext_noop("a country is its two-letter code, such as BE, NL or FR, not '%(country)s'"),
        code="country_invalid",
        params={"country": country},
    )


def masked_email(address: str) -> str:
    """An e-mail address shown to someone who may not be its owner: the first letter of
    the part before the @, then ``***``, then the domain ("h***@example.be"). Enough
    for the owner to recognise it, too little to write to it."""
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"
