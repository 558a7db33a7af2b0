"""Writes for the kiosks: terminal accounts."""

from __future__ import annotations

import re
from datetime import date

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from lidgeld.audit.services import audit_record
from lidgeld.clock import clock
from lidgeld.errors import InvalidInput
from lidgeld.libraries.services import instance_get
from lidgeld.sip2.models import CHARSETS, Terminal

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9._@-]{1,60}$")
CHARSET_NAMES = [name for name, _ in CHARSETS]
MIN_PASSWORD = 6


def terminal_check(
    *, login: str, password: str, location: str = "", charset: str = "utf-8"
) -> tuple[str, str, str]:
    """The login, location and charset as they will be stored; InvalidInput when wrong.

    The back office's form asks this before saving, so a refusal shows on the form.
    """
    login = login.strip()
    if not LOGIN_PATTERN.match(login):
        raise InvalidInput(f"login '{login}' must be 1 to 60 letters, digits, '.', '_', '@' or '-'")
    if len(password) < MIN_PASSWORD or any(c in password for c in "|\r\n"):
        raise InvalidInput(
            f"the password needs at least {MIN_PASSWORD} characters and no '|' or line breaks"
        )
    charset = charset.strip().lower()
    if charset not in CHARSET_NAMES:
        raise InvalidInput(f"charset must be one of {', '.join(CHARSET_NAMES)}, not '{charset}'")
    location = location.strip()
    if len(location) > 60 or "|" in location:
        raise InvalidInput("the location is at most 60 characters, without '|'")
    if Terminal.objects.filter(login=login).exists():
        raise InvalidInput(f"there is already a terminal '{login}'; choose another login")
    return login, location, charset


def terminal_add(
    *,
    login: str,
    password: str,
    instance_code: str,
    today: date,
    actor: str,
    location: str = "",
    charset: str = "utf-8",
) -> Terminal:
    """A kiosk account (SIP2 login CN / password CO). The password is stored hashed."""
    login, location, charset = terminal_check(
        login=login, password=password, location=location, charset=charset
    )
    instance = instance_get(instance_code)
    with transaction.atomic():
        if Terminal.objects.filter(login=login).exists():
            raise InvalidInput(f"there is already a terminal '{login}'; choose another login")
        terminal = Terminal.objects.create(
            login=login,
            password_hash=make_password(password),
            instance=instance,
            location=location,
            charset=charset,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="terminal.added",
            obj=terminal,
            today=today,
            instance_id=instance.pk,
            # never the password, not even hashed
            after={"login": login, "location": location, "charset": charset},
        )
        return terminal


def terminal_authenticate(*, login: str, password: str) -> Terminal | None:
    """The enabled terminal with this login and password, else None."""
    terminal = Terminal.objects.select_related("instance").filter(login=login, enabled=True).first()
    if terminal is None:
        make_password(password)  # same work as a check: do not reveal which logins exist
        return None
    return terminal if check_password(password, terminal.password_hash) else None
