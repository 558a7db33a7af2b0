"""Belgian ways of writing amounts and dates, shared by the exports and the pages.

Belgium writes 1.234,50 (dot for thousands, comma for decimals) and 01/04/2026;
times are shown in Europe/Brussels whatever zone the database answered in."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from lidgeld.exports.table import Column, ColumnType

BRUSSELS = ZoneInfo("Europe/Brussels")
CENT = Decimal("0.01")

# Characters a value of each type usually needs, when the column does not say.
_USUAL_WIDTH = {
    ColumnType.TEXT: 20,
    ColumnType.INTEGER: 10,
    ColumnType.MONEY: 14,
    ColumnType.DATE: 12,
    ColumnType.DATETIME: 17,
}


def as_money(value: Any) -> Decimal:
    """Any amount as a Decimal with exactly two decimals.

    Floats go through ``str`` so that 0.1 becomes 0.10, not 0.1000000000000000055…"""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def brussels(moment: datetime) -> datetime:
    """An aware datetime in Belgian local time, to the second.

    A naive datetime is refused: guessing its zone would shift times silently by
    one or two hours."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime {moment.isoformat()} has no time zone")
    return moment.astimezone(BRUSSELS).replace(microsecond=0)


def as_date(value: date) -> date:
    """A date column that was handed a datetime shows the Belgian calendar day."""
    if isinstance(value, datetime):
        return brussels(value).date()
    return value


def format_decimal_be(amount: Any) -> str:
    """1234.5 → "1.234,50"."""
    money = as_money(amount)
    sign = "-" if money < 0 else ""
    whole, cents = f"{abs(money):,.2f}".split(".")
    return f"{sign}{whole.replace(',', '.')},{cents}"


def format_money_be(amount: Any) -> str:
    """1234.5 → "€ 1.234,50"; a negative amount is "€ -1.234,50", as Excel nl-BE shows it."""
    return f"€ {format_decimal_be(amount)}"


def format_date_be(day: date) -> str:
    """2026-04-01 → "01/04/2026"."""
    day = as_date(day)
    # Not strftime: it drops the leading zeros of years before 1000 on some platforms.
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def format_datetime_be(moment: datetime) -> str:
    """An aware datetime → "01/04/2026 14:05" in Brussels time."""
    local = brussels(moment)
    return f"{format_date_be(local.date())} {local.hour:02d}:{local.minute:02d}"


def column_width(column: Column) -> int:
    """The width in characters a column is laid out at: its own, or a guess wide
    enough for its label (plus Excel's filter button) and a usual value."""
    if column.width:
        return column.width
    return max(_USUAL_WIDTH[column.type], len(column.label) + 3)
