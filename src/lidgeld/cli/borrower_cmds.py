"""Desk work from the command line: borrowers, renewals, payments, status, expiring."""

from __future__ import annotations

import argparse
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.cli.base import (
    EXIT_USAGE,
    add_json,
    cli_language,
    default_json,
    emit,
    parse_date,
    parse_money,
)
from lidgeld.cli.borrower_desk_cmds import add_detail_options, pin_from_stdin, say, warn
from lidgeld.cli.setup_cmds import actor, cli_moment
from lidgeld.domain.blocks import format_day


def register(commands: Any) -> Any:
    """The desk's commands; returns the subparsers of ``borrower`` so that other modules
    add their actions there (cli/main.py)."""
    borrower = commands.add_parser("borrower", help="card holders")
    borrower_commands = borrower.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = borrower_commands.add_parser("add", help="register a borrower")
    add.add_argument("--card", required=True)
    add.add_argument("--first-name", required=True)
    add.add_argument("--last-name", required=True)
    add.add_argument("--instance", required=True)
    add.add_argument("--type", help="membership type code; gives a first membership")
    add.add_argument(
        "--start", type=parse_date, help="first day of that membership (default: today)"
    )
    add.add_argument("--paid", action="store_true", help="the first fee is paid at once")
    pin = add.add_mutually_exclusive_group()
    pin.add_argument(
        "--pin",
        help="portal and kiosk PIN, 4 to 12 digits (stored hashed; prefer --pin-stdin: "
        "a PIN here stays in the shell history)",
    )
    pin.add_argument(
        "--pin-stdin", action="store_true", help="read the PIN from standard input (one line)"
    )
    pin.add_argument(
        "--pin-generate", action="store_true", help="make a PIN and print it once, for the slip"
    )
    add_detail_options(add, correcting=False)
    add.add_argument(
        "--even-if-duplicate",
        action="store_true",
        help="register even when a borrower with the same name and date of birth, or the "
        "same e-mail address, exists (they are listed otherwise, and nothing is registered)",
    )
    add.add_argument("--on", type=parse_date, help="the day of registration (default: today)")
    add_json(add)
    add.set_defaults(handler=cmd_borrower_add)

    renew = commands.add_parser("renew", help="renew one or more borrowers (R5)")
    renew.add_argument("cards", nargs="+", metavar="CARD")
    renew.add_argument("--on", type=parse_date, help="the day of the renewal (default: today)")
    renew.add_argument("--type", help="another membership type (default: the current one)")
    fee = renew.add_mutually_exclusive_group(required=True)
    fee.add_argument(
        "--paid",
        action="store_true",
        help="the borrower pays now: every open contribution, the older ones too, "
        "oldest first (or --amount)",
    )
    fee.add_argument("--open", action="store_true", help="the fee stays open")
    renew.add_argument(
        "--amount",
        type=parse_money,
        metavar="AMOUNT",
        help="with --paid and one card: what the borrower pays (default: everything open)",
    )
    add_json(renew)
    renew.set_defaults(handler=cmd_renew)

    pay = commands.add_parser("pay", help="register a payment of open contributions")
    pay.add_argument("card", metavar="CARD")
    pay.add_argument("amount", type=parse_money, metavar="AMOUNT")
    pay.add_argument("--on", type=parse_date)
    add_json(pay)
    pay.set_defaults(handler=cmd_pay)

    status = commands.add_parser("status", help="a borrower's situation and blocks")
    status.add_argument("card", metavar="CARD")
    status.add_argument("--on", type=parse_date)
    add_json(status)
    status.set_defaults(handler=cmd_status)

    expiring = commands.add_parser(
        "expiring", help="memberships that end in a month and are not renewed"
    )
    expiring.add_argument("--month", required=True, metavar="YYYY-MM")
    expiring.add_argument("--instance")
    add_json(expiring)
    expiring.set_defaults(handler=cmd_expiring)
    return borrower_commands


