"""Staff login: roles, throttling, and the way back to where one was going."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from lidgeld.audit.models import AuditEvent
from lidgeld.clock import FixedClock, set_clock
from tests.factories import make_instance, make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "balie-wachtwoord-1"


@pytest.fixture
def desk():
    return make_staff("balie-gent", make_instance("GENT"))


def attempt(client, username: str, password: str):
    return client.post("/staff/login/", {"username": username, "password": password})


def test_pages_send_an_anonymous_visitor_to_the_login(client):
    response = client.get("/staff/borrowers/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=/staff/borrowers/"


def test_login_goes_where_one_was_going_and_is_audited(client, desk):
    response = client.post(
        "/staff/login/",
        {"username": "balie-gent", "password": PASSWORD, "next": "/staff/borrowers/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/borrowers/"
    assert AuditEvent.objects.filter(action="staff.login", actor="staff:balie-gent").exists()


def test_an_outside_next_address_is_ignored(client, desk):
    response = client.post(
        "/staff/login/",
        {"username": "balie-gent", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/staff/"


def test_a_login_without_staff_account_is_refused_like_a_wrong_password(client, django_user_model):
    django_user_model.objects.create_user("plain", password=PASSWORD)
    response = attempt(client, "plain", PASSWORD)
    assert response.status_code == 200
    assert "De gebruikersnaam of het wachtwoord is niet juist." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_slow_down_then_lock_even_the_right_password(client, desk):
    start = timezone.make_aware(datetime(2026, 4, 10, 9, 0))
    for second in range(10):
        set_clock(FixedClock(start.date(), now=start + timedelta(seconds=60 * second)))
        attempt(client, "balie-gent", "wrong")
    set_clock(FixedClock(start.date(), now=start + timedelta(minutes=10)))
    locked = attempt(client, "balie-gent", PASSWORD)
    assert locked.status_code == 429
    assert re.search(
        r"Te veel mislukte pogingen\. Probeer het over \d+ minuten? opnieuw\.",
        locked.content.decode(),
    )
    assert "_auth_user_id" not in client.session
    # the same answer for a name that does not exist
    for _ in range(10):
        attempt(client, "nobody", "wrong")
    assert attempt(client, "nobody", "wrong").status_code == 429
    # after the window the right password works again
    set_clock(FixedClock(start.date(), now=start + timedelta(minutes=40)))
    assert attempt(client, "balie-gent", PASSWORD).status_code == 302


def test_logout_needs_a_post(client, desk):
    client.force_login(desk)
    assert client.get("/staff/logout/").status_code == 405
    assert client.post("/staff/logout/").status_code == 302
    assert client.get("/staff/").status_code == 302
