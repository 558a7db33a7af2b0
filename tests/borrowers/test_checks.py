"""The one check of each borrower detail."""

from datetime import date

import pytest

from lidgeld.borrowers.checks import clean_details
from lidgeld.errors import InvalidInput

TODAY = date(2026, 4, 10)


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("09 266 10 00", "BE", "+3292661000"),
        ("0470 12 34 56", "BE", "+32470123456"),
        ("+32 (0)9 266 10 00", "BE", "+3292661000"),
        ("020 123 4567", "NL", "+31201234567"),
        ("+33 1 42 68 53 00", "BE", "+33142685300"),
    ],
)
def test_a_phone_number_that_parses_is_stored_as_e164(typed, country, stored):
    assert clean_details({"phone": typed, "country": country}, today=TODAY)["phone"] == stored


def test_a_phone_number_that_does_not_parse_is_kept_as_typed():
    # a number the plan does not know yet, but digits all the same
    assert clean_details({"phone": "0000 000 000"}, today=TODAY)["phone"] == "0000 000 000"


@pytest.mark.parametrize("typed", ["call me", "09-ABC", "12"])
def test_text_that_is_no_phone_number_is_refused(typed):
    with pytest.raises(InvalidInput, match="is not a phone number") as caught:
        clean_details({"phone": typed}, today=TODAY)
    assert caught.value.code == "phone_invalid"


def test_a_belgian_postcode_is_checked_and_a_dutch_one_is_not():
    with pytest.raises(InvalidInput, match="not a Belgian postcode"):
        clean_details({"postal_code": "0500"}, today=TODAY)
    assert clean_details({"postal_code": "1012 ab", "country": "nl"}, today=TODAY) == {
        "postal_code": "1012 AB",
        "country": "NL",
    }


@pytest.mark.parametrize("birth", [date(2026, 4, 11), date(1899, 12, 31)])
def test_an_impossible_date_of_birth_is_refused(birth):
    with pytest.raises(InvalidInput, match="cannot be right"):
        clean_details({"birth_date": birth}, today=TODAY)


def test_spaces_are_collapsed_and_what_is_not_given_stays_out():
    cleaned = clean_details({"street": "  Kouter  ", "city": "Gent\t"}, today=TODAY)
    assert cleaned == {"street": "Kouter", "city": "Gent"}


def test_the_refusal_is_said_in_the_readers_language():
    with pytest.raises(InvalidInput) as caught:
        clean_details({"postal_code": "12"}, today=TODAY)
    assert "geen Belgische postcode" in caught.value.localized("nl")
    assert "pas un code postal belge" in caught.value.localized("fr")
