"""One amount parser for the desk, the command line and the kiosks (issue 11, item 17):
ASCII digits with a Belgian comma or a point, at most two decimals, at most what the
database holds, and a sentence that says what to write otherwise."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lidgeld.domain.amounts import AmountError, parse_amount


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12,50", "12.50"),
        ("12.50", "12.50"),
        ("12", "12.00"),
        (" 7 ", "7.00"),
        ("0,5", "0.50"),
        ("007,10", "7.10"),
        ("999999,99", "999999.99"),
    ],
)
def test_amounts_as_people_type_them(text, amount):
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize(
    "text",
    [
        "١٢",  # Arabic-Indic digits: Decimal reads them as 12
        "１２",  # full-width digits
        "12,٥٠",
        "1e1",  # an exponent: Decimal reads it as 10
        "1E1",
        "1_000",  # Decimal reads underscores as grouping
        "NaN",
        "Infinity",
        "+12",
        "1.234,50",  # a thousands separator is not guessed
        "12,",
        ",50",
        "12 50",
        "twaalf",
        "",
        "€ 12",
    ],
)
def test_anything_else_is_not_an_amount(text):
    with pytest.raises(AmountError) as refused:
        parse_amount(text)
    assert "is not an amount; write euros with the digits 0-9" in str(refused.value)
    assert "like 12,50" in str(refused.value)


@pytest.mark.parametrize("text", ["1.000", "12,345", "0.001"])
def test_more_than_two_decimals_is_refused_not_rounded(text):
    with pytest.raises(AmountError, match="more than two decimals"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["0", "0,00", "-3", "-0,50", "- 3"])
def test_an_amount_is_more_than_zero(text):
    with pytest.raises(AmountError, match="must be more than 0"):
        parse_amount(text)


def test_zero_is_allowed_when_asked_for():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")


@pytest.mark.parametrize("text", ["1000000", "1000000,00", "9" * 400])
def test_the_largest_amount_is_named(text):
    with pytest.raises(AmountError) as refused:
        parse_amount(text)
    assert "is more than the largest amount lidgeld accepts, € 999,999.99" in str(refused.value)
    assert len(str(refused.value)) < 120  # a 400-digit text is not repeated in full


def test_a_lower_limit_may_be_given():
    with pytest.raises(AmountError, match=r"largest amount lidgeld accepts, € 50\.00"):
        parse_amount("50,01", limit=Decimal("50.00"))