def cmd_borrower_add(args: argparse.Namespace) -> int:
    from lidgeld.borrowers.services import LikelyDuplicate, pin_generate
    from lidgeld.libraries.selectors import instance_get
    from lidgeld.memberships.services import membership_type_get
    from lidgeld.operations.registration import borrower_register
    from lidgeld.scope import operator_scope

    moment = cli_moment(on=args.on)
    instance = instance_get(args.instance)
    membership_type = membership_type_get(instance=instance, code=args.type) if args.type else None
    pin = args.pin
    if args.pin_generate:
        pin = pin_generate()
    elif args.pin_stdin:
        pin = pin_from_stdin()
    try:
        borrower = borrower_register(
            card_number=args.card,
            first_name=args.first_name,
            last_name=args.last_name,
            email=args.email,
            instance=instance,
            membership_type=membership_type,
            start=args.start,
            paid=args.paid,
            pin=pin,
            language=args.language,
            birth_date=args.birth_date,
            street=args.street,
            house_number=args.house_number,
            box=args.box,
            postal_code=args.postal_code,
            city=args.city,
            country=args.country,
            phone=args.phone,
            # The command line serves every instance: the whole network is looked in.
            duplicates_in=None if args.even_if_duplicate else operator_scope(actor()),
            today=moment.today,
            now=moment.now,
            actor=actor(),
        )
    except LikelyDuplicate as duplicate:
        return _refuse_duplicate(args, duplicate)
    data = {"card": borrower.card_number, "name": borrower.full_name, "instance": instance.code}
    text = f"borrower {borrower.card_number} ({borrower.full_name}) registered at {instance.code}"
    if args.pin_generate:
        data["pin"] = pin
        text += "\n" + say(_("PIN: %(pin)s (shown only now: write it on the slip)"), pin=pin)
    emit(args, data, text)
    return 0


def _refuse_duplicate(args: argparse.Namespace, duplicate: Any) -> int:
    """Nothing registered: the likely duplicates, for the desk to look at (stderr; with
    --json also as JSON on stdout), and how to go on anyway."""
    import json

    sentence = duplicate.localized(cli_language())
    rows = [
        {
            "card": found.card_number,
            "name": found.full_name,
            "birth_date": found.birth_date,
            "postal_code": found.postal_code,
            "city": found.city,
            "instance": found.home_instance.code,
        }
        for found in duplicate.borrowers
    ]
    if args.json:
        error = {"code": duplicate.code, "message": sentence}
        print(json.dumps({"registered": False, "error": error, "duplicates": rows},
                         ensure_ascii=False, indent=2, default=default_json))  # fmt: skip
    lines = [f"lidgeld {args.command}: error: {sentence}"]
    lines += [
        f"  {row['card']:<14} {row['name']:<30} {format_day(row['birth_date']) or '-':<10} "
        f"{row['postal_code'] or '-':<6} {row['city'] or '-'} ({row['instance']})"
        for row in rows
    ]
    lines.append(say(_("to register this borrower anyway, add --even-if-duplicate")))
    warn("\n".join(lines))
    return EXIT_USAGE


def cmd_renew(args: argparse.Namespace) -> int:
    from lidgeld.borrowers.selectors import borrower_get
    from lidgeld.errors import InvalidInput
    from lidgeld.memberships.services import membership_type_get
    from lidgeld.operations.renewals import membership_renew, memberships_renew

    moment = cli_moment(on=args.on)
    today = moment.today
    if args.amount is not None and not args.paid:
        raise InvalidInput(
            _("--amount goes with --paid: it is what the borrower pays now"),
            code="amount_without_paid",
        )
    if (args.type or args.amount is not None) and len(args.cards) != 1:
        if args.type:
            sentence = _("--type changes one borrower's type; renew one card at a time with it")
        else:
            sentence = _("--amount is one payment; renew one card at a time with it")
        raise InvalidInput(sentence, code="one_card_only")
    if args.type or args.amount is not None:
        borrower = borrower_get(args.cards[0])
        membership_type = (
            membership_type_get(instance=borrower.home_instance, code=args.type)
            if args.type
            else None
        )
        results = [
            membership_renew(
                borrower=borrower,
                membership_type=membership_type,
                paid=args.paid,
                amount=args.amount,
                today=today,
                now=moment.now,
                actor=actor(),
            )
        ]
    else:
        if len(args.cards) == 1:
            borrower_get(args.cards[0])  # an unknown single card is a usage error, not a result
        results = memberships_renew(
            card_numbers=args.cards, paid=args.paid, today=today, now=moment.now, actor=actor()
        )
    lines = [_renewal_line(result) for result in results]
    emit(args, {"results": [result.as_dict() for result in results]}, "\n".join(lines))
    return 0 if all(result.renewed for result in results) else 1


