"""Reading a rule's value as staff write it (R9): ``coerce`` turns the text of a value
into the typed value a query compares with — a date written 2020-04-01 or 01/04/2020, a
whole number or an amount inside the field's range, a choice in any case and as it is
stored — or says in a RuleRefusal (a ValueError) what to write instead. Standard library
only, like the field catalogue (:mod:`lidgeld.selections.fields`) whose fields it reads."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from lidgeld.domain.sentences import RuleRefusal, gettext_noop
from lidgeld.selections.fields import Field, ValueType, phrase

__all__ = ["Value", "coerce"]

Value = str | int | Decimal | date
_Number = int | Decimal

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_BELGIAN_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_MONEY = re.compile(r"[+-]?\d+(?:[.,]\d+)?", re.ASCII)

# A field as a refusal names it, marked so it reads in the sentence's language; the
# English is the field's English label, in lower case (a test keeps them in step).
RANGE_NAMES = {
    "C.booking_code": gettext_noop("a booking code"),
    "C.amount": gettext_noop("an amount"),
    "C.balance": gettext_noop("an open amount"),
}
CHOICE_NAMES = {
    "A.language": gettext_noop("language"),
    "B.type": gettext_noop("message type"),
    "B.kind": gettext_noop("message kind"),
    "B.channel": gettext_noop("channel"),
    "B.status": gettext_noop("message status"),
    "C.status": gettext_noop("item status"),
    "C.stage": gettext_noop("stage"),
    "D.status": gettext_noop("membership status"),
    "D.origin": gettext_noop("origin"),
    "E.status": gettext_noop("reservation status"),
}


def coerce(field: Field, raw: str) -> Value:
    """The typed value of ``raw`` for ``field``; RuleRefusal says what to write instead."""
    if field.type is ValueType.TEXT:
        return raw.strip().upper() if field.upper_case else raw
    text = raw.strip()
    if field.type is ValueType.DATE:
        return _date(raw, text)
    if field.type is ValueType.INTEGER:
        if not _INTEGER.fullmatch(text):
            raise RuleRefusal(
                gettext_noop("'%(value)s' is not a whole number; write digits only, such as 1000"),
                code="not_a_whole_number",
                params={"value": raw},
            )
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
        raise RuleRefusal(
            gettext_noop("'%(value)s' is out of range: %(name)s is %(low)s to %(high)s"),
            code="out_of_range",
            # The bounds as text: a Decimal param would be written as euros.
            params={
                "value": raw,
                "name": _name(RANGE_NAMES, field, article=True),
                "low": str(low),
                "high": str(high),
            },
        )
    return value


def _date(raw: str, text: str) -> date:
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _BELGIAN_DATE.fullmatch(text):
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    else:
        raise RuleRefusal(
            gettext_noop("'%(value)s' is not a date; write 2020-04-01 or 01/04/2020"),
            code="not_a_date",
            params={"value": raw},
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise RuleRefusal(
            gettext_noop(
                "'%(value)s' is not an existing date (check the day and the month); "
                "write 2020-04-01 or 01/04/2020"
            ),
            code="not_an_existing_date",
            params={"value": raw},
        ) from None


def _money(raw: str, text: str) -> Decimal:
    # Amounts are euros; people paste them with the sign from a statement.
    text = text.removeprefix("€").removesuffix("€").strip()
    if not _MONEY.fullmatch(text):
        raise RuleRefusal(
            gettext_noop(
                "'%(value)s' is not an amount; write euros such as 12.50 or 12,50 "
                "(no thousands separator)"
            ),
            code="not_an_amount",
            params={"value": raw},
        )
    amount = Decimal(text.replace(",", "."))
    if amount.adjusted() > 20:
        return amount  # far out of any range; quantize would overflow the context
    if amount != amount.quantize(Decimal("0.01")):
        raise RuleRefusal(
            gettext_noop("'%(value)s' has more than two decimals; write an amount such as 12.50"),
            code="too_many_decimals",
            params={"value": raw},
        )
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
    raise RuleRefusal(
        gettext_noop("'%(value)s' is not a known %(field)s; write one of %(choices)s"),
        code="unknown_choice",
        params={
            "value": raw,
            "field": _name(CHOICE_NAMES, field),
            "choices": ", ".join(accepted),
        },
    )


def _name(names: dict[str, str], field: Field, *, article: bool = False) -> RuleRefusal | str:
    """How a sentence names ``field``: marked, so in the sentence's language; a field
    without a marked name (none today) in English."""
    if field.ref in names:
        return phrase(names[field.ref])
    label = field.label_en.lower()
    if not article:
        return label
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"
