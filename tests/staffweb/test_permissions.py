"""Who may open which staff page: every URL under /staff/ for every kind of visitor.

Anonymous visitors are sent to the login; a role below the page's gets 403; a borrower
(or an item of a borrower) outside one's libraries is 404, as if it did not exist.

The pages that manage a library (settings and IBAN, notice texts and kinds, kiosks,
staff accounts) reach only one's own libraries, not the rest of the cooperation group:
a library, kiosk, text or account of another library named in the URL is 404, and
giving an account access to another library is refused with 403 (R11)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Note
from lidgeld.kiosks.models import Terminal
from lidgeld.libraries.models import CooperationGroup, Instance
from lidgeld.memberships.models import MembershipEnding
from lidgeld.notices.models import LetterBatch, Message, NoticeTemplate
from lidgeld.selections.models import BorrowerSet
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_message,
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
# the desk user, {override} a dated notice text, {terminal} a kiosk, {account} the
# desk user's account and {letter_batch} a batch of letters to print, all of GENT.
GET_TABLE = [
    ("login", "/staff/login/", {"anonymous": 200, **ALL_STAFF}),
    ("logout", "/staff/logout/", dict.fromkeys(VISITORS, 405)),
    # desk
    ("dashboard", "/staff/", ALL_STAFF),
    ("next-run", "/staff/next-run/", ALL_STAFF),
    ("borrower-search", "/staff/borrowers/?q=peeters", ALL_STAFF),
    ("borrower", "/staff/borrowers/{b}/", OWN_BORROWER),
    ("borrower-new", "/staff/borrowers/new/", ALL_STAFF),
    # a registration waiting for its PIN is one's own session's: any other key goes back
    ("borrower-new-pin", "/staff/borrowers/new/not-waiting/pin/", dict.fromkeys(VISITORS[1:], 302)),
    ("borrower-details", "/staff/borrowers/{b}/details/", OWN_BORROWER),
    ("borrower-pin", "/staff/borrowers/{b}/pin/", OWN_BORROWER),
    ("renew-paid", "/staff/borrowers/{b}/renew/paid/", OWN_BORROWER),
    ("renew-open", "/staff/borrowers/{b}/renew/open/", OWN_BORROWER),
    ("payment", "/staff/borrowers/{b}/payment/", dict.fromkeys(VISITORS[1:], 405)),
    ("write-off", "/staff/borrowers/{b}/items/{p}/write-off/", COORDINATOR_UP),
    ("expiring", "/staff/expiring/", ALL_STAFF),
    ("membership-end", "/staff/borrowers/{b}/end/", COORDINATOR_UP),
    ("membership-end-undo", "/staff/borrowers/{b}/end/{ending}/undo/", COORDINATOR_UP),
    ("borrower-merge", "/staff/borrowers/{b}/merge/", COORDINATOR_UP),
    ("letters", "/staff/letters/", ALL_STAFF),
    ("letters-batch-new", "/staff/letters/batches/", POST_ONLY),
    ("letters-batch-pdf", "/staff/letters/batches/{letter_batch}/pdf", OWN_BORROWER),
    ("letters-batch-confirm", "/staff/letters/batches/{letter_batch}/confirm", POST_ONLY),
    # a borrower's notes ({n} is a note of {b}) and cards: the desk role and up
    ("note-add", "/staff/borrowers/{b}/notes/add/", OWN_BORROWER),
    ("note-remove", "/staff/borrowers/{b}/notes/{n}/remove/", OWN_BORROWER),
    ("card-lost", "/staff/borrowers/{b}/card/lost/", OWN_BORROWER),
    ("card-stolen", "/staff/borrowers/{b}/card/stolen/", OWN_BORROWER),
    ("card-replace", "/staff/borrowers/{b}/card/new/", OWN_BORROWER),
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
    ("settings-types", "/staff/settings/types/", ADMINISTRATOR),
    ("settings-type-limits", "/staff/settings/types/{type}/limits", POST_ONLY),
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
    ("/staff/borrowers/new/", {}, dict.fromkeys(VISITORS[1:], 400)),  # the form says what is missing
    ("/staff/borrowers/new/not-waiting/pin/", {"pin": "4826", "pin_again": "4826"}, dict.fromkeys(VISITORS[1:], 302)),
    ("/staff/borrowers/{b}/details/", {"first_name": "An", "last_name": "Peeters", "language": "nl"}, {**OWN_BORROWER, "desk": 302, "coordinator": 302, "administrator": 302}),
    ("/staff/borrowers/{b}/pin/", {"mode": "generate"}, OWN_BORROWER),
    ("/staff/borrowers/{b}/payment/", {"amount": "12,00"}, {**OWN_BORROWER, "desk": 302, "coordinator": 302, "administrator": 302}),
    ("/staff/borrowers/{b}/items/{p}/write-off/", {"reason": "test"}, {**COORDINATOR_UP, "coordinator": 302, "administrator": 302}),
    ("/staff/expiring/", {"fee": "paid", "card": ["B0000000001"]}, ALL_STAFF),
    ("/staff/borrowers/{b}/end/", {"reason": "moved", "effective": "today"}, {**COORDINATOR_UP, "coordinator": 302, "administrator": 302}),
    # the ending in the table was undone already; the card is the borrower's own
    ("/staff/borrowers/{b}/end/{ending}/undo/", {}, {**COORDINATOR_UP, "coordinator": 400, "administrator": 400}),
    ("/staff/borrowers/{b}/merge/", {"card": "B0000000001"}, {**COORDINATOR_UP, "coordinator": 400, "administrator": 400}),
    ("/staff/letters/batches/", {"date": "2026-04-10"}, {"desk": 302, "coordinator": 302, "administrator": 302, "other_desk": 302}),
    ("/staff/letters/batches/{letter_batch}/confirm", {}, {**OWN_BORROWER, "desk": 302, "coordinator": 302, "administrator": 302}),
    ("/staff/borrowers/{b}/notes/add/", {"text": "Belt liever"}, {**OWN_BORROWER, "desk": 302, "coordinator": 302, "administrator": 302}),
    ("/staff/borrowers/{b}/notes/{n}/remove/", {}, {**OWN_BORROWER, "desk": 302, "coordinator": 302, "administrator": 302}),
    ("/staff/borrowers/{b}/card/lost/", {}, {**OWN_BORROWER, "desk": 302, "coordinator": 302, "administrator": 302}),
    ("/staff/borrowers/{b}/card/stolen/", {}, {**OWN_BORROWER, "desk": 302, "coordinator": 302, "administrator": 302}),
    ("/staff/borrowers/{b}/card/new/", {"number": "B0000000099", "confirm": "1"}, {**OWN_BORROWER, "desk": 302, "coordinator": 302, "administrator": 302}),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    # Five accounts per case: a slow password hash would cost minutes over the table.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _override(instance):
    return NoticeTemplate.objects.create(
        instance=instance,
        kind="AE",
        language="nl",
        subject="Gesloten",
        body_text="Gesloten.",
        valid_from=date(2026, 12, 20),
        valid_until=date(2027, 1, 3),
        updated_at=timezone.now(),
        updated_by="test",
    )


@pytest.fixture
def world():
    # GENT and LOCH share borrowers (one cooperation group, as in the demo); BRUGGE not.
    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent, brugge = make_instance("GENT", group=group), make_instance("BRUGGE")
    loch = make_instance("LOCH", group=group)
    borrower = make_borrower(gent, card="B0000000001")
    volw = make_type(gent)
    loch_type = make_type(loch)
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
    override = _override(gent)
    terminal = Terminal.objects.create(
        login="kiosk-gent", password_hash="!", instance=gent, created_at=timezone.now()
    )
    users["root"] = User.objects.create_superuser("root", password="x" * 12)
    loch_desk = make_staff("balie-loch", loch)
    loch_terminal = Terminal.objects.create(
        login="kiosk-loch", password_hash="!", instance=loch, created_at=timezone.now()
    )
    letter_batch = LetterBatch.objects.create(
        day=date(2026, 4, 10), letters=1, created_at=timezone.now(), created_by="test"
    )
    note = Note.objects.create(
        borrower=borrower, text="Belt liever", written_at=timezone.now(), written_by="staff:desk"
    )
    letter = make_message(borrower, date(2026, 4, 10), channel="letter", status="queued")
    Message.objects.filter(pk=letter.pk).update(letter_batch=letter_batch)
    # An ending of the borrower, undone already, so it changes nothing in the other rows.
    ending = MembershipEnding.objects.create(
        borrower=borrower,
        reason="moved",
        effective=date(2026, 4, 1),
        ended_on=date(2026, 4, 1),
        ended_at=timezone.now(),
        ended_by="test",
        reversed_at=timezone.now(),
        reversed_by="test",
    )
    return {
        "b": borrower.pk, "p": posting.pk, "users": users, "set": borrower_set.pk,
        "ending": ending.pk,
        "override": override.pk, "terminal": terminal.pk,
        "account": users["desk"].staff_account.pk, "letter_batch": letter_batch.pk,
        "n": note.pk,
        "type": volw.pk,
        # per library, for the manage table
        "GENT": {"override": override.pk, "terminal": terminal.pk,
                 "account": users["desk"].staff_account.pk, "type": volw.pk},
        "LOCH": {"override": _override(loch).pk, "terminal": loch_terminal.pk,
                 "account": loch_desk.staff_account.pk, "type": loch_type.pk},
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


def test_a_superuser_is_an_administrator_of_every_library(world):
    client = client_for(world, "root")
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


# --- the manage scope: every manage URL × role × library ---------------------------------
#
# (url name, method, path, form data, role needed, status when allowed). {code} is GENT
# (the visitors' own library) or LOCH (same cooperation group); {override}, {terminal} and
# {account} are that library's. Allowed: the role is high enough and the library is one's
# own (a superuser: any). Otherwise 403 for a role too low, and for LOCH 404, or 403 where
# the library is not in the URL but in the form (an account given access to LOCH).


def _settings_form(code: str) -> dict:
    from django import forms

    from lidgeld.staffweb.forms import InstanceSettingsForm

    instance = Instance.objects.get(code=code)
    data: dict = {}
    for name, field in InstanceSettingsForm.base_fields.items():
        value = getattr(instance, name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    return data | {"name": "Overgenomen", "iban": "BE71096123456769"}


def _limits_form(code: str) -> dict:
    from lidgeld.memberships.models import MembershipType

    return {f"type-{MembershipType.objects.get(instance__code=code).pk}-max_age": "17"}


KIOSK = {"login": "kiosk-nieuw", "password": "kiosk-geheim-1", "location": "", "charset": "utf-8"}
TEXT = {"subject": "Overgenomen", "body_text": "Overgenomen."}
ADMIN, COORD = "administrator", "coordinator"
MANAGE_TABLE = [
    ("settings", "get", "/staff/settings/?instance={code}", None, ADMIN, 200),
    ("settings-save", "post", "/staff/settings/{code}/", _settings_form, ADMIN, 302),
    ("settings-terminals", "get", "/staff/settings/terminals/?instance={code}", None, ADMIN, 200),
    ("settings-terminal-add", "post", "/staff/settings/{code}/terminals/add", KIOSK, ADMIN, 302),
    ("settings-terminal-disable", "post", "/staff/settings/terminals/{terminal}/disable", {}, ADMIN, 302),
    ("settings-terminal-enable", "post", "/staff/settings/terminals/{terminal}/enable", {}, ADMIN, 302),
    ("settings-terminal-password", "post", "/staff/settings/terminals/{terminal}/password",
     {"password": "kiosk-geheim-2"}, ADMIN, 302),
    ("settings-terminal-terminator", "post", "/staff/settings/terminals/{terminal}/terminator",
     {"terminator": "crlf"}, ADMIN, 302),
    ("settings-types", "get", "/staff/settings/types/?instance={code}", None, ADMIN, 200),
    ("settings-type-limits", "post", "/staff/settings/types/{type}/limits", _limits_form, ADMIN,
     302),
    ("templates", "get", "/staff/templates/?instance={code}", None, COORD, 200),
    ("templates-kinds", "post", "/staff/templates/{code}/kinds", {}, COORD, 302),
    ("templates-preview", "post", "/staff/templates/{code}/preview/nl", TEXT, COORD, 200),
    ("templates-edit", "get", "/staff/templates/{code}/AE/nl/", None, COORD, 200),
    ("templates-edit", "post", "/staff/templates/{code}/AE/nl/", TEXT, COORD, 302),
    ("templates-override", "get", "/staff/templates/overrides/{override}/", None, COORD, 200),
    ("templates-override", "post", "/staff/templates/overrides/{override}/", TEXT, COORD, 302),
    ("templates-override-delete", "post", "/staff/templates/overrides/{override}/delete", {},
     COORD, 302),
    ("settings-account-add", "post", "/staff/settings/accounts/add",
     lambda code: {"username": "nieuw-beheer", "password": "een-lang-wachtwoord-1",
                   "role": "administrator", "instances": [code]}, ADMIN, 302),
    ("settings-account", "get", "/staff/settings/accounts/{account}/", None, ADMIN, 200),
    ("settings-account", "post", "/staff/settings/accounts/{account}/",
     lambda code: {"role": "coordinator", "instances": [code], "active": "on"}, ADMIN, 302),
    ("settings-account-password", "post", "/staff/settings/accounts/{account}/password",
     {"password": "een-nieuw-wachtwoord-1"}, ADMIN, 302),
]  # fmt: skip
MANAGE_VISITORS = (*VISITORS, "root")


def manage_expected(visitor: str, needed: str, code: str, allowed: int, path: str) -> int:
    if visitor == "anonymous":
        return 302
    if visitor == "root":
        return allowed
    role = {"desk": "desk", "other_desk": "desk"}.get(visitor, visitor)
    if not {"desk": 1, "coordinator": 2, "administrator": 3}[role] >= {COORD: 2, ADMIN: 3}[needed]:
        return 403
    if code == "GENT":
        return allowed
    return 404 if "{" in path else 403  # the library named in the URL, or only in the form


def manage_cases():
    for name, method, path, data, needed, allowed in MANAGE_TABLE:
        for code in ("GENT", "LOCH"):
            for visitor in MANAGE_VISITORS:
                status = manage_expected(visitor, needed, code, allowed, path)
                yield pytest.param(
                    method, path, data, code, visitor, status,
                    id=f"{method.upper()} {name}-{code}-{visitor}",
                )  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "data", "code", "visitor", "status"), list(manage_cases())
)
def test_manage(world, method, path, data, code, visitor, status):
    # given a visitor of GENT (or a superuser), when they manage GENT's or LOCH's ...
    url = path.format(code=code, **world[code])
    form = data(code) if callable(data) else data
    client = client_for(world, visitor)
    before = AuditEvent.objects.count()
    response = client.get(url) if method == "get" else client.post(url, form)
    # then only their own library's administration is within reach
    assert response.status_code == status, response.content.decode()[:400]
    if method == "post" and status in (403, 404):
        assert AuditEvent.objects.count() == before  # and a refusal changes nothing
    if method == "post" and status == 302 and visitor != "anonymous":
        assert AuditEvent.objects.count() > before or "enable" in url


def test_manage_table_holds_every_manage_url():
    manage_names = {
        name for name, _path, expected in GET_TABLE
        if name.startswith(("settings", "templates")) and name != "settings-accounts"
    }  # fmt: skip
    assert manage_names == {name for name, *_rest in MANAGE_TABLE}


def test_manage_pages_offer_only_ones_own_libraries(world):
    """The library choice, the account list and the account form show GENT, not LOCH,
    to GENT's administrator; the pages that serve borrowers still offer LOCH."""
    admin = client_for(world, "administrator")
    for url in ("/staff/settings/", "/staff/settings/terminals/", "/staff/templates/",
                "/staff/settings/accounts/"):  # fmt: skip
        page = admin.get(url).content.decode()
        assert "LOCH" not in page, url
        assert "balie-loch" not in page, url
        assert "kiosk-loch" not in page, url
    assert 'value="LOCH"' in admin.get("/staff/reports/").content.decode()
    root = client_for(world, "root")
    assert 'value="LOCH"' in root.get("/staff/settings/").content.decode()


def test_a_gent_administrator_cannot_make_an_administrator_for_loch(world):
    admin = client_for(world, "administrator")
    response = admin.post(
        "/staff/settings/accounts/add",
        {"username": "beheer-loch-2", "password": "een-lang-wachtwoord-1",
         "role": "administrator", "instances": ["LOCH"]},
    )  # fmt: skip
    assert response.status_code == 403
    assert "geen toegang geven tot LOCH" in response.content.decode()
    assert not User.objects.filter(username="beheer-loch-2").exists()