def _renewal_line(result: Any) -> str:
    """One renewal as a line: the period, its fee, what was paid and what stays open."""
    if not result.renewed or result.membership is None:
        return f"{result.card_number}: not renewed: {result.reason}"
    line = (
        f"{result.card_number}: renewed {result.membership.start:%d/%m/%Y} – "
        f"{result.membership.end:%d/%m/%Y}"
    )
    posting, payment = result.posting, result.payment
    if posting is not None:
        if posting.balance == 0:
            line += f", fee € {posting.amount} paid"
        elif posting.balance == posting.amount:
            line += f", fee € {posting.amount} open"
        else:
            line += f", fee € {posting.amount} partly paid (€ {posting.balance} open)"
    if payment is not None:
        items = ", ".join(
            f"€ {part.paid} for {part.description or f'the item of {part.booked_on:%d/%m/%Y}'}"
            for part in payment.parts
        )
        line += f"; paid € {payment.paid} ({items})"
        line += (
            "; nothing stays open"
            if result.still_open == 0
            else f"; € {result.still_open} stays open"
        )
    elif result.still_open > (posting.balance if posting is not None else 0):
        line += f"; € {result.still_open} open in total"
    return line


def cmd_pay(args: argparse.Namespace) -> int:
    from lidgeld.borrowers.selectors import borrower_get
    from lidgeld.finance.services import payment_register

    moment = cli_moment(on=args.on)
    borrower = borrower_get(args.card)
    result = payment_register(
        borrower=borrower, amount=args.amount, today=moment.today, now=moment.now, actor=actor()
    )
    emit(
        args,
        {
            "card": borrower.card_number,
            "paid": str(result.paid),
            "still_open": str(result.still_open),
        },
        f"{borrower.card_number}: € {result.paid} paid, € {result.still_open} still open",
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from lidgeld.borrowers.selectors import borrower_get
    from lidgeld.standing.status import borrower_status

    borrower = borrower_get(args.card)
    status = borrower_status(borrower=borrower, today=cli_moment(on=args.on).today).as_dict()
    membership = status["membership"]
    lines = [
        f"{status['card']} {status['name']} ({status['instance']}) on {status['on']}",
        f"  membership: {membership['status']}"
        + (
            f" until {membership['end']}"
            if membership["end"] and membership["status"] != "invalidated"
            else ""
        ),
        f"  open contribution: € {status['contribution']['open']}"
        + (f" ({status['contribution']['stage']})" if status["contribution"]["stage"] else ""),
    ]
    if payment := status["payment"]:
        from lidgeld.domain.epc_qr import format_iban

        account = f" to {format_iban(payment['iban'])}" if payment["iban"] else ""
        missing = "" if payment["epc_qr"] else " (no QR code: check the library's IBAN)"
        lines.append(
            f"  pay € {payment['amount']}{account} with reference {payment['reference']}{missing}"
        )
    for channel, block in status["blocks"].items():
        verdict = "allowed" if block["allowed"] else "BLOCKED"
        lines.append(f"  {channel:<6} {verdict:<8} {block['reason']}: {block['message']}")
    for reservation in status["reservations"]:
        position = f" #{reservation['position']}" if reservation["position"] else ""
        lines.append(f"  reservation {reservation['title']}: {reservation['status']}{position}")
    for message in status["messages"]:
        lines.append(
            f"  message {message['type']}{message['kind']} {message['date']} {message['channel']} {message['status']}"
        )
    emit(args, status, "\n".join(lines))
    return 0


def cmd_expiring(args: argparse.Namespace) -> int:
    from lidgeld.domain.months import parse_month
    from lidgeld.errors import InvalidInput
    from lidgeld.libraries.selectors import instance_get
    from lidgeld.memberships.selectors import memberships_expiring

    try:
        month = parse_month(args.month)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    instance_ids = [instance_get(args.instance).pk] if args.instance else None
    rows = [
        {
            "card": m.borrower.card_number,
            "name": m.borrower.full_name,
            "instance": m.instance.code,
            "type": m.type.code,
            "end": m.end.isoformat(),
            "email": m.borrower.email,
        }
        for m in memberships_expiring(month=month, instance_ids=instance_ids)
    ]
    text = "\n".join(
        f"{r['instance']:<8} {r['card']:<14} {r['name']:<30} {r['type']:<8} {r['end']}"
        for r in rows
    )
    emit(
        args,
        {"month": args.month, "count": len(rows), "memberships": rows},
        f"{text}\n{len(rows)} memberships",
    )
    return 0
