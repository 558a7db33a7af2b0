"""Setting up: the database, instances, membership types, demo data, the web server."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.cli.base import add_json, emit, parse_date, parse_fee
from lidgeld.clock import clock
from lidgeld.domain.actors import cli_actor
from lidgeld.domain.moment import Moment
from lidgeld.libraries.services import INSTANCE_NUMBER_FIELDS, INSTANCE_TEXT_FIELDS


def actor() -> str:
    import getpass

    try:
        return cli_actor(getpass.getuser())
    except Exception:  # no user name in some containers
        return cli_actor(None)


def cli_moment(on: date | None = None) -> Moment:
    """This command's one reading of the clock, and who runs it; ``on`` (a command's
    ``--on``) stands in for today."""
    moment = clock.moment(actor())
    return moment if on is None else replace(moment, today=on)


def register(commands: Any) -> None:
    migrate = commands.add_parser("migrate", help="create or upgrade the database")
    add_json(migrate)
    migrate.set_defaults(handler=cmd_migrate)

    instance = commands.add_parser("instance", help="library organisations")
    instance_commands = instance.add_subparsers(dest="action", metavar="ACTION", required=True)
    instance_add = instance_commands.add_parser("add", help="add an instance")
    instance_add.add_argument("--code", required=True)
    instance_add.add_argument("--name", required=True)
    instance_add.add_argument("--group", help="cooperation group code (created when new)")
    add_json(instance_add)
    instance_add.set_defaults(handler=cmd_instance_add)

    instance_set = instance_commands.add_parser("set", help="change a library's details and policy")
    instance_set.add_argument("--code", required=True)
    for field in INSTANCE_TEXT_FIELDS:
        instance_set.add_argument(f"--{field.replace('_', '-')}", dest=field, metavar="TEXT")
    for field in INSTANCE_NUMBER_FIELDS:
        instance_set.add_argument(f"--{field.replace('_', '-')}", dest=field, type=int, metavar="N")
    instance_set.add_argument("--renewal-base", choices=["combination", "now", "expiry"])
    instance_set.add_argument(
        "--card-fee", dest="card_fee", metavar="AMOUNT", help="a new card costs (0 = free)"
    )
    instance_set.add_argument(
        "--notice-old-email",
        dest="notice_old_email",
        choices=["on", "off"],
        help="tell the old address when an e-mail address changes",
    )
    add_json(instance_set)
    instance_set.set_defaults(handler=cmd_instance_set)

    type_ = commands.add_parser("type", help="membership types")
    type_commands = type_.add_subparsers(dest="action", metavar="ACTION", required=True)
    type_add = type_commands.add_parser("add", help="add a membership type to an instance")
    type_add.add_argument("--instance", required=True)
    type_add.add_argument("--code", required=True)
    type_add.add_argument("--name", required=True)
    type_add.add_argument("--kind", required=True, choices=["paying", "free", "free-auto"])
    type_add.add_argument("--fee", type=parse_fee, default=None, help="euros, e.g. 12.00")
    type_add.add_argument("--months", type=int, default=12)
    type_add.add_argument("--booking-code", type=int, default=1000)
    _age_arguments(type_add)
    add_json(type_add)
    type_add.set_defaults(handler=cmd_type_add)
    type_limits = type_commands.add_parser(
        "limits", help="set a type's age limits and the type that follows (R12)"
    )
    type_limits.add_argument("--instance", required=True)
    type_limits.add_argument("--code", required=True)
    _age_arguments(type_limits)
    add_json(type_limits)
    type_limits.set_defaults(handler=cmd_type_limits)

    demo = commands.add_parser(
        "demo", help="load the demo network (three instances, about 2,000 borrowers)"
    )
    demo.add_argument("--borrowers", type=int, default=2000)
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing when the database has borrowers"
    )
    demo.add_argument(
        "--today", type=parse_date, help="the day the demo is built up to (default: today)"
    )
    add_json(demo)
    demo.set_defaults(handler=cmd_demo)

    serve = commands.add_parser("serve", help="start the web application (back office)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--no-sender", action="store_true", help="do not deliver the outbox from this process"
    )
    serve.add_argument("--sip2-port", type=int, default=6001, help="SIP2 port for the kiosks")
    serve.add_argument("--no-sip2", action="store_true", help="do not start the SIP2 server")
    serve.set_defaults(handler=cmd_serve)


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.db import connection

    emit(
        args,
        {"migrated": True, "database": connection.vendor},
        f"database ({connection.vendor}) is up to date",
    )
    return 0


def cmd_instance_add(args: argparse.Namespace) -> int:
    from lidgeld.libraries.services import instance_add

    moment = cli_moment()
    instance = instance_add(
        code=args.code,
        name=args.name,
        group_code=args.group,
        today=moment.today,
        now=moment.now,
        actor=actor(),
    )
    emit(
        args,
        {
            "code": instance.code,
            "name": instance.name,
            "group": instance.group.code if instance.group else None,
        },
        f"instance {instance.code} ({instance.name}) added",
    )
    return 0


def cmd_instance_set(args: argparse.Namespace) -> int:
    from lidgeld.errors import InvalidInput
    from lidgeld.libraries.selectors import instance_get
    from lidgeld.libraries.services import instance_update

    moment = cli_moment()
    fields = (*INSTANCE_TEXT_FIELDS, *INSTANCE_NUMBER_FIELDS, "renewal_base", "card_fee")
    changes: dict[str, object] = {
        field: getattr(args, field) for field in fields if getattr(args, field) is not None
    }
    if args.notice_old_email is not None:
        changes["notice_old_email"] = args.notice_old_email == "on"
    if not changes:
        raise InvalidInput(
            _("say what to change, e.g. --iban BE68539007547034 (see --help)"),
            code="nothing_to_change",
        )
    instance = instance_update(
        instance=instance_get(args.code),
        changes=changes,
        today=moment.today,
        now=moment.now,
        actor=actor(),
    )
    emit(
        args,
        {"code": instance.code, "changed": {k: getattr(instance, k) for k in changes}},
        f"instance {instance.code}: {', '.join(changes)} changed",
    )
    return 0


def _age_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--min-age", type=int, default=None, help="youngest age, included")
    parser.add_argument("--max-age", type=int, default=None, help="oldest age, included")
    parser.add_argument(
        "--next", dest="next_type", default=None, metavar="CODE",
        help="the type that follows past the maximum age (same instance)",
    )  # fmt: skip


def _type_limits_shown(membership_type: Any) -> dict[str, object]:
    return {
        "min_age": membership_type.min_age,
        "max_age": membership_type.max_age,
        "next_type": membership_type.next_type.code if membership_type.next_type else None,
    }


def cmd_type_limits(args: argparse.Namespace) -> int:
    from lidgeld.libraries.selectors import instance_get
    from lidgeld.memberships.services import membership_type_get, membership_type_limits_set

    moment = cli_moment()
    instance = instance_get(args.instance)
    membership_type = membership_type_limits_set(
        membership_type=membership_type_get(instance=instance, code=args.code),
        min_age=args.min_age,
        max_age=args.max_age,
        next_type=membership_type_get(instance=instance, code=args.next_type)
        if args.next_type
        else None,
        today=moment.today,
        now=moment.now,
        actor=actor(),
    )
    emit(
        args,
        {"instance": instance.code, "code": membership_type.code}
        | _type_limits_shown(membership_type),
        f"type {instance.code}/{membership_type.code}: age limits set",
    )
    return 0


def cmd_type_add(args: argparse.Namespace) -> int:
    from decimal import Decimal

    from lidgeld.errors import InvalidInput
    from lidgeld.libraries.selectors import instance_get
    from lidgeld.memberships.services import membership_type_add, membership_type_get

    moment = cli_moment()
    fee = args.fee
    if fee is None:
        if args.kind == "paying":
            raise InvalidInput(_("a paying type needs --fee, e.g. --fee 12.00"), code="fee_missing")
        fee = Decimal("0.00")
    instance = instance_get(args.instance)
    membership_type = membership_type_add(
        instance=instance,
        code=args.code,
        name=args.name,
        kind=args.kind,
        fee=fee,
        months=args.months,
        booking_code=args.booking_code,
        today=moment.today,
        now=moment.now,
        actor=actor(),
        min_age=args.min_age,
        max_age=args.max_age,
        next_type=membership_type_get(instance=instance, code=args.next_type)
        if args.next_type
        else None,
    )
    emit(
        args,
        {
            "instance": membership_type.instance.code,
            "code": membership_type.code,
            "kind": membership_type.kind,
            "fee": str(membership_type.fee),
            "months": membership_type.months,
            "booking_code": membership_type.booking_code,
        }
        | _type_limits_shown(membership_type),
        f"type {membership_type.instance.code}/{membership_type.code} added",
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from lidgeld.borrowers.models import Borrower
    from lidgeld.demo import demo_load

    if args.if_empty and Borrower.objects.exists():
        emit(args, {"loaded": False}, "the database already has borrowers; demo data not loaded")
        return 0
    if args.borrowers < 10:
        from lidgeld.errors import InvalidInput

        raise InvalidInput(
            _("--borrowers must be at least %(minimum)s"),
            code="too_few_borrowers",
            params={"minimum": 10},
        )
    summary = demo_load(today=cli_moment(on=args.today).today, borrowers=args.borrowers)
    emit(args, {"loaded": True, **summary}, summary["text"])
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import sys
    import threading

    from waitress.server import create_server

    from lidgeld.notices.delivery import sender_loop
    from lidgeld.notices.transports import transport_from_settings
    from lidgeld.wsgi import application

    try:
        web = create_server(application, host=args.host, port=args.port, threads=8)
    except OSError as error:
        # Most often a second `lidgeld serve`: said as such, not as a traceback.
        print(
            f"cannot listen on {args.host}:{args.port}: {error.strerror}; is lidgeld already "
            "running there? Stop it or choose another port with --port",
            file=sys.stderr,
        )
        return 1
    stop = threading.Event()
    if not args.no_sender:
        # The outbox is delivered beside the web server; without LIDGELD_SMTP_URL the
        # mail lands in a local folder, so nothing leaves the machine by accident.
        destination = transport_from_settings().describe()
        threading.Thread(
            target=sender_loop,
            args=(stop, 30),
            kwargs={"read_clock": clock.now},
            name="sender",
            daemon=True,
        ).start()
        print(f"notices are delivered every 30 s to {destination}", flush=True)
    if not args.no_sip2:
        threading.Thread(
            target=_sip2_until, args=(args.host, args.sip2_port, stop), name="sip2", daemon=True
        ).start()
    print(f"lidgeld back office on http://{args.host}:{args.port}/ (Ctrl+C stops)", flush=True)
    try:
        web.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
    return 0


def _sip2_until(host: str, port: int, stop: Any) -> None:
    """The kiosks' SIP2 server, beside the web server, until ``stop`` is set."""
    import asyncio

    import uvloop

    from lidgeld.sip2.server import Sip2Server

    async def run() -> None:
        server = Sip2Server(host=host, port=port)
        try:
            bound_host, bound_port = await server.start()
        except OSError as error:
            print(
                f"SIP2 server not started: cannot listen on {host}:{port}: {error.strerror}",
                flush=True,
            )
            return
        print(f"SIP2 server for the kiosks on {bound_host}:{bound_port}", flush=True)
        while not stop.is_set():
            await asyncio.sleep(0.5)
        await server.stop()

    uvloop.run(run())
