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
from lidgeld.staff.scope import Scope, manage_check

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
    terminal_password_check(password)
    charset = charset.strip().lower()
    if charset not in CHARSET_NAMES:
        raise InvalidInput(f"charset must be one of {', '.join(CHARSET_NAMES)}, not '{charset}'")
    location = location.strip()
    if len(location) > 60 or "|" in location:
        raise InvalidInput("the location is at most 60 characters, without '|'")
    if Terminal.objects.filter(login=login).exists():
        raise InvalidInput(f"there is already a terminal '{login}'; choose another login")
    return login, location, charset


def terminal_password_check(password: str) -> None:
    """A kiosk sends its password in the SIP2 login, where '|' ends a field."""
    if len(password) < MIN_PASSWORD or any(c in password for c in "|\r\n"):
        raise InvalidInput(
            f"the password needs at least {MIN_PASSWORD} characters and no '|' or line breaks"
        )


def terminal_add(
    *,
    login: str,
    password: str,
    instance_code: str,
    today: date,
    actor: str,
    location: str = "",
    charset: str = "utf-8",
    within: Scope | None = None,
) -> Terminal:
    """A kiosk account (SIP2 login CN / password CO). The password is stored hashed."""
    manage_check(within, instance_get(instance_code), role="administrator", what="the kiosks")
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


def _terminal_enabled_set(
    *, terminal: Terminal, enabled: bool, today: date, actor: str
) -> Terminal:
    with transaction.atomic():
        locked = Terminal.objects.select_for_update().get(pk=terminal.pk)
        if locked.enabled == enabled:
            return locked
        locked.enabled = enabled
        locked.save(update_fields=["enabled"])
        audit_record(
            actor=actor,
            action="terminal.enabled" if enabled else "terminal.disabled",
            obj=locked,
            today=today,
            instance_id=locked.instance_id,
            before={"login": locked.login, "enabled": not enabled},
            after={"login": locked.login, "enabled": enabled},
        )
        return locked


def terminal_disable(
    *, terminal: Terminal, today: date, actor: str, within: Scope | None = None
) -> Terminal:
    """The kiosk can no longer log in (stolen, replaced, out of use); nothing is deleted,
    so the audit trail of what it did keeps its name."""
    manage_check(within, terminal.instance, role="administrator", what="the kiosks")
    return _terminal_enabled_set(terminal=terminal, enabled=False, today=today, actor=actor)


def terminal_enable(
    *, terminal: Terminal, today: date, actor: str, within: Scope | None = None
) -> Terminal:
    manage_check(within, terminal.instance, role="administrator", what="the kiosks")
    return _terminal_enabled_set(terminal=terminal, enabled=True, today=today, actor=actor)


def terminal_password_set(
    *, terminal: Terminal, password: str, today: date, actor: str, within: Scope | None = None
) -> Terminal:
    """A new kiosk password, stored hashed; the audit says it changed, never what it is."""
    manage_check(within, terminal.instance, role="administrator", what="the kiosks")
    terminal_password_check(password)
    with transaction.atomic():
        locked = Terminal.objects.select_for_update().get(pk=terminal.pk)
        locked.password_hash = make_password(password)
        locked.save(update_fields=["password_hash"])
        audit_record(
            actor=actor,
            action="terminal.password_set",
            obj=locked,
            today=today,
            instance_id=locked.instance_id,
            after={"login": locked.login},
        )
        return locked
