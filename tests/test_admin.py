"""The Django admin as the read-mostly back office: every model visible, nothing
editable by hand, and the few changes staff make go through services as actions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower, Note
from lidgeld.circulation.models import Loan, ReservationStatus
from lidgeld.finance.models import (
    BankTransaction,
    Payment,
    PaymentRequest,
    Posting,
    PostingStatus,
    WriteOff,
)
from lidgeld.kiosks.models import KioskPayment, Terminal
from lidgeld.libraries.models import CooperationGroup
from lidgeld.lifecycle.models import JobLock, JobRun
from lidgeld.memberships.models import Membership, MembershipEnding
from lidgeld.notices.models import LetterBatch, Message, NoticeTemplate
from lidgeld.selections.models import BorrowerSet, BorrowerSetMember, SavedSelection
from lidgeld.staff.models import StaffAccount
from lidgeld.web.models import LoginFailure
from tests.factories import (
    make_borrower,
    make_instance,
    make_item,
    make_membership,
    make_open_fee,
    make_reservation,
    make_type,
)

pytestmark = pytest.mark.django_db

LIDGELD_MODEL_ADMINS = [
    (model, model_admin)
    for model, model_admin in admin.site._registry.items()
    if model.__module__.startswith("lidgeld.")
]
# Edited here, through the service that checks and audits them.
EDITABLE_MODELS = {NoticeTemplate, Terminal}
READ_ONLY_MODEL_ADMINS = [(m, a) for m, a in LIDGELD_MODEL_ADMINS if m not in EDITABLE_MODELS]


def _aware(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def build_world(code: str = "GENT"):
    """One row of every registered model, linked the way the daily run leaves them."""
    group = CooperationGroup.objects.create(code=f"G-{code}", name=f"Samenwerking {code}")
    instance = make_instance(code, group=group)
    volw = make_type(instance)
    borrower = make_borrower(instance, first_name="An", last_name=f"Peeters{code}")
    Note.objects.create(
        borrower=borrower,
        text="Komt op dinsdag",
        written_at=_aware(date(2026, 3, 2)),
        written_by="staff:x",
    )
    ended = make_membership(borrower, volw, date(2025, 4, 1))  # ends 31/03/2026
    open_fee = make_open_fee(ended, booked_on=date(2025, 9, 1), stage="unpaid")
    paid = Posting.objects.create(
        borrower=borrower,
        instance=instance,
        membership=ended,
        booking_code=1001,
        amount=Decimal("12.00"),
        balance=Decimal("0.00"),
        booked_on=date(2025, 3, 1),
        status=PostingStatus.PAID,
        closed_on=date(2025, 3, 2),
    )
    Payment.objects.create(
        posting=paid, amount=Decimal("12.00"), paid_on=date(2025, 3, 2), recorded_by="staff:x"
    )
    gone = Posting.objects.create(
        borrower=borrower,
        instance=instance,
        booking_code=1001,
        amount=Decimal("5.00"),
        balance=Decimal("0.00"),
        booked_on=date(2024, 3, 1),
        status=PostingStatus.WRITTEN_OFF,
        stage="written_off",
        closed_on=date(2024, 11, 1),
    )
    PaymentRequest.objects.create(
        channel="desk",
        key=f"form-{code}",
        purpose="payment",
        borrower=borrower,
        asked={"amount": "12.00"},
        outcome={"paid": "12.00", "still_open": "0.00", "items": []},
        made_on=date(2025, 3, 2),
    )
    WriteOff.objects.create(
        posting=gone,
        amount=Decimal("5.00"),
        written_off_on=date(2024, 11, 1),
        reason="oninbaar",
        recorded_by="job:tick",
    )
    item = make_item(instance, title=f"De Avonden {code}")
    Loan.objects.create(
        item=item, borrower=borrower, out_on=date(2026, 3, 1), due_on=date(2026, 3, 29)
    )
    make_reservation(borrower, item, date(2026, 3, 20), status=ReservationStatus.HELD)
    at = timezone.make_aware(datetime(2026, 3, 2, 10, 0))
    MembershipEnding.objects.create(  # undone, so it changes nothing else here
        borrower=borrower, reason="moved", effective=date(2026, 3, 2), ended_on=date(2026, 3, 2),
        ended_at=at, ended_by="staff:x", reversed_at=at, reversed_by="staff:x",
    )  # fmt: skip
    Message.objects.create(
        borrower=borrower,
        instance=instance,
        membership=ended,
        type="C",
        kind="AE",
        date=date(2026, 3, 1),
        channel="email",
        status="sent",
        to_address=borrower.email,
        subject=f"Je lidmaatschap loopt af {code}",
        body="Beste lener, …",
        created_at=_aware(date(2026, 3, 1)),
        sent_at=_aware(date(2026, 3, 1), 10),
    )
    printed = LetterBatch.objects.create(
        day=date(2026, 3, 1), letters=1, created_at=_aware(date(2026, 3, 1)), created_by="x",
        printed_at=_aware(date(2026, 3, 1), 11), printed_by="staff:x",
    )  # fmt: skip
    Message.objects.create(
        borrower=borrower, instance=instance, membership=ended, type="C", kind="VL",
        date=date(2026, 3, 1), channel="letter", status="sent", letter_batch=printed,
        created_at=_aware(date(2026, 3, 1)), sent_at=_aware(date(2026, 3, 1), 11),
    )  # fmt: skip
    AuditEvent.objects.create(
        at=_aware(date(2026, 4, 1)),
        business_date=date(2026, 4, 1),
        actor="job:tick",
        action="membership.ended",
        object_type="membership",
        object_id=ended.pk,
        borrower=borrower,
        instance=instance,
        before={"status": "active"},
        after={"status": "ended"},
    )
    JobRun.objects.create(
        instance=instance,
        step="expire",
        day=date(2026, 4, 1),
        run_on=date(2026, 4, 1),
        rows=1,
        started_at=_aware(date(2026, 4, 1), 2),
        finished_at=_aware(date(2026, 4, 1), 3),
    )
    JobLock.objects.create(
        name=f"tick-{code}",
        holder="host:1",
        acquired_at=_aware(date(2026, 4, 1), 2),
        expires_at=_aware(date(2026, 4, 1), 4),
    )
    BankTransaction.objects.create(
        transaction_id=f"TX-{code}",
        statement_id=f"STMT-{code}",
        booked_on=date(2026, 4, 2),
        amount=Decimal("12.00"),
        reference="+++000/0000/00101+++",
        outcome="unmatched",
        reason="no such item",
        imported_at=_aware(date(2026, 4, 2)),
    )
    kiosk = Terminal.objects.create(
        login=f"kiosk-{code.lower()}",
        password_hash="!",
        instance=instance,
        location="hal",
        created_at=_aware(date(2026, 4, 1)),
    )
    KioskPayment.objects.create(
        terminal=kiosk,
        transaction_id=f"BK-{code}",
        card_number=borrower.card_number,
        amount=Decimal("12.00"),
        answer={"fixed": {"payment_accepted": "Y"}, "fields": []},
        created_at=_aware(date(2026, 4, 1)),
    )
    NoticeTemplate.objects.create(
        instance=instance,
        kind="AE",
        language="nl",
        subject=f"Je lidmaatschap {code}",
        body_text="Beste {{ first_name }},",
        updated_at=_aware(date(2026, 4, 1)),
        updated_by="staff:x",
    )
    Group.objects.create(name=f"balie {code}")
    desk_user = User.objects.create_user(f"balie-{code.lower()}", is_staff=True)
    StaffAccount.objects.create(user=desk_user, role="desk").instances.set([instance])
    saved = SavedSelection.objects.create(
        name=f"CAE {code}",
        owner=desk_user.username,
        rule="B.date = 2026-03-01 AND B.kind = CAE",
        created_at=_aware(date(2026, 4, 1)),
        updated_at=_aware(date(2026, 4, 1)),
    )
    borrower_set = BorrowerSet.objects.create(
        owner=desk_user.username,
        origin="selection",
        rule=saved.rule,
        saved_selection=saved,
        instance_ids=[instance.pk],
        size=1,
        created_at=_aware(date(2026, 4, 1)),
        expires_on=date(2026, 4, 8),
    )
    BorrowerSetMember.objects.create(borrower_set=borrower_set, borrower=borrower)
    LoginFailure.objects.create(key=f"user:{code.lower()}", at=_aware(date(2026, 4, 1)))
    return borrower, open_fee


# -- every model is there, to read -------------------------------------------------------


def test_every_lidgeld_model_is_registered():
    from django.apps import apps

    registered = {model for model, _ in LIDGELD_MODEL_ADMINS}
    lidgeld_models = {
        model for model in apps.get_models() if model.__module__.startswith("lidgeld.")
    }
    assert lidgeld_models == registered


def test_every_changelist_shows_its_rows_without_n_plus_one(admin_client):
    build_world("GENT")
    queries_with_one_world = {}
    for model, _ in admin.site._registry.items():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(_url(model, "changelist"))
        assert response.status_code == 200, model
        assert response.context["cl"].result_count >= 1, model
        queries_with_one_world[model] = len(queries)

    build_world("BRUG")
    for model, _ in admin.site._registry.items():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(_url(model, "changelist"))
        assert response.status_code == 200, model
        assert response.context["cl"].result_count >= 2, model
        # More rows, same number of queries: list_select_related does its work.
        assert len(queries) == queries_with_one_world[model], model
        # The filter sidebar with counts ("Aantallen tonen") works too.
        assert admin_client.get(_url(model, "changelist"), {"_facets": "1"}).status_code == 200


def test_changelist_search_and_filters(admin_client):
    borrower, _ = build_world("GENT")
    build_world("BRUG")
    card = borrower.card_number

    def count(model, **params) -> int:
        response = admin_client.get(_url(model, "changelist"), params)
        assert response.status_code == 200, (model, params)
        return response.context["cl"].result_count

    assert count(Borrower, q=card) == 1
    assert count(Borrower, q="PeetersBRUG") == 1
    assert count(Borrower, q="lener@example.be") == 2
    assert count(Membership, q=card) == 1
    assert count(Posting, q=card) == 3
    assert count(Borrower, situation="expiring") == 0
    assert count(Borrower, situation="not_covered") == 2
    assert count(Borrower, situation="fee_open") == 2
    response = admin_client.get(_url(Borrower, "changelist"))
    assert "€ 12,00" in response.content.decode()


def test_every_change_page_is_read_only(admin_client):
    build_world()
    for model, _ in READ_ONLY_MODEL_ADMINS:
        obj = model._default_manager.first()
        url = _url(model, "change", obj.pk)
        response = admin_client.get(url)
        assert response.status_code == 200, model
        assert 'name="_save"' not in response.content.decode(), model
        assert admin_client.post(url, {}).status_code == 403, model


def test_add_and_delete_are_forbidden(admin_client):
    borrower, _ = build_world()
    for model, _ in READ_ONLY_MODEL_ADMINS:
        assert admin_client.get(_url(model, "add")).status_code == 403, model
    assert admin_client.get(_url(Borrower, "delete", borrower.pk)).status_code == 403
    response = admin_client.get(_url(Borrower, "changelist"))
    assert "delete_selected" not in response.content.decode()


# -- the back office reads in Dutch ------------------------------------------------------

LIDGELD_MODELS = [
    model
    for config in apps.get_app_configs()
    if config.name.startswith("lidgeld.")
    for model in config.get_models()
]


def _named_fields(model) -> list:
    # The automatic id is Django's own "ID", the same in every language.
    own = (*model._meta.local_fields, *model._meta.local_many_to_many)
    return [field for field in own if not field.auto_created]


def test_every_model_and_field_has_a_translated_name():
    # Given every model of the lidgeld apps
    assert len(LIDGELD_MODELS) >= 26
    unnamed: list[str] = []
    for model in LIDGELD_MODELS:
        label = model._meta.label
        # then its name and plural are marked for translation, not made from the class
        # name (Django's fallback is a plain English str, or a lazy "<name>s")
        for option in ("verbose_name", "verbose_name_plural"):
            if not isinstance(model._meta.original_attrs.get(option), Promise):
                unnamed.append(f"{label}: Meta.{option}")
        # and so is the name of every field a person sees
        unnamed += [
            f"{label}.{field.name}"
            for field in _named_fields(model)
            if not isinstance(field.verbose_name, Promise)
        ]
        # and the name reads in Dutch, not in the English of the msgid
        with translation.override("nl"):
            dutch = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
        with translation.override("en"):
            english = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
        if dutch[0] == english[0] or dutch[1] == english[1]:
            unnamed.append(f"{label}: no Dutch name ({english[0]})")
    assert not unnamed, "names not translated:\n  " + "\n  ".join(unnamed)


def test_the_borrower_list_names_its_columns_in_dutch(admin_client):
    # Given a borrower
    build_world()
    # When the back office lists the borrowers
    page = admin_client.get(_url(Borrower, "changelist")).content.decode()
    # Then the title and the column headers are Dutch, not the English field names
    assert "<h1>Selecteer lener om te bekijken</h1>" in page
    for header in ("Kaartnummer", "Familienaam", "Voornaam", "E-mailadres", "Thuisbibliotheek"):
        assert f">{header}</a>" in page, header
    for english in ("Card number", "Home instance", "Home library", "Borrower"):
        assert english not in page, english


def test_the_notice_text_add_page_is_dutch(admin_client):
    # Given a library
    build_world()
    # When staff open the page to add a notice text
    page = admin_client.get(_url(NoticeTemplate, "add")).content.decode()
    # Then its title and its labels are Dutch
    assert "<h1>berichttekst toevoegen</h1>" in page
    for label in ("Instantie", "Berichtsoort", "Taal", "Onderwerp", "Tekst", "Eerste dag"):
        assert f">{label}:</label>" in page, label
    assert "notice template" not in page.lower()
    assert "Valid from" not in page


def test_the_index_lists_every_model_by_its_dutch_plural(admin_client):
    # When staff open the back office
    page = admin_client.get(reverse("admin:index")).content.decode()
    # Then every lidgeld model is listed under its Dutch plural
    with translation.override("nl"):
        names = [capfirst(str(model._meta.verbose_name_plural)) for model in LIDGELD_MODELS]
    assert not [name for name in names if f">{name}</a>" not in page], names
    for name in ("Leners", "Lidmaatschappen", "Berichtteksten", "Zelfuitleentoestellen"):
        assert f">{name}</a>" in page, name


# -- the borrower's page -----------------------------------------------------------------


def test_borrower_page_shows_situation_blocks_and_history(admin_client):
    borrower, _ = build_world()
    response = admin_client.get(_url(Borrower, "change", borrower.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Situatie vandaag" in page
    assert "Op 10/04/2026" in page  # the fixed clock
    assert "verlopen (laatste einddatum 31/03/2026)" in page
    assert "€ 12,00 open, stadium: niet betaald" in page
    for channel in ("balie", "zelfuitleentoestel", "Mijn Bibliotheek"):
        assert channel in page
    assert "geblokkeerd" in page
    assert "Je lidmaatschap is afgelopen op 31/03/2026" in page
    assert "aangehouden, plaats 1 in de wachtrij" in page
    # The inlines: memberships, postings, messages, reservations, all read-only.
    assert "Je lidmaatschap loopt af GENT" in page
    assert "De Avonden GENT" in page
    assert "oninbaar" not in page  # write-off reasons live on the posting page
    assert 'name="memberships-0-start"' not in page


# -- renewal -----------------------------------------------------------------------------


def _expired_borrower():
    instance = make_instance("GENT")
    volw = make_type(instance)
    borrower = make_borrower(instance)
    make_membership(borrower, volw, date(2025, 4, 1))  # ends 31/03/2026
    return borrower


def _act(client: Client, model, action: str, pks, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], "index": "0"}
    data.update(extra)
    return client.post(_url(model, "changelist"), data, follow=True)


def test_renew_with_fee_open_then_again_refuses(admin_client):
    borrower = _expired_borrower()
    response = _act(admin_client, Borrower, "renew_unpaid", [borrower.pk])
    assert response.status_code == 200
    texts = _messages(response)
    assert texts == [
        f"{borrower.card_number}: verlengd van 10/04/2026 tot 30/04/2027, lidgeld € 12,00 open."
    ]
    renewed = Membership.objects.get(borrower=borrower, start=date(2026, 4, 10))
    assert renewed.end == date(2027, 4, 30)  # R1: starts today, ends at a month end
    posting = Posting.objects.get(membership=renewed)
    assert posting.status == PostingStatus.OPEN
    assert posting.balance == Decimal("12.00")
    assert AuditEvent.objects.filter(action="membership.renewed", actor="staff:admin").exists()

    response = _act(admin_client, Borrower, "renew_paid", [borrower.pk])
    [text] = _messages(response)
    assert "niet verlengd" in text
    assert "already renewed" in text
    assert Membership.objects.filter(borrower=borrower).count() == 2
    assert Posting.objects.filter(borrower=borrower).count() == 1


def test_renew_paid_books_the_fee_paid(admin_client):
    borrower = _expired_borrower()
    response = _act(admin_client, Borrower, "renew_paid", [borrower.pk])
    assert "lidgeld € 12,00 betaald" in _messages(response)[0]
    assert Posting.objects.get(borrower=borrower).status == PostingStatus.PAID


def test_actions_need_the_permission_to_act(client):
    borrower = _expired_borrower()
    clerk = User.objects.create_user("kijker", password="geheim-123", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_borrower"))
    client.force_login(clerk)
    response = client.get(_url(Borrower, "changelist"))
    assert response.status_code == 200
    assert "renew_paid" not in response.content.decode()
    _act(client, Borrower, "renew_paid", [borrower.pk])
    assert Membership.objects.filter(borrower=borrower).count() == 1


# -- payment -----------------------------------------------------------------------------


def _borrower_with_open_fee():
    instance = make_instance("GENT")
    volw = make_type(instance)
    borrower = make_borrower(instance)
    current = make_membership(borrower, volw, date(2026, 4, 1))
    fee = make_open_fee(current, booked_on=date(2026, 4, 1))
    return borrower, fee


def test_payment_action_shows_a_form_then_pays_in_full(admin_client):
    borrower, fee = _borrower_with_open_fee()
    response = _act(admin_client, Borrower, "register_payment", [borrower.pk])
    assert response.status_code == 200
    assert response.templates[0].name == "admin/borrowers/borrower/payment_register.html"
    page = response.content.decode()
    assert 'value="12,00"' in page
    assert borrower.card_number in page

    data = {
        "action": "register_payment",
        ACTION_CHECKBOX_NAME: [str(borrower.pk)],
        "apply": "1",
        "amount": "12,00",
    }
    response = admin_client.post(_url(Borrower, "changelist"), data, follow=True)
    assert response.redirect_chain
    assert _messages(response) == [
        f"{borrower.card_number}: betaling van € 12,00 geregistreerd; "
        "het lidgeld is volledig betaald."
    ]
    fee.refresh_from_db()
    assert fee.status == PostingStatus.PAID
    assert fee.balance == Decimal("0.00")
    assert Payment.objects.get(posting=fee).recorded_by == "staff:admin"


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("abc", "'abc' is geen bedrag; schrijf euro's met de cijfers 0-9"),
        ("20,00", "€ 20,00 is meer dan het openstaande lidgeld van € 12,00"),
    ],
)
def test_payment_errors_are_shown_and_change_nothing(admin_client, amount, error):
    borrower, fee = _borrower_with_open_fee()
    audit_before = AuditEvent.objects.count()
    data = {
        "action": "register_payment",
        ACTION_CHECKBOX_NAME: [str(borrower.pk)],
        "apply": "1",
        "amount": amount,
    }
    response = admin_client.post(_url(Borrower, "changelist"), data)
    assert response.status_code == 200  # the form again, with the error on top
    [text] = _messages(response)
    assert error in text
    assert response.context["messages"]._loaded_messages[0].level_tag == "error"
    fee.refresh_from_db()
    assert fee.status == PostingStatus.OPEN
    assert fee.balance == Decimal("12.00")
    assert not Payment.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_payment_refuses_more_than_one_borrower(admin_client):
    borrower, _ = _borrower_with_open_fee()
    other = make_borrower(borrower.home_instance)
    response = _act(admin_client, Borrower, "register_payment", [borrower.pk, other.pk])
    assert _messages(response) == ["Kies precies één lener om een betaling te registreren."]
    assert not Payment.objects.exists()


# -- write-off ---------------------------------------------------------------------------


def test_write_off_action(admin_client):
    _, fee = _borrower_with_open_fee()
    response = _act(admin_client, Posting, "write_off", [fee.pk])
    assert _messages(response) == [f"{fee.borrower.card_number}, 1001 € 12.00: € 12.00 afgeboekt"]
    fee.refresh_from_db()
    assert fee.status == PostingStatus.WRITTEN_OFF
    assert fee.balance == Decimal("0.00")
    write_off = WriteOff.objects.get(posting=fee)
    assert write_off.reason == "afgeboekt door admin"
    assert write_off.recorded_by == "staff:admin"

    response = _act(admin_client, Posting, "write_off", [fee.pk])
    [text] = _messages(response)
    assert "alleen openstaande posten kunnen afgeboekt worden" in text
    assert WriteOff.objects.count() == 1


# -- notice texts ------------------------------------------------------------------------


def test_a_notice_text_is_checked_and_audited_when_saved(admin_client):
    _, open_fee = build_world()
    form = {
        "instance": open_fee.instance_id,
        "kind": "HR",
        "language": "nl",
        "subject": "Herinnering",
        "body_text": "Beste {{ voornaam }},",
        "body_html": "",
        "valid_from": "",
        "valid_until": "",
    }
    response = admin_client.post(_url(NoticeTemplate, "add"), form)
    assert response.status_code == 200
    assert "onbekende placeholder &#x27;voornaam&#x27;" in response.content.decode()
    assert not NoticeTemplate.objects.filter(kind="HR").exists()

    form["body_text"] = "Beste {{ first_name }}, betaal € {{ open_amount }}."
    response = admin_client.post(_url(NoticeTemplate, "add"), form)
    assert response.status_code == 302
    saved = NoticeTemplate.objects.get(kind="HR")
    assert saved.updated_by == "staff:admin"
    assert AuditEvent.objects.filter(action="notice_template.saved", object_id=saved.pk).exists()


def test_a_kiosk_account_is_added_with_a_hashed_password(admin_client):
    from django.contrib.auth.hashers import check_password

    _, open_fee = build_world()
    form = {"login": "kiosk 2", "password": "geheim123", "instance": open_fee.instance_id,
            "location": "hal", "charset": "cp850"}  # fmt: skip
    response = admin_client.post(_url(Terminal, "add"), form)
    assert response.status_code == 200
    assert "login &#x27;kiosk 2&#x27; bestaat uit 1 tot 60 letters" in response.content.decode()
    assert not Terminal.objects.filter(location="hal", charset="cp850").exists()

    form["login"] = "kiosk-2"
    assert admin_client.post(_url(Terminal, "add"), form).status_code == 302
    terminal = Terminal.objects.get(login="kiosk-2")
    assert check_password("geheim123", terminal.password_hash)
    assert "geheim123" not in str(AuditEvent.objects.get(action="terminal.added").after)
    page = admin_client.get(_url(Terminal, "change", terminal.pk)).content.decode()
    assert terminal.password_hash not in page
