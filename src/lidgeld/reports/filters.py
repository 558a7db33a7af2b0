"""Report filters typed by people (CLI, query strings), read the same way everywhere."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from lidgeld.domain.months import OutOfCalendar, parse_month
from lidgeld.errors import InvalidInput


def parse_code_range(text: str) -> tuple[int, int]:
    """``1000-1999`` → (1000, 1999); one code alone is a range of one."""
    parts = [part.strip() for part in text.strip().split("-")]
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or not all(part.isascii() and part.isdigit() for part in parts):
        raise InvalidInput(
            _("'%(text)s' is not a booking-code range; write it as FROM-TO, e.g. 1000-1999"),
            code="booking_codes_malformed",
            params={"text": text},
        )
    return int(parts[0]), int(parts[1])


def parse_report_month(text: str) -> date:
    try:
        return parse_month(text)
    except OutOfCalendar as error:
        raise InvalidInput(str(error)) from None
    except ValueError:
        raise InvalidInput(
            _("'%(text)s' is not a month; write the month as YYYY-MM, e.g. 2026-04"),
            code="month_malformed",
            params={"text": text},
        ) from None
