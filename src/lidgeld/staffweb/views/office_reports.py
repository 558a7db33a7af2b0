"""Reports (R8) as pages: the filters of the seed's BIRT reports, the first rows, and the
CSV / XLSX / PDF downloads, which go through the audited API download."""

from __future__ import annotations

from datetime import date, datetime
from itertools import islice
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from lidgeld.domain.dunning import CONTRIBUTION_CODES
from lidgeld.errors import LidgeldError, Refused
from lidgeld.exports.formatting import format_date_be, format_datetime_be, format_money_be
from lidgeld.exports.table import ColumnType, Table
from lidgeld.staff.models import Role
from lidgeld.staffweb.access import StaffRequest, staff_page
from lidgeld.staffweb.views.office_common import KIND_LABELS, instances_visible, scope_of
from lidgeld.web.params import Params, report_from_params

REPORTS = {
    "messages": _("Message overview"),
    "outstanding": _("Outstanding items per customer"),
    "expiring": _("Expiring memberships"),
}
PAGE_ROWS = 200
FORMATS = (("csv", "CSV"), ("xlsx", "XLSX"), ("pdf", "PDF"))


def cell(value: Any, column_type: ColumnType) -> str:
    """A value as a Belgian reads it: 31/12/2026, € 12,50."""
    if value is None:
        return ""
    if column_type is ColumnType.MONEY:
        return format_money_be(value)
    if column_type is ColumnType.DATETIME and isinstance(value, datetime):
        return format_datetime_be(value)
    if column_type is ColumnType.DATE and isinstance(value, date):
        return format_date_be(value)
    return str(value)


def page_of(table: Table) -> dict[str, Any]:
    """The first rows of a table, formatted for the page; the rest is in the download."""
    taken = list(islice(iter(table.rows), PAGE_ROWS + 1))
    numeric = (ColumnType.MONEY, ColumnType.INTEGER)
    return {
        "title": table.title,
        "filters": list(table.filters),
        "columns": [
            {"label": column.label, "numeric": column.type in numeric} for column in table.columns
        ],
        "rows": [
            {
                "kind": row.kind.value,
                "cells": [
                    {"text": cell(value, column.type), "numeric": column.type in numeric}
                    for value, column in zip(row.values, table.columns, strict=True)
                ],
            }
            for row in taken[:PAGE_ROWS]
        ],
        "truncated": len(taken) > PAGE_ROWS,
    }


@staff_page(Role.DESK)
def reports(request: StaffRequest) -> HttpResponse:
    name = request.GET.get("report", "messages")
    if name not in REPORTS:
        name = "messages"
    today = request.moment.today
    query: dict[str, str] = {
        key: str(value) for key, value in request.GET.items() if key not in ("report", "format")
    }
    context: dict[str, Any] = {
        "title": REPORTS[name],
        "report": name,
        "reports": REPORTS,
        "instances": instances_visible(request),
        "values": _form_values(name, query, today),
        "kinds": KIND_LABELS,
        "page_rows": PAGE_ROWS,
    }
    status = 200
    try:
        table, _filters = report_from_params(
            name, Params(query), scope=scope_of(request), today=today, for_export=False
        )
        context["table"] = page_of(table)
        context |= _downloads(request, name, query, today)
    except LidgeldError as error:
        context["error"] = error.localized()
        status = 400
    return render(request, "staffweb/office/reports.html", context, status=status)


def _downloads(
    request: StaffRequest, name: str, query: dict[str, str], today: date
) -> dict[str, Any]:
    """The download links, or why this person may not take these rows out of the
    building (R11: the borrowers of other libraries need the coordinator role)."""
    try:
        report_from_params(name, Params(query), scope=scope_of(request), today=today)
    except Refused as refusal:
        return {"download_refused": refusal.localized()}
    download = reverse("api:report", args=[name])
    return {
        "downloads": [
            (label, f"{download}?{urlencode({**query, 'format': fmt})}") for fmt, label in FORMATS
        ],
        "excel_csv": f"{download}?{urlencode({**query, 'format': 'csv', 'excel': '1'})}",
    }


def _form_values(name: str, query: dict[str, str], today: date) -> dict[str, str]:
    """What the filter fields show: what was asked, else the report's own defaults."""
    values = dict(query)
    iso = today.isoformat()
    if name == "messages":
        values.setdefault("from", iso)
        values.setdefault("to", values["from"])
        values.setdefault("type", "C")
    elif name == "outstanding":
        values.setdefault("codes", "{}-{}".format(*CONTRIBUTION_CODES))
        values.setdefault("to", iso)
    else:
        values.setdefault("month", f"{today:%Y-%m}")
    return values
