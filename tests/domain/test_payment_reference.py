"""Belgian structured communication (payment_reference.py): ``+++ddd/dddd/dddcc+++``,
ten digits and two check digits, the remainder modulo 97 with 0 written as 97."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lidgeld.domain.payment_reference import (
    MAX_NUMBER,
    check_digits,
    is_structured_communication,
    parse_structured_communication,
    structured_communication,
)

PROPERTY = settings(max_examples=300, deadline=None)
numbers = st.integers(min_value=1, max_value=MAX_NUMBER)


def independent_check(text: str) -> bool:
    """The rule written out again, without the module: 10 digits mod 97 (0 → 97)."""
    digits = re.sub(r"\D", "", text)
    number, check = int(digits[:10]), int(digits[10:])
    return len(digits) == 12 and number > 0 and (number % 97 or 97) == check


KNOWN_VALID = [
    ("+++123/4567/89002+++", 1_234_567_890),  # 1234567890 = 97 × 12727504 + 2
    ("+++000/0000/09797+++", 97),  # 97 mod 97 = 0, written as 97
    ("+++090/9337/55493+++", 909_337_554),  # 909337554 = 97 × 9374613 + 93
    ("+++000/0000/00101+++", 1),
    ("+++999/9999/99948+++", MAX_NUMBER),
]


@pytest.mark.parametrize(("text", "number"), KNOWN_VALID)
def test_known_valid_communications(text, number):
    assert independent_check(text)
    assert parse_structured_communication(text) == number
    assert structured_communication(number) == text
    assert is_structured_communication(text)


def test_the_check_digits_of_the_examples_by_hand():
    assert 1_234_567_890 % 97 == 2
    assert 909_337_554 % 97 == 93
    assert 97 % 97 == 0
    assert check_digits(97) == 97
    assert check_digits(194) == 97
    assert MAX_NUMBER % 97 == 48


@pytest.mark.parametrize(
    "text",
    [
        "***090/9337/55493***",  # how some banks print it
        "090/9337/55493",
        "090933755493",
        " +++ 090/9337/55493 +++ ",
        "+++090 9337 55493+++",
    ],
)
def test_the_forms_banks_pass_it_on_in(text):
    assert parse_structured_communication(text) == 909_337_554


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("+++123/4567/89003+++", "wrong check digits"),
        ("+++090/9337/55494+++", "wrong check digits"),
        ("+++000/0000/09700+++", "wrong check digits"),  # 97 mod 97 is written 97, not 00
        ("+++000/0000/00097+++", "wrong check digits"),  # number 0 is not a reference
        ("+++123/4567/8900+++", "12 digits"),  # 11 digits
        ("+++123/4567/890022+++", "12 digits"),  # 13 digits
        ("+++12A/4567/89002+++", "not a structured communication"),
        ("BE68539007547034", "not a structured communication"),
        ("", "not a structured communication"),
    ],
)
def test_invalid_communications_are_refused_with_the_reason(text, why):
    assert not is_structured_communication(text)
    with pytest.raises(ValueError, match=why):
        parse_structured_communication(text)


@pytest.mark.parametrize("number", [0, -1, MAX_NUMBER + 1])
def test_numbers_outside_ten_digits_have_no_communication(number):
    with pytest.raises(ValueError, match="holds 1 to"):
        structured_communication(number)


@PROPERTY
@given(numbers)
def test_parse_gives_back_the_number(number):
    text = structured_communication(number)
    assert re.fullmatch(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", text)
    assert independent_check(text)
    assert parse_structured_communication(text) == number


@PROPERTY
@given(numbers, st.integers(min_value=0, max_value=11), st.integers(min_value=1, max_value=9))
def test_every_single_digit_typing_error_is_caught(number, position, shift):
    digits = re.sub(r"\D", "", structured_communication(number))
    wrong = str((int(digits[position]) + shift) % 10)
    typo = digits[:position] + wrong + digits[position + 1 :]
    assert not is_structured_communication(typo)
