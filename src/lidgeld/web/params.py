"""Query parameters of the API and the staff pages read as plain values, each mistake
said in a sentence."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.domain.dunning import CONTRIBUTION_CODES
from lidgeld.domain.months import OutOfCalendar, check_year, first_of_month
from lidgeld.errors import InvalidInput
from lidgeld.exports.table import Table
from lidgeld.exports.writers import parse_format
from lidgeld.libraries.selectors import instance_ids_from_codes
from lidgeld.reports import finance_reports, membership_reports, notice_reports
from lidgeld.reports.filters import parse_code_range, parse_report_month
from lidgeld.scope import Scope


class Params:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    def text(self, name: str, *, default: str | None = None) -> str:
        value = self.data.get(name)
        if value is None or str(value).strip() == "":
            if default is None:
                raise InvalidInput(
                    _("'%(name)s' is missing"), code="missing", params={"name": name}
                )
            return default
        return str(value).strip()

    def optional(self, name: str) -> str | None:
        value = self.data.get(name)
        return str(value).strip() or None if value is not None else None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise InvalidInput(
                _("'%(name)s' is missing; give a whole number"),
                code="missing",
                params={"name": name},
            )
        return value

    def integer(self, name: str) -> int | None:
        value = self.optional(name)
        if value is None:
            return None
        if not value.isdigit():
            raise InvalidInput(
                _("'%(name)s' must be a whole number, not '%(value)s'"),
                code="not_a_number",
                params={"name": name, "value": value},
            )
        return int(value)

    def day(self, name: str) -> date | None:
        value = self.optional(name)
        if value is None:
            return None
        try:
            return check_year(date.fromisoformat(value), value)
        except OutOfCalendar as error:
            raise InvalidInput(
                _("'%(name)s' = %(problem)s"),
                code=error.code,
                params={"name": name, "problem": error},
            ) from None
        except ValueError:
            raise InvalidInput(
                _(
                    "'%(name)s' = '%(value)s' is not a date; write it as YYYY-MM-DD, e.g. 2026-04-01"
                ),
                code="date_invalid",
                params={"name": name, "value": value},
            ) from None

    def month(self, name: str, *, default: date) -> date:
        value = self.optional(name)
        return first_of_month(default) if value is None else parse_report_month(value)

    def codes(self, name: str) -> tuple[int, int]:
        value = self.optional(name)
        return CONTRIBUTION_CODES if value is None else parse_code_range(value)

    def flag(self, name: str) -> bool:
        return (self.optional(name) or "").lower() in ("1", "true", "yes", "ja", "on")

    def instances(self) -> list[int] | None:
        return instance_ids_from_codes(self.optional("instance"))

    def export_format(self, *, allow_json: bool = False) -> Any:
        value = self.optional("format") or ("json" if allow_json else "csv")
        if allow_json and value == "json":
            return None
        return parse_format(value)


def report_from_params(
    name: str, params: Params, *, scope: Scope, today: date, for_export: bool = True
) -> tuple[Table, dict[str, Any]]:
    """One of the three reports of R8 with its filters from query parameters;
    ``for_export`` as in ``lidgeld.reports.common``."""
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
        table = notice_reports.message_overview(
            scope=scope,
            instance_ids=instance_ids,
            message_type=filters["type"],
            kind=filters["kind"],
            date_from=date_from,
            date_to=date_to,
            detail=not filters["summary"],
            for_export=for_export,
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
        table = finance_reports.outstanding_items(
            scope=scope,
            instance_ids=instance_ids,
            code_from=code_from,
            code_to=code_to,
            booked_from=booked_from,
            booked_to=booked_to,
            for_export=for_export,
        )
    elif name == "expiring":
        month = params.month("month", default=today)
        filters |= {"month": f"{month:%Y-%m}"}
        table = membership_reports.expiring_memberships(
            scope=scope, instance_ids=instance_ids, month=month, today=today, for_export=for_export
        )
    else:
        raise InvalidInput(
            _("there is no report '%(name)s'; choose messages, outstanding or expiring"),
            code="report_unknown",
            params={"name": name},
        )
    return table, filters
