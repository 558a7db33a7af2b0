"""A logged-in kiosk as the connection remembers it, and the moment of one request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from lidgeld.domain.actors import kiosk_actor
from lidgeld.kiosks.services import (
    terminal_for_login,
    terminal_password_matches,
)
from lidgeld.sip2.codec import sip_date
from lidgeld.standing.kiosk import (
    visible_instance_ids,
)


@dataclass(frozen=True)
class Session:
    """A logged-in terminal, as the connection remembers it (no model instances)."""

    terminal_id: int
    login: str
    instance_code: str
    instance_name: str
    location: str
    charset: str
    instance_ids: tuple[int, ...]
    terminator: str = "auto"  # auto, cr or crlf (Terminal.terminator)

    @property
    def actor(self) -> str:
        return kiosk_actor(self.login)


def login_candidate(*, user: str) -> tuple[Session | None, str | None]:
    """Database thread: the session a login as ``user`` would open, and the password
    hash to check first (None, None: no such enabled terminal)."""
    terminal = terminal_for_login(login=user)
    if terminal is None:
        return None, None
    session = Session(
        terminal_id=terminal.pk,
        login=terminal.login,
        instance_code=terminal.instance.code,
        instance_name=terminal.instance.name,
        location=terminal.location,
        charset=terminal.charset,
        instance_ids=tuple(visible_instance_ids(terminal.instance)),
        terminator=terminal.terminator,
    )
    return session, terminal.password_hash


def password_matches(*, password_hash: str | None, password: str) -> bool:
    """Hash thread: the slow check of a terminal password."""
    return terminal_password_matches(password_hash=password_hash, password=password)


def login(*, user: str, password: str) -> Session | None:
    """Both steps of a login in one thread (the server runs them on separate pools)."""
    session, password_hash = login_candidate(user=user)
    ok = password_matches(password_hash=password_hash, password=password)
    return session if ok else None


@dataclass(frozen=True)
class Edge:
    """The clock, read once per request."""

    today: date
    stamp: str  # SIP2 transaction date, YYYYMMDD    HHMMSS
    now: datetime


def edge_from(now: datetime, today: date) -> Edge:
    local = timezone.localtime(now) if timezone.is_aware(now) else now
    return Edge(today=today, stamp=sip_date(local), now=now)
