"""Query parameters of the API read as plain values, each mistake said in a sentence."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from lidgeld.domain.months import first_of_month
from lidgeld.errors import InvalidInput
from lidgeld.exports.table import Table
from lidgeld.exports.writers import parse_format
from lidgeld.staff.scope import Scope

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_CODES = re.compile(r"^\s*(\d{1,4})\s*-\s*(\d{1,4})\s*$")


class Params:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    def text(self, name: str, *, default: str | None = None) -> str:
        value = self.data.get(name)
        if value is None or str(value).strip() == "":
            if default is None:
                raise InvalidInput(f"'{name}' is missing")
            return default
        return str(value).strip()

    def optional(self, name: str) -> str | None:
        value = self.data.get(name)
        return str(value).strip() or None if value is not None else None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise InvalidInput(f"'{name}' is missing; give a whole number")
        return value

    def integer(self, name: str) -> int | None:
        value = self.optional(name)
        if value is None:
            return None
        if not value.isdigit():
            raise InvalidInput(f"'{name}' must be a whole number, not '{value}'")
        return int(value)

    def day(self, name: str) -> date | None:
        value = self.optional(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                f"'{name}' = '{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-04-01"
            ) from None

    def month(self, name: str, *, default: date) -> date:
        value = self.optional(name)
        if value is None:
            return first_of_month(default)
        match = _MONTH.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise InvalidInput(f"'{name}' = '{value}': write the month as YYYY-MM, e.g. 2026-04")
        return date(int(match.group(1)), int(match.group(2)), 1)

    def codes(self, name: str) -> tuple[int, int]:
        value = self.optional(name)
        if value is None:
            return 1000, 1999
        match = _CODES.match(value)
        if not match:
            raise InvalidInput(
                f"'{name}' = '{value}': write a booking-code range as FROM-TO, e.g. 1000-1999"
            )
        return int(match.group(1)), int(match.group(2))

    def flag(self, name: str) -> bool:
        return (self.optional(name) or "").lower() in ("1", "true", "yes", "ja", "on")

    def instances(self) -> list[int] | None:
        from lidgeld.cli.scope_args import instance_ids_from_codes

        return instance_ids_from_codes(self.optional("instance"))

    def export_format(self, *, allow_json: bool = False) -> Any:
        value = self.optional("format") or ("json" if allow_json else "csv")
        if allow_json and value == "json":
            return None
        return parse_format(value)


def report_from_params(
    name: str, params: Params, *, scope: Scope, today: date
) -> tuple[Table, dict[str, Any]]:
    """One of the three reports of R8 with its filters from query parameters."""
    from lidgeld.reports import selectors

    instance_ids = params.instances()
    filters: dict[str, Any] = {"instance": params.optional("instance")}
    if name == "messages":
        date_from = params.day("from") or today
        date_to = params.day("to") or date_from
        filters |= {
            "type": params.optional("type") or "C",
            "kind": params.optional("kind"),
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "summary": params.flag("summary"),
        }
        table = selectors.message_overview(
            scope=scope,
            instance_ids=instance_ids,
            message_type=filters["type"],
            kind=filters["kind"],
            date_from=date_from,
            date_to=date_to,
            detail=not filters["summary"],
        )
    elif name == "outstanding":
        code_from, code_to = params.codes("codes")
        booked_from = params.day("from")
        booked_to = params.day("to") or today
        filters |= {
            "codes": f"{code_from}-{code_to}",
            "from": booked_from.isoformat() if booked_from else None,
            "to": booked_to.isoformat(),
        }
        table = selectors.outstanding_items(
            scope=scope,
            instance_ids=instance_ids,
            code_from=code_from,
            code_to=code_to,
            booked_from=booked_from,
            booked_to=booked_to,
        )
    elif name == "expiring":
        month = params.month("month", default=today)
        filters |= {"month": f"{month:%Y-%m}"}
        table = selectors.expiring_memberships(
            scope=scope, instance_ids=instance_ids, month=month, today=today
        )
    else:
        raise InvalidInput(f"there is no report '{name}'; choose messages, outstanding or expiring")
    return table, filters
