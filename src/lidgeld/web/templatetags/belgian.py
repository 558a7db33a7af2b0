"""Dates and amounts as Belgians write them: 31/12/2026, € 12,50."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template

from lidgeld.exports.formatting import format_date_be, format_datetime_be, format_money_be

register = template.Library()


@register.filter
def be_date(value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        return format_datetime_be(value)
    if isinstance(value, date):
        return format_date_be(value)
    return str(value)


@register.filter
def be_money(value: Any) -> str:
    if value in (None, ""):
        return ""
    return format_money_be(Decimal(value))
