"""``--user``: run a report, selection or export with what one staff account may see."""

from __future__ import annotations

import argparse

from django.utils.translation import gettext_lazy as _

from lidgeld.scope import Scope, operator_scope


def add_scope_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        metavar="USERNAME",
        help=(
            "act as this staff account: only the borrowers of its libraries (and their "
            "cooperation groups) are used, and the audit log names it (default: the "
            "operator at this terminal, who sees every library)"
        ),
    )


def scope_from_args(args: argparse.Namespace) -> Scope:
    from django.contrib.auth import get_user_model

    from lidgeld.cli.setup_cmds import actor
    from lidgeld.errors import InvalidInput
    from lidgeld.staff.selectors import scope_for_user

    username = getattr(args, "user", None)
    if not username:
        return operator_scope(actor())
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise InvalidInput(
            _("there is no staff account '%(username)s'; see 'lidgeld staff list'"),
            code="staff_unknown",
            params={"username": username},
        )
    return scope_for_user(user=user)
