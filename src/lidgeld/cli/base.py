"""What every command shares: parsing plain values, one-line errors, --json output."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

from lidgeld.errors import InvalidInput

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line that says what to fix."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(EXIT_USAGE)


def parse_date(text: str) -> date:
    from lidgeld.domain.months import OutOfCalendar, check_year

    try:
        return check_year(date.fromisoformat(text.strip()), text)
    except OutOfCalendar as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-04-10"
        ) from None


def parse_money(text: str) -> Decimal:
    from lidgeld.finance.services import parse_amount

    try:
        return parse_amount(text)
    except InvalidInput as error:
        raise argparse.ArgumentTypeError(error.message) from None


def parse_fee(text: str) -> Decimal:
    """Like parse_money, but 0 is a valid fee (free types)."""
    if text.strip() in ("0", "0.00", "0,00"):
        return Decimal("0.00")
    return parse_money(text)


def default_json(value: Any) -> Any:
    if isinstance(value, (date, Decimal)):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2, default=default_json))
    else:
        print(text)


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")


def cli_language() -> str:
    """The language of the command's error sentences: LIDGELD_LANGUAGE (nl, fr or en).

    English unless set, because the commands' help, options and tables are English; a
    back office that reads Dutch sets LIDGELD_LANGUAGE=nl and the same catalogue as the
    staff pages answers."""
    wanted = os.environ.get("LIDGELD_LANGUAGE", "").strip().lower()[:2]
    return wanted if wanted in ("nl", "fr", "en") else "en"
