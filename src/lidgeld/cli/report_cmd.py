"""``lidgeld report``: the reports of R8 (messages, outstanding items, expiring
memberships) as CSV, XLSX or PDF, with what the chosen staff account may see."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from lidgeld.cli.base import add_json, default_json, parse_date
from lidgeld.cli.export_output import write_file, write_stdout
from lidgeld.cli.scope_args import add_scope_args
from lidgeld.cli.setup_cmds import cli_moment
from lidgeld.domain.dunning import CONTRIBUTION_CODES

if TYPE_CHECKING:
    from lidgeld.exports.table import Table
    from lidgeld.exports.writers import ExportFormat
    from lidgeld.scope import Scope

_SUFFIX_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".pdf": "pdf"}


def parse_codes(text: str) -> tuple[int, int]:
    from lidgeld.errors import InvalidInput
    from lidgeld.reports.filters import parse_code_range

    try:
        return parse_code_range(text)
    except InvalidInput as error:
        raise argparse.ArgumentTypeError(error.message) from None


def parse_report_month(text: str) -> date:
    from lidgeld.errors import InvalidInput
    from lidgeld.reports.filters import parse_report_month as parse

    try:
        return parse(text)
    except InvalidInput as error:
        raise argparse.ArgumentTypeError(error.message) from None


def parse_export_format(text: str) -> ExportFormat:
    from lidgeld.errors import InvalidInput
    from lidgeld.exports.writers import parse_format

    try:
        return parse_format(text)
    except InvalidInput:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not an export format; write csv, xlsx or pdf"
        ) from None


def _add_output_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        type=parse_export_format,
        metavar="csv|xlsx|pdf",
        help="file format (default: from the file name's extension, else csv)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="where to write the report; '-' writes CSV to the screen",
    )
    parser.add_argument(
        "--excel",
        action="store_true",
        help="CSV for Excel with Belgian settings: ';' between fields, 12,50 and 01/04/2026",
    )
    parser.add_argument(
        "--instance",
        metavar="CODE[,CODE]",
        help="only these libraries (default: every library the account may see)",
    )
    add_scope_args(parser)
    add_json(parser)


def register(commands: Any) -> None:
    report = commands.add_parser(
        "report", help="reports as CSV, XLSX or PDF (messages, outstanding, expiring)"
    )
    reports = report.add_subparsers(dest="report", metavar="REPORT", required=True)

    messages = reports.add_parser(
        "messages",
        help="overview of the notices sent (Berichten › Overzichten)",
        description=(
            "Which notices went out in a period, per borrower (detail) or counted per "
            "day, kind, channel and status (--summary). E.g. the CAE mails of 1 April: "
            "--kind CAE --from 2026-04-01 --to 2026-04-01."
        ),
    )
    messages.add_argument(
        "--type", default="C", metavar="TYPE", help="message type (default: C, contributie)"
    )
    messages.add_argument(
        "--kind", metavar="KIND", help="message kind, e.g. CAE or AE (default: every kind)"
    )
    messages.add_argument(
        "--from",
        dest="date_from",
        metavar="YYYY-MM-DD",
        type=parse_date,
        help="first day (default: today)",
    )
    messages.add_argument(
        "--to",
        dest="date_to",
        metavar="YYYY-MM-DD",
        type=parse_date,
        help="last day (default: today)",
    )
    messages.add_argument(
        "--summary", action="store_true", help="counts instead of one line per message"
    )
    _add_output_args(messages)
    messages.set_defaults(handler=cmd_report)

    outstanding = reports.add_parser(
        "outstanding",
        help="open items per borrower, with subtotals (Financieel › Overzichten)",
        description=(
            "Open items (contributions by default) per borrower with a subtotal for "
            "each and a grand total."
        ),
    )
    outstanding.add_argument(
        "--codes",
        type=parse_codes,
        default=CONTRIBUTION_CODES,
        metavar="FROM-TO",
        help="booking-code range (default: 1000-1999, the contributions)",
    )
    outstanding.add_argument(
        "--from",
        dest="date_from",
        metavar="YYYY-MM-DD",
        type=parse_date,
        help="only items booked on or after this day (default: from the start)",
    )
    outstanding.add_argument(
        "--to",
        dest="date_to",
        metavar="YYYY-MM-DD",
        type=parse_date,
        help="only items booked on or before this day (default: today)",
    )
    _add_output_args(outstanding)
    outstanding.set_defaults(handler=cmd_report)

    expiring = reports.add_parser(
        "expiring",
        help="memberships that end in a month and are not renewed yet",
        description=(
            "The memberships that end on the last day of the month, with the open "
            "contribution and whether the end-of-contribution notice (CAE) went out."
        ),
    )
    expiring.add_argument(
        "--month",
        type=parse_report_month,
        metavar="YYYY-MM",
        help="the month in which they end (default: this month)",
    )
    _add_output_args(expiring)
    expiring.set_defaults(handler=cmd_report)


def _build(args: argparse.Namespace, scope: Scope, today: date) -> tuple[Table, dict[str, Any]]:
    """The table and the filters as they go into the audit log."""
    from lidgeld.libraries.selectors import instance_ids_from_codes
    from lidgeld.reports import finance_reports, membership_reports, notice_reports

    instance_ids = instance_ids_from_codes(args.instance)
    filters: dict[str, Any] = {
        "instances": sorted(c.strip().upper() for c in args.instance.split(",") if c.strip())
        if args.instance
        else None
    }
    if args.report == "messages":
        date_from = args.date_from or today
        date_to = args.date_to or today
        table = notice_reports.message_overview(
            scope=scope,
            instance_ids=instance_ids,
            message_type=args.type,
            kind=args.kind,
            date_from=date_from,
            date_to=date_to,
            detail=not args.summary,
        )
        filters |= {
            "type": args.type,
            "kind": args.kind,
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "summary": args.summary,
        }
    elif args.report == "outstanding":
        code_from, code_to = args.codes
        date_to = args.date_to or today
        table = finance_reports.outstanding_items(
            scope=scope,
            instance_ids=instance_ids,
            code_from=code_from,
            code_to=code_to,
            booked_from=args.date_from,
            booked_to=date_to,
        )
        filters |= {
            "codes": [code_from, code_to],
            "from": args.date_from.isoformat() if args.date_from else None,
            "to": date_to.isoformat(),
        }
    else:
        from lidgeld.domain.months import first_of_month

        month = args.month or first_of_month(today)
        table = membership_reports.expiring_memberships(
            scope=scope, instance_ids=instance_ids, month=month, today=today
        )
        filters |= {"month": f"{month:%Y-%m}"}
    return table, filters


def _format(args: argparse.Namespace) -> ExportFormat:
    if args.format is not None:
        return args.format
    suffix = os.path.splitext(args.output)[1].lower()
    return parse_export_format(_SUFFIX_FORMATS.get(suffix, "csv"))


def cmd_report(args: argparse.Namespace) -> int:
    from lidgeld.cli.scope_args import scope_from_args
    from lidgeld.reports.services import report_export_audit

    moment = cli_moment()
    today = moment.today
    scope = scope_from_args(args)
    fmt = _format(args)
    table, filters = _build(args, scope, today)
    fmt_name = fmt.value
    to_screen = args.output == "-"

    def record(rows: int) -> None:
        report_export_audit(
            scope=scope,
            report=args.report,
            fmt=fmt,
            rows=rows,
            filters=filters,
            today=today,
            now=moment.now,
            file="-" if to_screen else os.path.basename(args.output),
        )

    if to_screen:
        rows = write_stdout(table, fmt, excel=args.excel, today=today)
        record(rows)
    else:
        rows = write_file(table, args.output, fmt, excel=args.excel, today=today, record=record)
    if args.json:
        text = json.dumps(
            {"report": args.report, "rows": rows, "file": args.output, "format": fmt_name},
            ensure_ascii=False,
            default=default_json,
        )
    else:
        text = f"{rows} rows → {'(screen)' if to_screen else args.output}"
    # With the CSV on stdout, the receipt goes to stderr so a pipe gets only the data.
    print(text, file=sys.stderr if to_screen else sys.stdout)
    return 0
