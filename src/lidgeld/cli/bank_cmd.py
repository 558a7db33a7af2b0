"""``lidgeld bank import``: payments from a CAMT.053 statement."""

from __future__ import annotations

import argparse
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.cli.base import add_json, emit, parse_date
from lidgeld.cli.setup_cmds import actor, cli_moment

_LABELS = {
    "paid": "paid in full",
    "partial": "partly paid",
    "unmatched": "not recognised",
    "wrong_amount": "wrong amount",
    "already_closed": "already paid or written off",
    "debit": "debits (ignored)",
    "already_imported": "already imported",
    "not_booked": "not booked yet (ignored)",
    "id_conflict": "bank id seen before, other amount",
    "too_large": "too large to record",
}


def register(commands: Any) -> None:
    bank = commands.add_parser("bank", help="bank statements (CAMT.053)")
    bank_commands = bank.add_subparsers(dest="action", metavar="ACTION", required=True)
    imports = bank_commands.add_parser(
        "import",
        help="register the payments of a CAMT.053 statement",
        description=(
            "Register the transfers that carry the structured communication of an open "
            "contribution. Everything else is listed for a person, never guessed. "
            "Importing the same file again changes nothing."
        ),
    )
    imports.add_argument("file", metavar="FILE", help="the CAMT.053 statement (XML)")
    imports.add_argument(
        "--on", type=parse_date, help="the day the payments are registered (default: today)"
    )
    add_json(imports)
    imports.set_defaults(handler=cmd_bank_import)


def _read(path: str) -> bytes:
    from lidgeld.errors import InvalidInput

    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InvalidInput(
            _("there is no file '%(path)s'"), code="file_missing", params={"path": path}
        ) from None
    except IsADirectoryError:
        raise InvalidInput(
            _("'%(path)s' is a folder, not a statement file"),
            code="file_is_folder",
            params={"path": path},
        ) from None
    except OSError as error:
        raise InvalidInput(
            _("cannot read '%(path)s': %(reason)s"),
            code="file_unreadable",
            params={"path": path, "reason": error.strerror or str(error)},
        ) from None


def cmd_bank_import(args: argparse.Namespace) -> int:
    from lidgeld.domain.epc_qr import format_iban
    from lidgeld.finance.bank import FOR_A_PERSON, bank_statement_import

    moment = cli_moment(on=args.on)
    data = _read(args.file)
    report = bank_statement_import(data=data, today=moment.today, now=moment.now, actor=actor())
    counts = report.counts
    person = sum(counts[outcome] for outcome in FOR_A_PERSON)
    lines = [
        f"statement {report.statement_id} of {format_iban(report.account)}: "
        f"{report.transactions} transactions",
    ]
    lines += [f"  {label:<28} {counts[key]:>5}" for key, label in _LABELS.items() if counts[key]]
    lines.append(f"registered: € {report.total_paid:.2f}")
    if person:
        lines.append(f"for a person ({person}):")
        lines += [
            f"  {line.booked_on:%d/%m/%Y}  € {line.amount:>9.2f}  {line.transaction_id}"
            f"  {line.debtor_name or '(no name)'}  '{line.reference or '-'}': {line.reason}"
            for line in report.for_a_person
        ]
    else:
        lines.append("nothing for a person")
    emit(args, report.as_dict(), "\n".join(lines))
    return 0
