"""Reading a rule's value as staff write it (R9): ``coerce`` turns the text of a value
into the typed value a query compares with — a date written 2020-04-01 or 01/04/2020, a
whole number or an amount inside the field's range, a choice in any case and as it is
stored — or says in a ValueError what to write instead. Standard library only, like the
field catalogue (:mod:`lidgeld.selections.fields`) whose fields it reads."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from lidgeld.selections.fields import Field, ValueType

__all__ = ["Value", "coerce"]

Value = str | int | Decimal | date
_Number = int | Decimal

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_BELGIAN_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_MONEY = re.compile(r"[+-]?\d+(?:[.,]\d+)?", re.ASCII)
_DATE_HINT = "write 2020-04-01 or 01/04/2020"


def coerce(field: Field, raw: str) -> Value:
    """The typed value of ``raw`` for ``field``; ValueError says what to write instead."""
    if field.type is ValueType.TEXT:
        return raw.strip().upper() if field.upper_case else raw
    text = raw.strip()
    if field.type is ValueType.DATE:
        return _date(raw, text)
    if field.type is ValueType.INTEGER:
        if not _INTEGER.fullmatch(text):
            raise ValueError(f"'{raw}' is not a whole number; write digits only, such as 1000")
        # More digits than any bound has are out of range without int() (which refuses
        # past 4300 digits with a message about Python).
        return _within(field, raw, int(text) if len(text) <= 20 else None)
    if field.type is ValueType.MONEY:
        return _within(field, raw, _money(raw, text))
    return _choice(field, raw, text)


def _within(field: Field, raw: str, value: _Number | None) -> _Number:
    """``value`` when it is inside the field's range; None stands for "far beyond"."""
    low, high = field.low, field.high
    if value is None or (low is not None and value < low) or (high is not None and value > high):
        label = field.label_en.lower()
        name = f"{'an' if label[0] in 'aeiou' else 'a'} {label}"
        raise ValueError(f"'{raw}' is out of range: {name} is {low} to {high}")
    return value


def _date(raw: str, text: str) -> date:
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _BELGIAN_DATE.fullmatch(text):
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    else:
        raise ValueError(f"'{raw}' is not a date; {_DATE_HINT}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(
            f"'{raw}' is not an existing date (check the day and the month); {_DATE_HINT}"
        ) from None


def _money(raw: str, text: str) -> Decimal:
    # Amounts are euros; people paste them with the sign from a statement.
    text = text.removeprefix("€").removesuffix("€").strip()
    if not _MONEY.fullmatch(text):
        raise ValueError(
            f"'{raw}' is not an amount; write euros such as 12.50 or 12,50 (no thousands separator)"
        )
    amount = Decimal(text.replace(",", "."))
    if amount.adjusted() > 20:
        return amount  # far out of any range; quantize would overflow the context
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"'{raw}' has more than two decimals; write an amount such as 12.50")
    return amount.quantize(Decimal("0.01"))


def _choice(field: Field, raw: str, text: str) -> str:
    key = text.casefold()
    stored = dict(field.stored_as)
    for choice in field.choices:
        if choice.casefold() == key:
            return stored.get(choice, choice)
    for value in stored.values():
        if value.casefold() == key:
            return value
    accepted = [*field.choices, *stored.values()]
    raise ValueError(
        f"'{raw}' is not a known {field.label_en.lower()}; write one of {', '.join(accepted)}"
    )
