"""The Django admin's login is throttled like the staff login, on the same counter: a
superuser's password cannot be guessed at /admin/login/, and a lock earned at one
login form holds at the other."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from lidgeld.clock import FixedClock, set_clock

pytestmark = pytest.mark.django_db

PASSWORD = "beheer-wachtwoord-1"
START = timezone.make_aware(datetime(2026, 4, 10, 9, 0))
LOCKED = re.compile(r"Te veel mislukte pogingen\. Probeer het over \d+ minuten? opnieuw\.")


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    # Dozens of password checks per test: a slow hash would only cost time here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password=PASSWORD)


def at(moment: datetime) -> None:
    set_clock(FixedClock(moment.date(), now=moment))


def admin_attempt(client, password: str, username: str = "root"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
    )


def staff_attempt(client, password: str, username: str = "root"):
    return client.post("/staff/login/", {"username": username, "password": password})


def test_wrong_superuser_passwords_are_slowed_then_locked(client, root):
    # given three free failures in the same second
    at(START)
    for _ in range(3):
        assert admin_attempt(client, "geraden").status_code == 200
    # when a fourth fails, the next attempt must wait, even with the right password
    admin_attempt(client, "geraden")
    slowed = admin_attempt(client, PASSWORD)
    assert slowed.status_code == 429
    assert re.search(r"Wacht \d+ seconden? en probeer het opnieuw\.", slowed.content.decode())
    assert "_auth_user_id" not in client.session
    # then, one failure a minute later each, the name is locked after ten
    for minute in range(1, 7):
        at(START + timedelta(minutes=minute))
        assert admin_attempt(client, "geraden").status_code == 200
    at(START + timedelta(minutes=8))
    locked = admin_attempt(client, PASSWORD)
    assert locked.status_code == 429
    assert LOCKED.search(locked.content.decode())
    assert "_auth_user_id" not in client.session
    # and after the window the right password works, and forgets the failures
    at(START + timedelta(minutes=40))
    response = admin_attempt(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_lock_earned_at_the_staff_login_holds_at_the_admin_login(client, root):
    at(START)
    for minute in range(10):
        at(START + timedelta(minutes=minute))
        staff_attempt(client, "geraden")
    at(START + timedelta(minutes=10))
    locked = admin_attempt(client, PASSWORD)
    assert locked.status_code == 429
    assert LOCKED.search(locked.content.decode())
    assert "_auth_user_id" not in client.session


def test_a_lock_earned_at_the_admin_login_holds_at_the_staff_login(client, root):
    for minute in range(10):
        at(START + timedelta(minutes=minute))
        admin_attempt(client, "geraden", username="ROOT ")  # the same name, as typed
    at(START + timedelta(minutes=10))
    locked = staff_attempt(client, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_login_without_admin_rights_counts_as_a_failure(client, django_user_model):
    django_user_model.objects.create_user("plain", password=PASSWORD)
    at(START)
    for _ in range(4):
        assert admin_attempt(client, PASSWORD, username="plain").status_code == 200
    assert admin_attempt(client, PASSWORD, username="plain").status_code == 429
