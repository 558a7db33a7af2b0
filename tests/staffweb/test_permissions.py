"""Who may open which staff page: every URL under /staff/ for every kind of visitor.

Anonymous visitors are sent to the login; a role below the page's gets 403; a borrower
(or an item of a borrower) outside one's libraries is 404, as if it did not exist."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from lidgeld.notices.models import NoticeTemplate
from lidgeld.selections.models import BorrowerSet
from lidgeld.sip2.models import Terminal
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_open_fee,
    make_staff,
    make_type,
)

pytestmark = pytest.mark.django_db

VISITORS = ("anonymous", "desk", "coordinator", "administrator", "other_desk")
ALL_STAFF = {"desk": 200, "coordinator": 200, "administrator": 200, "other_desk": 200}
COORDINATOR_UP = {"desk": 403, "coordinator": 200, "administrator": 200, "other_desk": 403}
ADMINISTRATOR = {"desk": 403, "coordinator": 403, "administrator": 200, "other_desk": 403}
OWN_BORROWER = {"desk": 200, "coordinator": 200, "administrator": 200, "other_desk": 404}

POST_ONLY = dict.fromkeys(VISITORS, 405)  # the office pages check the method first
OWN_SET = {"desk": 200, "coordinator": 404, "administrator": 404, "other_desk": 404}

# (url name, path, expected GET status per visitor; anonymous is sent to the login
# unless said otherwise). {b} is a GENT borrower and {p} their open item, {set} a set of
# the desk user, {override} a dated notice text, {terminal} a kiosk and {account} the
# desk user's account, all of GENT.
GET_TABLE = [
    ("login", "/staff/login/", {"anonymous": 200, **ALL_STAFF}),
    ("logout", "/staff/logout/", dict.fromkeys(VISITORS, 405)),
    # desk
    ("dashboard", "/staff/", ALL_STAFF),
    ("next-run", "/staff/next-run/", ALL_STAFF),
    ("borrower-search", "/staff/borrowers/?q=peeters", ALL_STAFF),
    ("borrower", "/staff/borrowers/{b}/", OWN_BORROWER),
    ("renew-paid", "/staff/borrowers/{b}/renew/paid/", OWN_BORROWER),
    ("renew-open", "/staff/borrowers/{b}/renew/open/", OWN_BORROWER),
    ("payment", "/staff/borrowers/{b}/payment/", dict.fromkeys(VISITORS[1:], 405)),
    ("write-off", "/staff/borrowers/{b}/items/{p}/write-off/", COORDINATOR_UP),
    ("expiring", "/staff/expiring/", ALL_STAFF),
    # back office
    ("reports", "/staff/reports/", ALL_STAFF),
    ("selections", "/staff/selections/", ALL_STAFF),
    ("selections-run", "/staff/selections/run", POST_ONLY),
    ("selections-combine", "/staff/selections/sets/combine", POST_ONLY),
    ("selections-set", "/staff/selections/sets/{set}/", OWN_SET),
    ("selections-export", "/staff/selections/sets/{set}/export?fields=email&format=csv",
     {"desk": 302, "coordinator": 302, "administrator": 302, "other_desk": 302}),
    ("templates", "/staff/templates/", COORDINATOR_UP),
    ("templates-kinds", "/staff/templates/GENT/kinds", POST_ONLY),
    ("templates-preview", "/staff/templates/GENT/preview/nl", POST_ONLY),
    ("templates-edit", "/staff/templates/GENT/AE/nl/", COORDINATOR_UP),
    ("templates-override", "/staff/templates/overrides/{override}/", COORDINATOR_UP),
    ("templates-override-delete", "/staff/templates/overrides/{override}/delete", POST_ONLY),
    ("settings", "/staff/settings/", ADMINISTRATOR),
    ("settings-save", "/staff/settings/GENT/", POST_ONLY),
    ("settings-terminals", "/staff/settings/terminals/", ADMINISTRATOR),
    ("settings-terminal-add", "/staff/settings/GENT/terminals/add", POST_ONLY),
    ("settings-terminal-disable", "/staff/settings/terminals/{terminal}/disable", POST_ONLY),
    ("settings-terminal-enable", "/staff/settings/terminals/{terminal}/enable", POST_ONLY),
    ("settings-terminal-password", "/staff/settings/terminals/{terminal}/password", POST_ONLY),
    ("settings-terminal-terminator", "/staff/settings/terminals/{terminal}/terminator", POST_ONLY),
    ("settings-accounts", "/staff/settings/accounts/", ADMINISTRATOR),
    ("settings-account-add", "/staff/settings/accounts/add", POST_ONLY),
    ("settings-account", "/staff/settings/accounts/{account}/", ADMINISTRATOR),
    ("settings-account-password", "/staff/settings/accounts/{account}/password", POST_ONLY),
]  # fmt: skip
# Changes: (path, form data, expected POST status per visitor)
POST_TABLE = [
    ("/staff/borrowers/{b}/renew/paid/", {}, {**OWN_BORROWER, "desk": 302, "coordinator": 302, "administrator": 302}),
    ("/staff/borrowers/{b}/renew/open/", {}, {**OWN_BORROWER, "desk": 302, "coordinator": 302, "administrator": 302}),
    ("/staff/borrowers/{b}/payment/", {"amount": "12,00"}, {**OWN_BORROWER, "desk": 302, "coordinator": 302, "administrator": 302}),
    ("/staff/borrowers/{b}/items/{p}/write-off/", {"reason": "test"}, {**COORDINATOR_UP, "coordinator": 302, "administrator": 302}),
    ("/staff/expiring/", {"fee": "paid", "card": ["B0000000001"]}, ALL_STAFF),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    # Five accounts per case: a slow password hash would cost minutes over the table.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    gent, brugge = make_instance("GENT"), make_instance("BRUGGE")
    borrower = make_borrower(gent, card="B0000000001")
    volw = make_type(gent)
    make_membership(borrower, volw, date(2025, 5, 1))
    posting = make_open_fee(make_membership(borrower, volw, date(2024, 5, 1)), date(2024, 5, 2))
    users = {
        "desk": make_staff("desk", gent),
        "coordinator": make_staff("coordinator", gent, role="coordinator"),
        "administrator": make_staff("administrator", gent, role="administrator"),
        "other_desk": make_staff("other-desk", brugge),
    }
    borrower_set = BorrowerSet.objects.create(
        owner="desk",
        origin="selection",
        rule="B.kind = CAE",
        size=0,
        instance_ids=[gent.pk],
        created_at=timezone.now(),
        expires_on=date(2026, 4, 17),
    )
    override = NoticeTemplate.objects.create(
        instance=gent,
        kind="AE",
        language="nl",
        subject="Gesloten",
        body_text="Gesloten.",
        valid_from=date(2026, 12, 20),
        valid_until=date(2027, 1, 3),
        updated_at=timezone.now(),
        updated_by="test",
    )
    terminal = Terminal.objects.create(
        login="kiosk-gent", password_hash="!", instance=gent, created_at=timezone.now()
    )
    return {
        "b": borrower.pk, "p": posting.pk, "users": users, "set": borrower_set.pk,
        "override": override.pk, "terminal": terminal.pk,
        "account": users["desk"].staff_account.pk,
    }  # fmt: skip


def client_for(world, visitor: str) -> Client:
    client = Client()
    if visitor != "anonymous":
        client.force_login(world["users"][visitor])
    return client


def get_cases():
    for name, path, expected in GET_TABLE:
        for visitor in VISITORS:
            yield pytest.param(path, visitor, expected.get(visitor, 302), id=f"{name}-{visitor}")


def post_cases():
    for path, data, expected in POST_TABLE:
        for visitor in VISITORS:
            status = expected.get(visitor, 302)
            yield pytest.param(path, data, visitor, status, id=f"POST {path}-{visitor}")


@pytest.mark.parametrize(("path", "visitor", "status"), list(get_cases()))
def test_get(world, path, visitor, status):
    response = client_for(world, visitor).get(path.format(**world))
    assert response.status_code == status
    if status == 302 and visitor == "anonymous":
        assert response["Location"].startswith("/staff/login/?next=")


@pytest.mark.parametrize(("path", "data", "visitor", "status"), list(post_cases()))
def test_post(world, path, data, visitor, status):
    response = client_for(world, visitor).post(path.format(**world), data)
    assert response.status_code == status
    if visitor == "anonymous":
        assert response["Location"].startswith("/staff/login/?next=")


def test_a_superuser_is_an_administrator_of_every_library(world, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x" * 12)
    client = Client()
    client.force_login(root)
    sees_every_set = {"selections-set": 200}
    for name, path, expected in GET_TABLE:
        status = sees_every_set.get(name, expected["administrator"])
        assert client.get(path.format(**world)).status_code == status, path


def test_the_table_holds_every_staff_url():
    """A new page under /staff/ must be added to the table above."""
    resolver = get_resolver()
    (staff,) = [
        p for p in resolver.url_patterns
        if isinstance(p, URLResolver) and getattr(p, "namespace", None) == "staffweb"
    ]  # fmt: skip
    names = {p.name for p in staff.url_patterns if isinstance(p, URLPattern)}
    assert names == {name for name, _path, _expected in GET_TABLE}
