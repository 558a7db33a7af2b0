"""Kiosk accounts managed from the back office: disabled kiosks cannot log in, a new
password replaces the old, both audited without the password."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput
from lidgeld.kiosks.services import (
    terminal_add,
    terminal_disable,
    terminal_enable,
    terminal_password_set,
)
from lidgeld.sip2.session import login
from tests.factories import make_instance

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
SECRET = "kiosk-secret-1"  # test only


@pytest.fixture
def terminal():
    make_instance("GENT")
    return terminal_add(
        login="kiosk-gent-1",
        password=SECRET,
        instance_code="GENT",
        today=TODAY,
        now=at_nine(TODAY),
        actor="t",
    )


def test_a_disabled_kiosk_cannot_log_in_until_enabled_again(terminal):
    terminal_disable(terminal=terminal, today=TODAY, now=at_nine(TODAY), actor="beheer")
    assert login(user="kiosk-gent-1", password=SECRET) is None
    terminal_enable(terminal=terminal, today=TODAY, now=at_nine(TODAY), actor="beheer")
    assert login(user="kiosk-gent-1", password=SECRET) is not None
    events = AuditEvent.objects.filter(action__in=["terminal.disabled", "terminal.enabled"])
    assert [e.after["enabled"] for e in events.order_by("id")] == [False, True]


def test_disabling_twice_is_recorded_once(terminal):
    terminal_disable(terminal=terminal, today=TODAY, now=at_nine(TODAY), actor="beheer")
    terminal_disable(terminal=terminal, today=TODAY, now=at_nine(TODAY), actor="beheer")
    assert AuditEvent.objects.filter(action="terminal.disabled").count() == 1


def test_a_new_password_replaces_the_old_one(terminal):
    terminal_password_set(
        terminal=terminal, password="nieuw-geheim", today=TODAY, now=at_nine(TODAY), actor="b"
    )
    assert login(user="kiosk-gent-1", password=SECRET) is None
    assert login(user="kiosk-gent-1", password="nieuw-geheim") is not None
    event = AuditEvent.objects.get(action="terminal.password_set")
    assert event.after == {"login": "kiosk-gent-1"}


@pytest.mark.parametrize("password", ["kort", "met|pijp", "twee\nregels"])
def test_a_password_a_kiosk_cannot_send_is_refused(terminal, password):
    with pytest.raises(InvalidInput, match="at least 6 characters and no '\\|'"):
        terminal_password_set(
            terminal=terminal, password=password, today=TODAY, now=at_nine(TODAY), actor="b"
        )
    assert login(user="kiosk-gent-1", password=SECRET) is not None
