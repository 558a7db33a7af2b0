"""Staff accounts in the pages: an administrator lists, adds and changes the accounts
of their own libraries, disables them and resets passwords; nothing beyond."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from lidgeld.audit.models import AuditEvent
from lidgeld.staff.models import StaffAccount
from tests.factories import make_instance, make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "balie-wachtwoord-1"


@pytest.fixture
def world():
    return make_instance("GENT"), make_instance("BRUGGE")


@pytest.fixture
def admin(client, world):
    client.force_login(make_staff("beheer-gent", world[0], role="administrator"))
    return client


def account(username: str) -> StaffAccount:
    return StaffAccount.objects.get(user__username=username)


def test_the_list_shows_only_accounts_of_ones_own_libraries(admin, world):
    make_staff("balie-gent", world[0])
    make_staff("balie-brugge", world[1])
    make_staff("balie-beide", world[0], world[1])
    page = admin.get("/staff/settings/accounts/").content.decode()
    assert "balie-gent" in page
    assert "balie-brugge" not in page
    assert "balie-beide" not in page  # also serves BRUGGE: not this administrator's alone


def test_roles_are_named_in_the_pages_language(admin, world):
    make_staff("balie-gent", world[0])
    page = admin.get("/staff/settings/accounts/").content.decode()
    assert "<td>balie</td>" in page
    assert "<td>beheerder</td>" in page
    assert "Account toevoegen" in page
    admin.cookies["django_language"] = "en"
    page = admin.get("/staff/settings/accounts/").content.decode()
    assert "<td>desk</td>" in page
    assert "<td>administrator</td>" in page
    assert "Add account" in page


def test_an_account_is_added_and_audited_without_its_password(admin):
    response = admin.post(
        "/staff/settings/accounts/add",
        {"username": "nieuw", "password": "een-lang-wachtwoord", "role": "desk",
         "instances": ["GENT"]},
    )  # fmt: skip
    assert response.status_code == 302
    new = account("nieuw")
    assert new.user.check_password("een-lang-wachtwoord")
    assert list(new.instances.values_list("code", flat=True)) == ["GENT"]
    event = AuditEvent.objects.get(action="staff.add")
    assert "een-lang-wachtwoord" not in str(event.after)


def test_an_account_for_another_library_cannot_be_added(admin):
    response = admin.post(
        "/staff/settings/accounts/add",
        {"username": "stiekem", "password": "een-lang-wachtwoord", "role": "administrator",
         "instances": ["BRUGGE"]},
    )  # fmt: skip
    assert response.status_code == 403
    assert "geen toegang geven tot BRUGGE" in response.content.decode()
    assert not User.objects.filter(username="stiekem").exists()


def test_a_weak_password_or_taken_name_is_said(admin):
    response = admin.post(
        "/staff/settings/accounts/add",
        {"username": "beheer-gent", "password": "een-lang-wachtwoord", "role": "desk",
         "instances": ["GENT"]},
    )  # fmt: skip
    assert "er is al een account" in response.content.decode()
    response = admin.post(
        "/staff/settings/accounts/add",
        {"username": "kort", "password": "kort", "role": "desk", "instances": ["GENT"]},
    )
    assert response.status_code == 400
    assert "te zwak" in response.content.decode()
    assert not User.objects.filter(username="kort").exists()


def test_role_and_active_are_changed_and_audited(admin, world):
    make_staff("balie-gent", world[0])
    pk = account("balie-gent").pk
    response = admin.post(
        f"/staff/settings/accounts/{pk}/", {"role": "coordinator", "instances": ["GENT"]}
    )
    assert response.status_code == 302
    changed = account("balie-gent")
    assert changed.role == "coordinator"
    assert not changed.user.is_active  # the box was not ticked
    event = AuditEvent.objects.get(action="staff.changed")
    assert event.before == {"username": "balie-gent", "role": "desk", "active": True}
    assert event.after == {"username": "balie-gent", "role": "coordinator", "active": False}


def test_a_disabled_account_can_no_longer_log_in(client, admin, world):
    make_staff("balie-gent", world[0])
    pk = account("balie-gent").pk
    admin.post(f"/staff/settings/accounts/{pk}/", {"role": "desk", "instances": ["GENT"]})
    response = client.__class__().post(
        "/staff/login/", {"username": "balie-gent", "password": PASSWORD}
    )
    assert response.status_code == 200  # the login page again, not a redirect


def test_giving_another_library_is_refused(admin, world):
    make_staff("balie-gent", world[0])
    pk = account("balie-gent").pk
    response = admin.post(
        f"/staff/settings/accounts/{pk}/",
        {"role": "desk", "instances": ["GENT", "BRUGGE"], "active": "on"},
    )
    assert response.status_code == 403
    assert "geen toegang geven tot BRUGGE" in response.content.decode()
    assert list(account("balie-gent").instances.values_list("code", flat=True)) == ["GENT"]


def test_one_cannot_lock_oneself_out(admin):
    pk = account("beheer-gent").pk
    response = admin.post(
        f"/staff/settings/accounts/{pk}/", {"role": "desk", "instances": ["GENT"]}
    )
    assert response.status_code == 400
    assert "je eigen" in response.content.decode()
    assert account("beheer-gent").role == "administrator"
    assert account("beheer-gent").user.is_active


def test_a_password_is_reset_and_audited_without_it(admin, world):
    make_staff("balie-gent", world[0])
    pk = account("balie-gent").pk
    response = admin.post(
        f"/staff/settings/accounts/{pk}/password", {"password": "nieuw-wachtwoord-9"}
    )
    assert response.status_code == 302
    assert account("balie-gent").user.check_password("nieuw-wachtwoord-9")
    event = AuditEvent.objects.get(action="staff.password_set")
    assert "nieuw-wachtwoord-9" not in str(event.after)
    response = admin.post(f"/staff/settings/accounts/{pk}/password", {"password": "kort"})
    assert response.status_code == 400
    assert account("balie-gent").user.check_password("nieuw-wachtwoord-9")


def test_ones_own_new_password_keeps_one_logged_in(admin):
    pk = account("beheer-gent").pk
    admin.post(f"/staff/settings/accounts/{pk}/password", {"password": "nieuw-wachtwoord-9"})
    assert admin.get("/staff/settings/accounts/").status_code == 200


def test_accounts_beyond_ones_libraries_are_not_found(admin, world):
    make_staff("balie-brugge", world[1])
    make_staff("balie-beide", world[0], world[1])
    for username in ("balie-brugge", "balie-beide"):
        pk = account(username).pk
        assert admin.get(f"/staff/settings/accounts/{pk}/").status_code == 404
        assert (
            admin.post(
                f"/staff/settings/accounts/{pk}/", {"role": "desk", "instances": ["GENT"]}
            ).status_code
            == 404
        )
        assert (
            admin.post(
                f"/staff/settings/accounts/{pk}/password", {"password": "overgenomen-123"}
            ).status_code
            == 404
        )
    assert not AuditEvent.objects.exists()
