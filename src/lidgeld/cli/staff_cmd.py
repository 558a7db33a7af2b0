"""``lidgeld staff``: staff accounts with a role for one or more libraries."""

from __future__ import annotations

import argparse
import getpass
import os
from typing import Any

from lidgeld.cli.base import add_json, emit
from lidgeld.cli.setup_cmds import cli_moment


def register(commands: Any) -> None:
    staff = commands.add_parser("staff", help="staff accounts (desk, coordinator, administrator)")
    staff_commands = staff.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = staff_commands.add_parser(
        "add",
        help="a staff login for one or more libraries",
        description=(
            "The password is read from --password, else from LIDGELD_STAFF_PASSWORD, else "
            "asked for; it is stored hashed and never printed."
        ),
    )
    add.add_argument("--username", required=True)
    add.add_argument("--password", help="(prefer the prompt: a password here lands in history)")
    add.add_argument("--role", required=True, choices=["desk", "coordinator", "administrator"])
    add.add_argument(
        "--instance", required=True, metavar="CODE[,CODE]", help="the libraries of the account"
    )
    add.add_argument(
        "--user",
        metavar="USERNAME",
        help=(
            "act as this administrator: only their own libraries may be given, and the "
            "audit log names them (default: the operator at this terminal, who may give any)"
        ),
    )
    add_json(add)
    add.set_defaults(handler=cmd_staff_add)
    listing = staff_commands.add_parser("list", help="every staff account")
    add_json(listing)
    listing.set_defaults(handler=cmd_staff_list)


def cmd_staff_add(args: argparse.Namespace) -> int:
    from lidgeld.cli.scope_args import scope_from_args
    from lidgeld.staff.services import staff_add

    moment = cli_moment()
    within = scope_from_args(args)
    password = args.password or os.environ.get("LIDGELD_STAFF_PASSWORD")
    if not password:
        password = getpass.getpass(f"password for {args.username}: ")
    account = staff_add(
        username=args.username,
        password=password,
        role=args.role,
        instance_codes=args.instance.split(","),
        within=within,
        today=moment.today,
        now=moment.now,
        actor=within.actor,
    )
    codes = sorted(account.instances.values_list("code", flat=True))
    emit(
        args,
        {"username": account.user.username, "role": account.role, "instances": codes},
        f"staff account '{account.user.username}' ({account.get_role_display()}) for {', '.join(codes)}",
    )
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    from lidgeld.staff.models import StaffAccount

    accounts: list[dict[str, Any]] = [
        {
            "username": account.user.username,
            "role": account.role,
            "instances": sorted(instance.code for instance in account.instances.all()),
            "active": account.user.is_active,
        }
        for account in StaffAccount.objects.select_related("user").prefetch_related("instances")
    ]
    lines = [
        f"{item['username']:<16} {item['role']:<14} {', '.join(item['instances'])}"
        + ("" if item["active"] else "  (disabled)")
        for item in accounts
    ]
    emit(args, accounts, "\n".join(lines) or "no staff accounts")
    return 0
