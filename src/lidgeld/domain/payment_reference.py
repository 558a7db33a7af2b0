"""Belgian structured communication (gestructureerde mededeling): ``+++123/4567/89002+++``.

Ten digits of reference followed by two check digits: the remainder of the
ten-digit number modulo 97, where a remainder of 0 is written as 97. The
reference number of an open contribution is its posting id, so a bank line
leads straight back to the item it pays.
"""

from __future__ import annotations

import re

MAX_NUMBER = 9_999_999_999
_DIGITS = re.compile(r"\D")


def check_digits(number: int) -> int:
    remainder = number % 97
    return remainder or 97


def structured_communication(number: int) -> str:
    """``+++ddd/dddd/dddcc+++`` for a reference number from 1 to 9,999,999,999."""
    if not 1 <= number <= MAX_NUMBER:
        raise ValueError(f"a structured communication holds 1 to {MAX_NUMBER}, not {number}")
    digits = f"{number:010d}{check_digits(number):02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def parse_structured_communication(text: str) -> int:
    """The reference number in a structured communication as banks pass it on
    (with or without ``+++``, ``***``, slashes or spaces). ValueError when the
    text is not one or its check digits are wrong."""
    stripped = text.strip().strip("+*").strip()
    if not re.fullmatch(r"[\d/ ]+", stripped):
        raise ValueError(f"'{text}' is not a structured communication")
    digits = _DIGITS.sub("", stripped)
    if len(digits) != 12:
        raise ValueError(f"'{text}' does not have the 12 digits of a structured communication")
    number, check = int(digits[:10]), int(digits[10:])
    if number == 0 or check_digits(number) != check:
        raise ValueError(f"'{text}' has wrong check digits")
    return number


def is_structured_communication(text: str) -> bool:
    try:
        parse_structured_communication(text)
    except ValueError:
        return False
    return True
