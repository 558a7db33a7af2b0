"""The kiosks: ``lidgeld sip2`` (the SIP2 server) and ``lidgeld terminal add|set``."""

from __future__ import annotations

import argparse
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.cli.base import add_json, emit
from lidgeld.cli.setup_cmds import actor, cli_moment

TERMINATOR_HELP = (
    "how answers end: auto (default: as the kiosk's request did), cr, or crlf "
    "(for a kiosk that waits for a line feed whatever it sends)"
)


def register(commands: Any) -> None:
    sip2 = commands.add_parser("sip2", help="start the SIP2 server for self-checkout kiosks")
    sip2.add_argument("--host", default="127.0.0.1")
    sip2.add_argument("--port", type=int, default=6001)
    sip2.add_argument("--tls-cert", metavar="FILE", help="PEM certificate: serve over TLS")
    sip2.add_argument("--tls-key", metavar="FILE", help="PEM private key of --tls-cert")
    sip2.add_argument(
        "--idle-timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="close a connection silent this long (default 600)",
    )
    sip2.add_argument("--workers", type=int, default=8, help="database threads (default 8)")
    sip2.add_argument(
        "--hash-workers",
        type=int,
        default=2,
        help="threads for the slow password and PIN hashes, each kind its own (default 2)",
    )
    sip2.add_argument(
        "--max-connections",
        type=int,
        metavar="N",
        help="open connections in all (default: LIDGELD_SIP2_MAX_CONNECTIONS, else 500)",
    )
    sip2.add_argument(
        "--max-connections-per-address",
        type=int,
        metavar="N",
        help="open connections from one address (default: "
        "LIDGELD_SIP2_MAX_CONNECTIONS_PER_ADDRESS, else 50)",
    )
    sip2.set_defaults(handler=cmd_sip2)

    terminal = commands.add_parser("terminal", help="self-checkout kiosk accounts (SIP2)")
    terminal_commands = terminal.add_subparsers(dest="action", metavar="ACTION", required=True)
    terminal_add = terminal_commands.add_parser("add", help="add a kiosk account")
    terminal_add.add_argument("--login", required=True, help="the kiosk's SIP2 login (CN)")
    terminal_add.add_argument("--password", required=True, help="the kiosk's SIP2 password (CO)")
    terminal_add.add_argument("--instance", required=True, help="instance code, e.g. GENT")
    terminal_add.add_argument("--location", default="", help="where the kiosk stands")
    terminal_add.add_argument(
        "--charset", default="utf-8", help="utf-8 (default), cp850 or latin-1"
    )
    terminal_add.add_argument("--terminator", default="auto", help=TERMINATOR_HELP)
    add_json(terminal_add)
    terminal_add.set_defaults(handler=cmd_terminal_add)

    terminal_set = terminal_commands.add_parser("set", help="change a kiosk account")
    terminal_set.add_argument("--login", required=True, help="the kiosk's SIP2 login (CN)")
    terminal_set.add_argument("--terminator", required=True, help=TERMINATOR_HELP)
    add_json(terminal_set)
    terminal_set.set_defaults(handler=cmd_terminal_set)


def cmd_sip2(args: argparse.Namespace) -> int:
    import uvloop

    from lidgeld.errors import InvalidInput
    from lidgeld.sip2.server import Limits, Sip2Server, tls_context

    if bool(args.tls_cert) != bool(args.tls_key):
        raise InvalidInput(_("TLS needs both --tls-cert and --tls-key"), code="tls_incomplete")
    if not 0 < args.port < 65536:
        raise InvalidInput(
            _("--port must be between 1 and 65535, not %(port)s"),
            code="port_invalid",
            params={"port": args.port},
        )
    if args.workers < 1 or args.hash_workers < 1 or args.idle_timeout <= 0:
        raise InvalidInput(
            _("--workers, --hash-workers and --idle-timeout must be more than 0"),
            code="limits_invalid",
        )
    limits = Limits.from_environment()
    for name, value in (
        ("--max-connections", args.max_connections),
        ("--max-connections-per-address", args.max_connections_per_address),
    ):
        if value is not None and value < 1:
            raise InvalidInput(
                _("%(option)s must be at least 1, not %(value)s"),
                code="limit_invalid",
                params={"option": name, "value": value},
            )
    limits = Limits(
        max_connections=args.max_connections or limits.max_connections,
        max_connections_per_address=args.max_connections_per_address
        or limits.max_connections_per_address,
    )
    context = None
    if args.tls_cert:
        try:
            context = tls_context(args.tls_cert, args.tls_key)
        except (OSError, ValueError) as error:
            raise InvalidInput(
                _("cannot use the TLS certificate or key: %(reason)s"),
                code="tls_unusable",
                params={"reason": str(error)},
            ) from None
    server = Sip2Server(
        host=args.host,
        port=args.port,
        ssl_context=context,
        idle_timeout=args.idle_timeout,
        workers=args.workers,
        hash_workers=args.hash_workers,
        limits=limits,
    )
    try:
        # uvloop's event loop (libuv) spends far less per message than asyncio's own.
        uvloop.run(server.run())
    except OSError as error:
        raise InvalidInput(
            _("cannot listen on %(address)s: %(reason)s"),
            code="listen_failed",
            params={"address": f"{args.host}:{args.port}", "reason": error.strerror or str(error)},
        ) from None
    return 0


def cmd_terminal_add(args: argparse.Namespace) -> int:
    from lidgeld.kiosks.services import terminal_add

    moment = cli_moment()
    terminal = terminal_add(
        login=args.login,
        password=args.password,
        instance_code=args.instance,
        location=args.location,
        charset=args.charset,
        terminator=args.terminator,
        today=moment.today,
        now=moment.now,
        actor=actor(),
    )
    emit(
        args,
        {
            "login": terminal.login,
            "instance": terminal.instance.code,
            "location": terminal.location,
            "charset": terminal.charset,
            "terminator": terminal.terminator,
        },
        f"terminal {terminal.login} added for {terminal.instance.code}"
        + (f" ({terminal.location})" if terminal.location else ""),
    )
    return 0


def cmd_terminal_set(args: argparse.Namespace) -> int:
    from lidgeld.kiosks.services import terminal_get, terminal_terminator_set

    moment = cli_moment()
    terminal = terminal_terminator_set(
        terminal=terminal_get(args.login),
        terminator=args.terminator,
        today=moment.today,
        now=moment.now,
        actor=actor(),
    )
    emit(
        args,
        {"login": terminal.login, "terminator": terminal.terminator},
        f"terminal {terminal.login}: answers end in "
        + {"auto": "what the kiosk sends (auto)", "cr": "CR", "crlf": "CRLF"}[terminal.terminator],
    )
    return 0
