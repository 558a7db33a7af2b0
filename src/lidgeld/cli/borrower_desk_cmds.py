"""The desk's borrower work from the command line (issue 13): correct the details and
keep notes; and what ``borrower add`` (:mod:`lidgeld.cli.borrower_cmds`) and ``borrower
pin|card`` (:mod:`lidgeld.cli.borrower_card_cmds`) share: the detail options, a card
number to its borrower, a PIN from standard input, lines in the command line's language."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.cli.base import add_json, cli_language, emit, parse_date
from lidgeld.cli.setup_cmds import actor, cli_moment


def say(message: Any, **params: Any) -> str:
    """A line for the person at the terminal, in the command line's language
    (LIDGELD_LANGUAGE), days as 31/12/2026 and amounts as that language writes them."""
    from django.utils.translation import override

    from lidgeld.domain.blocks import format_amount, format_day

    language = cli_language()
    with override(language):
        template = str(message)
        if not params:
            return template
        shown = {
            name: format_day(value)
            if isinstance(value, date)
            else f"€ {format_amount(value, language)}"
            if isinstance(value, Decimal)
            else str(value)
            for name, value in params.items()
        }
        return template % shown


def warn(line: str) -> None:
    sys.stderr.write(f"{line}\n")


def shown_value(value: Any) -> str:
    if value is None or value == "":
        return say(_("(empty)"))
    return say("%(value)s", value=value)


def date_or_blank(text: str) -> date | str:
    """``--birth-date ""`` blanks the date; anything else is a date."""
    return "" if not text.strip() else parse_date(text)


def add_detail_options(parser: argparse.ArgumentParser, *, correcting: bool) -> None:
    """The address, contact and language options of ``add`` and ``set``. When
    correcting, an option left out keeps what the borrower has (default None)."""

    def option(name: str, **kwargs: Any) -> None:
        if correcting:
            kwargs["default"] = None
            kwargs.pop("choices", None)  # a wrong value is said by the one check
        parser.add_argument(name, **kwargs)

    if correcting:
        parser.add_argument("--first-name")
        parser.add_argument("--last-name")
        parser.add_argument(
            "--birth-date", type=date_or_blank, help='YYYY-MM-DD, or "" to remove it'
        )
    else:
        parser.add_argument("--birth-date", type=parse_date)
    option("--street", default="", help="the street's name only; the number is --house-number")
    option("--house-number", default="", help="e.g. 12 or 12A")
    option("--box", default="", help="the box (bus) of an apartment, e.g. 3 or 0101")
    option("--postal-code", default="", help="1000 to 9992 in Belgium")
    option("--city", default="", help="the municipality")
    option("--country", default="BE", help="ISO code of two letters, e.g. BE, NL, FR")
    option("--email", default="", help='the e-mail address (set: "" removes it)')
    option("--phone", default="", help="stored as +32… when it is a valid number")
    option("--language", default="nl", choices=["nl", "fr", "en"], help="of notices and pages")


def pin_from_stdin() -> str:
    """One line from standard input, without its line end; on a terminal, asked without
    showing what is typed."""
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        return getpass.getpass(say(_("PIN (not shown): ")))
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def borrower_of(card_number: str, *, current_only: bool = False) -> Any:
    """The borrower whose card this number is or was (R12). An old card finds them
    too, said on stderr; with ``current_only`` (a card to report or replace) it is
    refused with the card to use instead."""
    from lidgeld.borrowers.selectors import card_holder
    from lidgeld.errors import InvalidInput, Refused

    holder = card_holder(card_number)
    if holder is None:
        raise InvalidInput(
            _("no borrower has card number '%(card)s'"),
            code="card_unknown",
            params={"card": card_number},
        )
    borrower = holder.borrower
    if holder.old_card:
        params = {
            "card": holder.card.number,
            "name": borrower.full_name,
            "day": holder.card.replaced_on,
            "current": borrower.card_number,
        }
        if current_only:
            raise Refused(
                _(
                    "card %(card)s is an old card of %(name)s, replaced on %(day)s; "
                    "use the current card %(current)s"
                ),
                code="old_card",
                params=params,
            )
        warn(
            say(
                _("card %(card)s is an old card of %(name)s; the current card is %(current)s"),
                **params,
            )
        )
    return borrower


def register(actions: Any) -> None:
    """``borrower set`` and ``borrower note`` (``actions``: the subparsers of ``borrower``)."""
    correct = actions.add_parser(
        "set", help="correct a borrower's details; only the options given change"
    )
    correct.add_argument("card", metavar="CARD")
    add_detail_options(correct, correcting=True)
    correct.add_argument("--on", type=parse_date, help="the day of the correction (default: today)")
    add_json(correct)
    correct.set_defaults(handler=cmd_borrower_set)

    note = actions.add_parser("note", help="staff notes on a borrower: write, --list, --remove")
    note.add_argument("card", metavar="CARD")
    note.add_argument("text", nargs="?", metavar="TEXT", help="the note (staff only)")
    note.add_argument(
        "--at-desk", action="store_true", help="show it as a banner on the borrower page"
    )
    which = note.add_mutually_exclusive_group()
    which.add_argument("--list", action="store_true", help="the notes not removed, newest first")
    which.add_argument("--remove", type=int, metavar="ID", help="remove note ID (see --list)")
    add_json(note)
    note.set_defaults(handler=cmd_borrower_note)


def cmd_borrower_set(args: argparse.Namespace) -> int:
    from lidgeld.borrowers.checks import DETAIL_FIELDS, FIELD_WORDS
    from lidgeld.errors import InvalidInput
    from lidgeld.operations.details import borrower_correct

    moment = cli_moment(on=args.on)
    changes = {f: getattr(args, f) for f in DETAIL_FIELDS if getattr(args, f) is not None}
    if not changes:
        raise InvalidInput(
            _("say what to change, e.g. --street Veldstraat --house-number 12 (see --help)"),
            code="nothing_to_change",
        )
    if changes.get("birth_date") == "":
        changes["birth_date"] = None
    borrower = borrower_of(args.card)
    done = borrower_correct(
        borrower=borrower, changes=changes, today=moment.today, now=moment.now, actor=actor()
    ).changes
    changed = {field: done[field] for field in DETAIL_FIELDS if field in done}  # form order
    lines = [
        say(
            _("%(field)s: %(before)s → %(after)s"),
            field=FIELD_WORDS[field],
            before=shown_value(before),
            after=shown_value(after),
        )
        for field, (before, after) in changed.items()
    ]
    head = say(_("%(card)s %(name)s:"), card=borrower.card_number, name=borrower.full_name)
    if not changed:
        head = say(
            _("%(card)s: nothing changed; the details were already so"), card=borrower.card_number
        )
    emit(
        args,
        {"card": borrower.card_number, "changed": {f: list(pair) for f, pair in changed.items()}},
        "\n".join([head, *(f"  {line}" for line in lines)]),
    )
    return 0


def cmd_borrower_note(args: argparse.Namespace) -> int:
    from django.utils.timezone import localtime

    from lidgeld.borrowers.notes import note_add, note_remove
    from lidgeld.borrowers.selectors import desk_notes
    from lidgeld.errors import InvalidInput

    borrower = borrower_of(args.card)
    if (args.list or args.remove is not None) and (args.text is not None or args.at_desk):
        raise InvalidInput(
            _("--list and --remove take no note text nor --at-desk"), code="note_text_extra"
        )
    moment = cli_moment()
    if args.list:
        notes = desk_notes(borrower)
        rows = [_note_row(note) for note in notes]
        lines = [
            f"{row['id']:>6}  {localtime(note.written_at):%d/%m/%Y %H:%M}  {row['by']:<20} "
            + (say(_("[at the desk]")) + " " if row["at_desk"] else "")
            + row["text"]
            for row, note in zip(rows, notes, strict=True)
        ]
        text = "\n".join(lines) or say(_("%(card)s has no notes"), card=borrower.card_number)
        emit(args, {"card": borrower.card_number, "notes": rows}, text)
        return 0
    if args.remove is not None:
        note = next((n for n in desk_notes(borrower) if n.pk == args.remove), None)
        if note is None:
            raise InvalidInput(
                _("%(card)s has no note %(id)s; see 'lidgeld borrower note %(card)s --list'"),
                code="note_unknown",
                params={"card": borrower.card_number, "id": args.remove},
            )
        note = note_remove(note=note, today=moment.today, now=moment.now, actor=actor())
        emit(
            args,
            {"card": borrower.card_number, "removed": _note_row(note)},
            say(_("note %(id)s of %(card)s removed"), id=note.pk, card=borrower.card_number),
        )
        return 0
    if args.text is None:
        raise InvalidInput(
            _('give the note\'s text, e.g. lidgeld borrower note %(card)s "moved to Gent"'),
            code="note_empty",
            params={"card": borrower.card_number},
        )
    note = note_add(
        borrower=borrower,
        text=args.text,
        at_desk=args.at_desk,
        today=moment.today,
        now=moment.now,
        actor=actor(),
    )
    emit(
        args,
        {"card": borrower.card_number, "note": _note_row(note)},
        say(_("note %(id)s added to %(card)s"), id=note.pk, card=borrower.card_number)
        + (" " + say(_("(shown at the desk)")) if note.at_desk else ""),
    )
    return 0


def _note_row(note: Any) -> dict[str, Any]:
    return {
        "id": note.pk,
        "text": note.text,
        "at_desk": note.at_desk,
        "written_at": note.written_at.isoformat(),
        "by": note.written_by,
        "removed_at": note.removed_at.isoformat() if note.removed_at else None,
    }
