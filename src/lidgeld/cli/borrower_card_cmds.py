"""A borrower's PIN and cards from the command line (issue 13): set or reset the PIN,
report the card lost or stolen, replace it (with the library's fee when it asks one).

A PIN is never an argument (it would stay in the shell history and show in the
process list): it is read from standard input, or generated and printed once."""

from __future__ import annotations

import argparse
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.cli.base import Parser, add_json, emit, parse_date
from lidgeld.cli.borrower_desk_cmds import borrower_of, pin_from_stdin, say
from lidgeld.cli.setup_cmds import actor, cli_moment


class _PinParser(Parser):
    """``borrower pin``'s parser: what it does not know (a PIN typed anywhere on the
    line) is kept in ``stray`` for the command to refuse, instead of argparse's
    "unrecognized arguments: 1234", which would repeat the PIN."""

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        namespace, extras = super().parse_known_args(args, namespace)
        namespace.stray = [*(getattr(namespace, "stray", None) or []), *extras]
        return namespace, []


def register(actions: Any) -> None:
    """``borrower pin`` and ``borrower card lost|replace`` (``actions``: the subparsers
    of ``borrower``)."""
    pin = actions.add_parser(
        "pin",
        help="set or reset the PIN (portal and kiosk); ends the borrower's portal sessions",
        description="The PIN is never given as an argument: it would stay in the shell "
        "history. Pipe it in with --pin-stdin, or let --generate make one and print it once.",
        allow_abbrev=False,
    )
    pin.__class__ = _PinParser  # argparse makes every subcommand's parser of one class
    pin.add_argument("card", metavar="CARD")
    how = pin.add_mutually_exclusive_group()
    how.add_argument(
        "--pin-stdin", action="store_true", help="read the PIN from standard input (one line)"
    )
    how.add_argument(
        "--generate", action="store_true", help="make a PIN and print it once, for the slip"
    )
    add_json(pin)
    pin.set_defaults(handler=cmd_borrower_pin)

    card = actions.add_parser("card", help="report a card lost or stolen; replace it")
    card_actions = card.add_subparsers(dest="card_action", metavar="ACTION", required=True)
    lost = card_actions.add_parser(
        "lost", help="the current card is lost: no kiosk or portal accepts it any more"
    )
    lost.add_argument("card", metavar="CARD")
    lost.add_argument("--stolen", action="store_true", help="stolen rather than lost")
    lost.add_argument("--on", type=parse_date, help="the day of the report (default: today)")
    add_json(lost)
    lost.set_defaults(handler=cmd_card_lost)
    replace = card_actions.add_parser(
        "replace", help="give a new card number; the old card stays in the history"
    )
    replace.add_argument("card", metavar="CARD", help="the current card")
    replace.add_argument("--new", required=True, metavar="NUMBER", help="the new card's number")
    replace.add_argument(
        "--fee", action="store_true", help="book the library's replacement fee (open)"
    )
    replace.add_argument("--fee-paid", action="store_true", help="with --fee: paid at once")
    replace.add_argument("--on", type=parse_date, help="the day of the new card (default: today)")
    add_json(replace)
    replace.set_defaults(handler=cmd_card_replace)


def cmd_borrower_pin(args: argparse.Namespace) -> int:
    from lidgeld.borrowers.services import borrower_pin_set, pin_generate
    from lidgeld.errors import InvalidInput

    if args.stray:
        raise InvalidInput(
            _(
                "a PIN is never given on the command line: it would stay in the shell "
                "history; pipe it in with --pin-stdin, or use --generate"
            ),
            code="pin_as_argument",
        )
    if not (args.pin_stdin or args.generate):
        raise InvalidInput(
            _("say where the PIN comes from: --pin-stdin (read from standard input) or --generate"),
            code="pin_source_missing",
        )
    borrower = borrower_of(args.card)
    pin = pin_generate() if args.generate else pin_from_stdin()
    moment = cli_moment()
    borrower_pin_set(borrower=borrower, pin=pin, today=moment.today, now=moment.now, actor=actor())
    data: dict[str, Any] = {"card": borrower.card_number, "pin_set": True}
    lines = [
        say(
            _("%(card)s: PIN set; the borrower's portal sessions have ended"),
            card=borrower.card_number,
        )
    ]
    if args.generate:
        data["pin"] = pin
        lines.append(say(_("PIN: %(pin)s (shown only now: write it on the slip)"), pin=pin))
    emit(args, data, "\n".join(lines))
    return 0


def cmd_card_lost(args: argparse.Namespace) -> int:
    from lidgeld.borrowers.cards import card_report

    borrower = borrower_of(args.card, current_only=True)
    moment = cli_moment(on=args.on)
    report = "stolen" if args.stolen else "lost"
    card = card_report(
        borrower=borrower, report=report, today=moment.today, now=moment.now, actor=actor()
    )
    sentence = (
        _("card %(card)s of %(name)s reported stolen on %(day)s: no kiosk or portal accepts it")
        if args.stolen
        else _("card %(card)s of %(name)s reported lost on %(day)s: no kiosk or portal accepts it")
    )
    emit(
        args,
        {"card": card.number, "reported": card.reported, "reported_on": card.reported_on},
        say(sentence, card=card.number, name=borrower.full_name, day=card.reported_on)
        + "\n"
        + say(
            _("give a new card: lidgeld borrower card replace %(card)s --new NUMBER"),
            card=card.number,
        ),
    )
    return 0


def cmd_card_replace(args: argparse.Namespace) -> int:
    from lidgeld.errors import InvalidInput
    from lidgeld.operations.cards import card_replace_at_desk

    if args.fee_paid and not args.fee:
        raise InvalidInput(
            _("--fee-paid goes with --fee: it says the fee is paid at once"),
            code="fee_paid_without_fee",
        )
    borrower = borrower_of(args.card, current_only=True)
    old_number = borrower.card_number
    moment = cli_moment(on=args.on)
    replaced = card_replace_at_desk(
        borrower=borrower,
        new_number=args.new,
        charge_fee=args.fee,
        fee_paid=args.fee_paid,
        today=moment.today,
        now=moment.now,
        actor=actor(),
    )
    lines = [
        say(
            _("card %(old)s of %(name)s replaced by %(new)s; the old card stays in the history"),
            old=old_number,
            name=borrower.full_name,
            new=replaced.card.number,
        )
    ]
    fee = replaced.fee
    if fee is not None:
        lines.append(
            say(
                _("fee %(amount)s booked (code %(code)s), paid")
                if fee.balance == 0
                else _("fee %(amount)s booked (code %(code)s), open"),
                amount=fee.amount,
                code=fee.booking_code,
            )
        )
    elif args.fee:
        lines.append(
            say(
                _("no fee: %(instance)s asks none for a new card"),
                instance=borrower.home_instance.code,
            )
        )
    emit(
        args,
        {
            "card": replaced.card.number,
            "old_card": old_number,
            "fee": None
            if fee is None
            else {
                "amount": fee.amount,
                "booking_code": fee.booking_code,
                "open": fee.balance,
                "paid": fee.balance == 0,
            },
        },
        "\n".join(lines),
    )
    return 0
