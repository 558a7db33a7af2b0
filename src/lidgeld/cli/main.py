"""``lidgeld``: the command line of the back office and of the daily run."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from lidgeld.cli.base import EXIT_BUSY, EXIT_FAILED, EXIT_USAGE, Parser, cli_language


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lidgeld.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def build_parser() -> Parser:
    from lidgeld.cli import (
        bank_cmd,
        borrower_card_cmds,
        borrower_cmds,
        borrower_desk_cmds,
        borrower_life_cmds,
        letters_cmd,
        notice_cmds,
        report_cmd,
        select_cmd,
        send_cmd,
        setup_cmds,
        sip2_cmd,
        staff_cmd,
        tick_cmd,
    )

    parser = Parser(
        prog="lidgeld", description="Memberships, contributions and notices of a library network."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    setup_cmds.register(commands)
    borrower_actions = borrower_cmds.register(commands)  # `borrower add`, renew, pay, …
    borrower_desk_cmds.register(borrower_actions)  # `borrower set|note`
    borrower_card_cmds.register(borrower_actions)  # `borrower pin|card lost|card replace`
    borrower_life_cmds.register(borrower_actions)  # `borrower end|end-undo|merge`
    tick_cmd.register(commands)
    notice_cmds.register(commands)
    send_cmd.register(commands)
    letters_cmd.register(commands)
    bank_cmd.register(commands)
    sip2_cmd.register(commands)
    report_cmd.register(commands)
    staff_cmd.register(commands)
    select_cmd.register(commands)
    return parser


def unstorable_argument(arguments: Sequence[str]) -> str | None:
    """Why an argument cannot be used, before anything runs: a NUL, or bytes that are
    not UTF-8 (which Python keeps as lone surrogates), would fail in the database or
    stop the command halfway. The argument is named by its place, never shown: it may
    be a PIN or a password."""
    from lidgeld.text_input import NUL, unstorable

    for index, argument in enumerate(arguments):
        problem = unstorable(argument)
        if problem is None:
            continue
        after = arguments[index - 1] if index else ""
        where = f"argument {index + 1}" + (f" (after {after})" if after.startswith("-") else "")
        fix = "remove it" if problem == NUL else "retype it or set the terminal to UTF-8"
        return f"{where} contains {problem}, which cannot be stored; {fix}"
    return None


# PostgreSQL's SQLSTATEs for a table or column that is not there (undefined_table,
# undefined_column); SQLite says "no such table" / "no such column".
_MISSING_SCHEMA_STATES = frozenset({"42P01", "42703"})


def database_error_sentence(error: Exception) -> tuple[str, int]:
    """What to tell about a database error that no service turned into a sentence,
    and the exit code. Only a missing table or column points at migrating: a value
    the database refuses (too long, out of range) is the input's fault, not the schema's."""
    from django.db import DataError

    text = str(error).strip()
    first_line = text.splitlines()[0] if text else type(error).__name__
    if isinstance(error, DataError):
        return (
            f"error: the database refused a value: {first_line}; shorten it or check the number",
            EXIT_USAGE,
        )
    missing = getattr(error.__cause__, "sqlstate", None) in _MISSING_SCHEMA_STATES or any(
        words in text.lower() for words in ("no such table", "no such column")
    )
    if missing:
        return (
            f"database error: {first_line} (is the database migrated? run 'lidgeld migrate')",
            EXIT_FAILED,
        )
    return f"database error: {first_line}", EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    _setup_django()
    from django.db import DatabaseError

    from lidgeld.errors import LidgeldError
    from lidgeld.lifecycle.locks import Busy

    arguments = list(sys.argv[1:] if argv is None else argv)
    refusal = unstorable_argument(arguments)
    if refusal is not None:
        sys.stderr.write(f"lidgeld: error: {refusal}\n")
        return EXIT_USAGE
    parser = build_parser()
    args = parser.parse_args(arguments)
    try:
        return int(args.handler(args) or 0)
    except LidgeldError as error:
        sys.stderr.write(f"lidgeld {args.command}: error: {error.localized(cli_language())}\n")
        return EXIT_USAGE
    except Busy as busy:
        sys.stderr.write(
            f"lidgeld {args.command}: another daily run is busy ({busy.holder}); nothing done\n"
        )
        return EXIT_BUSY
    except DatabaseError as error:
        if os.environ.get("LIDGELD_DEBUG") == "1":
            raise
        sentence, code = database_error_sentence(error)
        sys.stderr.write(f"lidgeld {args.command}: {sentence}\n")
        return code


if __name__ == "__main__":
    raise SystemExit(main())
