"""``lidgeld send``: deliver the outbox."""

from __future__ import annotations

import argparse
import threading
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.cli.base import add_json, emit
from lidgeld.cli.setup_cmds import cli_moment
from lidgeld.clock import clock


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 1 or more")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds above 0, e.g. 30")
    return value


def register(commands: Any) -> None:
    send = commands.add_parser(
        "send",
        help="deliver the queued e-mail notices (SMTP from LIDGELD_SMTP_URL, else a local folder)",
    )
    send.add_argument(
        "--batch-size",
        type=_positive_int,
        default=100,
        metavar="N",
        help="messages per claim and per SMTP connection (default 100)",
    )
    send.add_argument("--loop", action="store_true", help="keep sending until interrupted (Ctrl-C)")
    send.add_argument(
        "--interval",
        type=_seconds,
        metavar="SECONDS",
        help="with --loop: pause between rounds (default 30)",
    )
    add_json(send)
    send.set_defaults(handler=cmd_send)


def _text(report: Any) -> str:
    line = (
        f"sent {report.sent}, retried later {report.retried}, failed {report.failed}, skipped as too late {report.skipped}, "
        f"remaining {report.remaining} (via {report.transport})"
    )
    if report.stopped:
        line += f"\nstopped early: {report.stopped}"
    return line


def cmd_send(args: argparse.Namespace) -> int:
    from lidgeld.errors import InvalidInput
    from lidgeld.notices.delivery import messages_send, sender_loop
    from lidgeld.notices.transports import transport_from_settings

    if args.interval is not None and not args.loop:
        raise InvalidInput(
            _("--interval only applies with --loop; add --loop or leave it out"),
            code="interval_without_loop",
        )
    transport = transport_from_settings()  # a wrong LIDGELD_SMTP_URL is refused here, once
    if not args.loop:
        report = messages_send(
            now=cli_moment().now, batch_size=args.batch_size, transport=transport
        )
        emit(args, report.as_dict(), _text(report))
        return 0

    def show(report: Any) -> None:
        if report.sent or report.retried or report.failed or report.stopped:
            emit(args, report.as_dict(), _text(report))

    stop = threading.Event()
    try:
        sender_loop(
            stop,
            interval=args.interval or 30,
            batch_size=args.batch_size,
            transport=transport,
            on_report=show,
            read_clock=clock.now,
        )
    except KeyboardInterrupt:
        stop.set()
    return 0
