"""Writes for the kiosks: terminal accounts, and fees paid at a kiosk."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from lidgeld.audit.services import audit_record, audited_update
from lidgeld.borrowers.models import Borrower
from lidgeld.errors import InvalidInput
from lidgeld.finance.services import PaymentResult, payment_register
from lidgeld.kiosks.models import CHARSETS, TERMINATORS, KioskPayment, Terminal
from lidgeld.kiosks.selectors import kiosk_payment_earlier
from lidgeld.libraries.selectors import instance_get
from lidgeld.scope import Scope, manage_check
from lidgeld.text_input import has_control_characters

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9._@-]{1,60}$")
CHARSET_NAMES = [name for name, _ in CHARSETS]
TERMINATOR_NAMES = [name for name, _ in TERMINATORS]
MIN_PASSWORD = 6


def terminal_terminator_check(terminator: str) -> str:
    """The line terminator as stored: auto (as the kiosk sends), cr or crlf."""
    value = terminator.strip().lower()
    if value not in TERMINATOR_NAMES:
        raise InvalidInput(
            gettext_lazy("the line terminator must be one of %(known)s, not '%(given)s'"),
            code="unknown_terminator",
            params={"known": ", ".join(TERMINATOR_NAMES), "given": terminator},
        )
    return value


def terminal_check(
    *, login: str, password: str, location: str = "", charset: str = "utf-8"
) -> tuple[str, str, str]:
    """The login, location and charset as they will be stored; InvalidInput when wrong.

    The back office's form asks this before saving, so a refusal shows on the form.
    """
    login = login.strip()
    if not LOGIN_PATTERN.match(login):
        raise InvalidInput(
            gettext_lazy("login '%(login)s' must be 1 to 60 letters, digits, '.', '_', '@' or '-'"),
            code="login_malformed",
            params={"login": login},
        )
    terminal_password_check(password)
    charset = charset.strip().lower()
    if charset not in CHARSET_NAMES:
        raise InvalidInput(
            gettext_lazy("charset must be one of %(known)s, not '%(given)s'"),
            code="unknown_charset",
            params={"known": ", ".join(CHARSET_NAMES), "given": charset},
        )
    location = location.strip()
    if len(location) > 60 or "|" in location:
        raise InvalidInput(
            gettext_lazy("the location is at most 60 characters, without '|'"),
            code="location_malformed",
        )
    if Terminal.objects.filter(login=login).exists():
        raise InvalidInput(
            gettext_lazy("there is already a terminal '%(login)s'; choose another login"),
            code="terminal_exists",
            params={"login": login},
        )
    return login, location, charset


def terminal_password_check(password: str) -> None:
    """A kiosk sends its password in the SIP2 login, where '|' ends a field."""
    if len(password) < MIN_PASSWORD or any(c in password for c in "|\r\n"):
        raise InvalidInput(
            gettext_lazy(
                "the password needs at least %(length)d characters and no '|' or line breaks"
            ),
            code="password_malformed",
            params={"length": MIN_PASSWORD},
        )


def terminal_add(
    *,
    login: str,
    password: str,
    instance_code: str,
    today: date,
    now: datetime,
    actor: str,
    location: str = "",
    charset: str = "utf-8",
    within: Scope | None = None,
    terminator: str = "auto",
) -> Terminal:
    """A kiosk account (SIP2 login CN / password CO). The password is stored hashed."""
    manage_check(
        within, instance_get(instance_code), role="administrator", what=gettext_lazy("the kiosks")
    )
    login, location, charset = terminal_check(
        login=login, password=password, location=location, charset=charset
    )
    terminator = terminal_terminator_check(terminator)
    instance = instance_get(instance_code)
    with transaction.atomic():
        if Terminal.objects.filter(login=login).exists():
            raise InvalidInput(
                gettext_lazy("there is already a terminal '%(login)s'; choose another login"),
                code="terminal_exists",
                params={"login": login},
            )
        terminal = Terminal.objects.create(
            login=login,
            password_hash=make_password(password),
            instance=instance,
            location=location,
            charset=charset,
            terminator=terminator,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="terminal.added",
            obj=terminal,
            today=today,
            now=now,
            instance_id=instance.pk,
            # never the password, not even hashed
            after={
                "login": login,
                "location": location,
                "charset": charset,
                "terminator": terminator,
            },
        )
        return terminal


def terminal_for_login(*, login: str) -> Terminal | None:
    """The enabled terminal with this login (its password not checked yet)."""
    if len(login) > 60 or has_control_characters(login):
        return None  # no such login can exist; and PostgreSQL refuses a NUL in a query
    return Terminal.objects.select_related("instance").filter(login=login, enabled=True).first()


def terminal_password_matches(*, password_hash: str | None, password: str) -> bool:
    """The slow hash check of a kiosk login (the SIP2 server runs it on its own threads).
    Without a terminal it does the same work: the time does not tell which logins exist."""
    if password_hash is None:
        make_password(password)
        return False
    return check_password(password, password_hash)


def terminal_authenticate(*, login: str, password: str) -> Terminal | None:
    """The enabled terminal with this login and password, else None."""
    terminal = terminal_for_login(login=login)
    known = terminal.password_hash if terminal is not None else None
    if not terminal_password_matches(password_hash=known, password=password):
        return None
    return terminal


def _terminal_enabled_set(
    *, terminal: Terminal, enabled: bool, today: date, now: datetime, actor: str
) -> Terminal:
    return _terminal_update(
        terminal, {"enabled": enabled}, "terminal.enabled" if enabled else "terminal.disabled",
        today=today, now=now, actor=actor,
    )  # fmt: skip


def _terminal_update(
    terminal: Terminal,
    changes: dict[str, Any],
    action: str,
    *,
    today: date,
    now: datetime,
    actor: str,
) -> Terminal:
    """Kiosk settings are audited under the kiosk's login; setting what is there already
    changes and audits nothing."""
    return audited_update(
        Terminal, pk=terminal.pk, changes=changes, action=action, actor=actor, today=today, now=now,
        instance_id=lambda row: row.instance_id, identity=lambda row: {"login": row.login},
        skip_unchanged=True,
    )  # fmt: skip


def terminal_disable(
    *, terminal: Terminal, today: date, now: datetime, actor: str, within: Scope | None = None
) -> Terminal:
    """The kiosk can no longer log in (stolen, replaced, out of use); nothing is deleted,
    so the audit trail of what it did keeps its name."""
    manage_check(within, terminal.instance, role="administrator", what=gettext_lazy("the kiosks"))
    return _terminal_enabled_set(
        terminal=terminal, enabled=False, today=today, now=now, actor=actor
    )


def terminal_enable(
    *, terminal: Terminal, today: date, now: datetime, actor: str, within: Scope | None = None
) -> Terminal:
    manage_check(within, terminal.instance, role="administrator", what=gettext_lazy("the kiosks"))
    return _terminal_enabled_set(terminal=terminal, enabled=True, today=today, now=now, actor=actor)


def terminal_password_set(
    *,
    terminal: Terminal,
    password: str,
    today: date,
    now: datetime,
    actor: str,
    within: Scope | None = None,
) -> Terminal:
    """A new kiosk password, stored hashed; the audit says it changed, never what it is."""
    manage_check(within, terminal.instance, role="administrator", what=gettext_lazy("the kiosks"))
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
            now=now,
            instance_id=locked.instance_id,
            after={"login": locked.login},
        )
        return locked


def terminal_get(login: str) -> Terminal:
    """The terminal with this login; InvalidInput saying so when there is none."""
    login = login.strip()
    terminal = (
        None
        if len(login) > 60 or has_control_characters(login)
        else Terminal.objects.select_related("instance").filter(login=login).first()
    )
    if terminal is None:
        raise InvalidInput(
            gettext_lazy("there is no terminal '%(login)s'; check the login"),
            code="unknown_terminal",
            params={"login": login},
        )
    return terminal


def terminal_terminator_set(
    *,
    terminal: Terminal,
    terminator: str,
    today: date,
    now: datetime,
    actor: str,
    within: Scope | None = None,
) -> Terminal:
    """How the server ends its answers to this kiosk: auto (as the kiosk's request
    ended), or always CR or CRLF."""
    manage_check(within, terminal.instance, role="administrator", what=gettext_lazy("the kiosks"))
    terminator = terminal_terminator_check(terminator)
    return _terminal_update(
        terminal,
        {"terminator": terminator},
        "terminal.terminator_set",
        today=today,
        now=now,
        actor=actor,
    )


# --- fees paid at a kiosk, once per transaction id ------------------------------------

KioskAnswer = dict[str, Any]  # the 38 as sent: {"fixed": {...}, "fields": [[id, value], ...]}


def kiosk_fee_paid(
    *,
    terminal_id: int,
    transaction_id: str,
    borrower: Borrower,
    amount: Decimal,
    today: date,
    now: datetime,
    actor: str,
    answer: Callable[[PaymentResult], KioskAnswer],
) -> KioskPayment:
    """Book a fee paid at a kiosk once per (terminal, transaction id).

    The claim on the pair is written first, in the same transaction as the payment,
    so a twin of this request arriving at the same moment waits for it, then finds
    the pair taken and gets this one's answer: it books nothing. A refused payment
    leaves no claim behind. ``answer`` turns what was paid into the answer to store.
    """
    try:
        with transaction.atomic():
            claim = KioskPayment.objects.create(
                terminal_id=terminal_id,
                transaction_id=transaction_id,
                card_number=borrower.card_number,
                amount=amount,
                answer={},
                created_at=now,
            )
            result = payment_register(
                borrower=borrower, amount=amount, today=today, now=now, actor=actor, channel="kiosk"
            )
            claim.answer = answer(result)
            claim.save(update_fields=["answer"])
            return claim
    except IntegrityError:
        earlier = kiosk_payment_earlier(terminal_id=terminal_id, transaction_id=transaction_id)
        if earlier is None:
            raise
        return earlier
