"""Renew (paid / open) after a confirmation, register a payment, write off: each through
its service, audited, and a mistake changes nothing."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from lidgeld.audit.models import AuditEvent
from lidgeld.clock import FixedClock, set_clock
from lidgeld.finance.models import Payment, Posting, PostingStatus, WriteOff
from lidgeld.memberships.models import Membership
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_open_fee,
    make_staff,
    make_type,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def gent():
    return make_instance("GENT")


@pytest.fixture
def an(gent):
    """Her membership ends on 30 April 2026; it is 10 April."""
    borrower = make_borrower(gent, card="B0000000001")
    make_membership(borrower, make_type(gent), date(2025, 5, 1))
    return borrower


@pytest.fixture
def desk(client, gent):
    client.force_login(make_staff("balie-gent", gent))
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def coordinator(gent):
    client = Client()
    client.force_login(make_staff("coordinator-gent", gent, role="coordinator"))
    client.cookies["django_language"] = "en"
    return client


def flash(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def form_key(page) -> str:
    """The one-time key a form that pays carries (issue 11, item 11)."""
    found = re.search(r'name="key" value="([^"]+)"', page.content.decode())
    assert found is not None, "the form has no one-time key"
    return found.group(1)


def pay(client, borrower, amount: str):
    """Fill in and send the payment form of the borrower page, as a browser does."""
    key = form_key(client.get(f"/staff/borrowers/{borrower.pk}/"))
    return client.post(
        f"/staff/borrowers/{borrower.pk}/payment/", {"amount": amount, "key": key}, follow=True
    )


def test_the_desk_renews_and_registers_a_payment_in_dutch_by_default(gent, an):
    client = Client()  # no language chosen: the staff pages speak Dutch
    client.force_login(make_staff("balie-nl", gent))
    page = client.get(f"/staff/borrowers/{an.pk}/renew/open/").content.decode()
    assert "<h1>Verlengen — lidgeld openstaand</h1>" in page
    assert "€ 12,00, blijft openstaan" in page
    assert "weigeren de zelfuitleentoestellen uitleningen" in page
    assert "Verlenging bevestigen</button>" in page
    response = client.post(f"/staff/borrowers/{an.pk}/renew/open/", follow=True)
    assert flash(response) == [
        "Verlengd van 01/05/2026 tot 30/04/2027; lidgeld € 12,00 openstaand."
    ]
    assert "Je lidgeld van € 12,00 is nog niet betaald." in response.content.decode()
    again = client.post(f"/staff/borrowers/{an.pk}/renew/open/", follow=True)
    assert flash(again) == [
        "Niet verlengd: al verlengd op 10/04/2026; het abonnement loopt tot 30/04/2027."
    ]
    response = pay(client, an, "5")
    assert flash(response) == ["Betaling van € 5,00 geregistreerd; € 7,00 staat nog open."]


def test_the_confirmation_says_what_will_happen_and_changes_nothing(desk, an):
    response = desk.get(f"/staff/borrowers/{an.pk}/renew/open/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "01/05/2026 – 30/04/2027" in page  # contiguous with the current period (R1)
    assert "€ 12,00, left open" in page
    assert "the self-checkout kiosks refuse loans" in page
    assert Membership.objects.filter(borrower=an).count() == 1
    assert "€ 12,00, paid now" in desk.get(f"/staff/borrowers/{an.pk}/renew/paid/").content.decode()


def test_renew_with_the_fee_paid(desk, an):
    response = desk.post(f"/staff/borrowers/{an.pk}/renew/paid/", follow=True)
    assert response.redirect_chain == [(f"/staff/borrowers/{an.pk}/", 302)]
    assert flash(response) == ["Renewed from 01/05/2026 until 30/04/2027; fee € 12,00 paid."]
    renewal = Membership.objects.filter(borrower=an).latest("start")
    assert (renewal.start, renewal.end, renewal.origin) == (
        date(2026, 5, 1),
        date(2027, 4, 30),
        "desk",
    )
    assert Posting.objects.get(membership=renewal).status == PostingStatus.PAID
    assert AuditEvent.objects.filter(action="membership.renewed", actor="staff:balie-gent").exists()
    assert 'class="desk-block allowed" id="block-kiosk"' in response.content.decode()


def test_renew_with_the_fee_open_blocks_the_kiosk_with_its_reason(desk, an):
    response = desk.post(f"/staff/borrowers/{an.pk}/renew/open/", follow=True)
    assert flash(response) == ["Renewed from 01/05/2026 until 30/04/2027; fee € 12,00 open."]
    page = response.content.decode()
    assert 'class="desk-block blocked" id="block-kiosk" data-reason="fee_open"' in page
    assert "Your membership fee of € 12.00 is not paid yet." in page
    assert Posting.objects.get(borrower=an).balance == Decimal("12.00")


def test_a_second_click_renews_once(desk, an):
    desk.post(f"/staff/borrowers/{an.pk}/renew/open/", follow=True)
    again = desk.post(f"/staff/borrowers/{an.pk}/renew/open/", follow=True)
    assert flash(again) == [
        "Not renewed: already renewed on 10/04/2026; the membership runs until 30/04/2027."
    ]
    assert Membership.objects.filter(borrower=an).count() == 2
    assert Posting.objects.filter(borrower=an).count() == 1
    page = desk.get(f"/staff/borrowers/{an.pk}/renew/paid/").content.decode()
    assert "Already renewed on 10/04/2026" in page
    assert "Confirm renewal" not in page


def test_a_borrower_without_membership_cannot_be_renewed_here(desk, gent):
    nobody = make_borrower(gent)
    assert (
        "no membership to renew yet"
        in desk.get(f"/staff/borrowers/{nobody.pk}/renew/paid/").content.decode()
    )
    response = desk.post(f"/staff/borrowers/{nobody.pk}/renew/paid/", follow=True)
    assert "has no membership yet" in flash(response)[0]
    assert not Membership.objects.filter(borrower=nobody).exists()


@pytest.fixture
def owing(an):
    renewal = make_membership(an, an.memberships.get().type, date(2026, 5, 1))
    return make_open_fee(renewal, date(2026, 4, 10))


def test_register_a_payment_in_belgian_notation(desk, an, owing):
    response = pay(desk, an, "12,00")
    assert flash(response) == ["Payment of € 12,00 registered; the contribution is paid in full."]
    owing.refresh_from_db()
    assert owing.status == PostingStatus.PAID
    assert AuditEvent.objects.filter(action="posting.paid", actor="staff:balie-gent").exists()
    assert 'class="desk-block allowed" id="block-kiosk"' in response.content.decode()


def test_a_part_payment_says_what_is_still_open(desk, an, owing):
    response = pay(desk, an, "5")
    assert flash(response) == ["Payment of € 5,00 registered; € 7,00 is still open."]


@pytest.mark.parametrize(
    ("amount", "says"),
    [
        ("", "is not an amount"),
        ("twaalf", "is not an amount"),
        ("0", "must be more than 0"),
        ("-3", "must be more than 0"),
        ("12,345", "more than two decimals"),
        ("20,00", "more than the open contribution"),
        # issue 11, item 17: Decimal would read these as € 12,00 and € 10,00
        ("١٢", "is not an amount"),
        ("１２", "is not an amount"),
        ("1e1", "is not an amount"),
        ("1000000", "more than the largest amount lidgeld accepts, € 999,999.99"),
    ],
)
def test_a_wrong_amount_is_said_and_nothing_is_paid(desk, an, owing, amount, says):
    response = pay(desk, an, amount)
    (message,) = flash(response)
    assert message.startswith("Payment not registered:")
    assert says in message
    assert not Payment.objects.exists()
    owing.refresh_from_db()
    assert owing.balance == Decimal("12.00")


def test_a_payment_needs_a_post(desk, an, owing):
    assert desk.get(f"/staff/borrowers/{an.pk}/payment/").status_code == 405


def test_a_coordinator_writes_off_with_a_reason(coordinator, an, owing):
    url = f"/staff/borrowers/{an.pk}/items/{owing.pk}/write-off/"
    assert "Why is it written off?" in coordinator.get(url).content.decode()
    response = coordinator.post(url, {"reason": "verhuisd naar het buitenland"}, follow=True)
    assert flash(response) == ["€ 12,00 written off."]
    owing.refresh_from_db()
    assert owing.status == PostingStatus.WRITTEN_OFF
    assert WriteOff.objects.get(posting=owing).recorded_by == "staff:coordinator-gent"
    event = AuditEvent.objects.get(action="posting.written_off")
    assert event.after["reason"] == "verhuisd naar het buitenland"


def test_a_write_off_without_reason_is_refused(coordinator, an, owing):
    response = coordinator.post(f"/staff/borrowers/{an.pk}/items/{owing.pk}/write-off/")
    assert response.status_code == 400
    assert "say why the item is written off" in response.content.decode()
    owing.refresh_from_db()
    assert owing.status == PostingStatus.OPEN


def test_a_closed_item_cannot_be_written_off(coordinator, an, owing):
    url = f"/staff/borrowers/{an.pk}/items/{owing.pk}/write-off/"
    coordinator.post(url, {"reason": "eerste keer"})
    again = coordinator.post(url, {"reason": "tweede keer"})
    assert again.status_code == 400
    assert "only open items can be written off" in again.content.decode()
    assert WriteOff.objects.count() == 1


def test_the_desk_may_not_write_off_even_by_posting(desk, an, owing):
    url = f"/staff/borrowers/{an.pk}/items/{owing.pk}/write-off/"
    assert desk.post(url, {"reason": "probeer"}).status_code == 403
    owing.refresh_from_db()
    assert owing.status == PostingStatus.OPEN


def test_an_item_of_another_borrower_is_not_found(coordinator, gent, an, owing):
    other = make_borrower(gent)
    url = f"/staff/borrowers/{other.pk}/items/{owing.pk}/write-off/"
    assert coordinator.post(url, {"reason": "x"}).status_code == 404


def test_changes_need_the_csrf_token(gent, an, owing):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_staff("balie", gent))
    assert client.post(f"/staff/borrowers/{an.pk}/renew/open/").status_code == 403
    assert client.post(f"/staff/borrowers/{an.pk}/payment/", {"amount": "12"}).status_code == 403
    assert Membership.objects.filter(borrower=an).count() == 2
    assert not Payment.objects.exists()


def test_a_period_registered_today_that_already_ended_is_renewed_from_today(desk, gent):
    """Issue 11, item 12: registered today with a start in the past (ended 28/02/2026):
    not "already renewed on 10/04/2026", the desk renews from today."""
    late = make_borrower(gent)
    make_membership(
        late, make_type(gent, code="JEUGD", kind="free"), date(2025, 3, 1),
        origin="registration", created_on=date(2026, 4, 10),
    )  # fmt: skip
    page = desk.get(f"/staff/borrowers/{late.pk}/renew/open/").content.decode()
    assert "Already renewed" not in page
    assert "10/04/2026 – 30/04/2027" in page

    response = desk.post(f"/staff/borrowers/{late.pk}/renew/open/", follow=True)

    assert flash(response) == ["Renewed from 10/04/2026 until 30/04/2027; no fee."]


# --- "Renew — fee paid" with an older fee still open (issue 11, item 10) ------------------


@pytest.fixture
def an_owes(an):
    """The fee of her current period (booked 1 May 2025) is still open."""
    return make_open_fee(an.memberships.get(), date(2025, 5, 1))


def renew_paid(client, borrower, **data):
    """The "fee paid" confirmation step, then its form sent as shown (or with ``data``)."""
    url = f"/staff/borrowers/{borrower.pk}/renew/paid/"
    confirm = client.get(url)
    form = {"key": form_key(confirm), "amount": "24,00", **data}
    return client.post(url, {k: v for k, v in form.items() if v is not None}, follow=True)


def test_the_confirmation_lists_every_open_contribution_with_the_total(desk, an, an_owes):
    for fee in ("paid", "open"):
        page = desk.get(f"/staff/borrowers/{an.pk}/renew/{fee}/").content.decode()
        assert "What the borrower owes after the renewal" in page
        assert "<td>01/05/2025</td>" in page  # the older fee, still open
        assert "Fee of this renewal" in page
        assert '<td class="num" id="total-owed">€ 24,00</td>' in page
    paid_page = desk.get(f"/staff/borrowers/{an.pk}/renew/paid/").content.decode()
    assert 'name="amount" value="24,00"' in paid_page
    assert "the oldest contribution is paid first" in paid_page


def test_renew_paid_settles_the_older_fee_too_and_the_kiosk_clears(desk, an, an_owes):
    response = renew_paid(desk, an)

    assert flash(response) == [
        "Renewed from 01/05/2026 until 30/04/2027; fee € 12,00 paid. Paid € 24,00, the "
        "oldest contribution first; nothing is open any more."
    ]
    assert not Posting.objects.filter(borrower=an, status=PostingStatus.OPEN).exists()
    assert 'class="desk-block allowed" id="block-kiosk"' in response.content.decode()


def test_renew_paid_without_an_amount_pays_everything_open(desk, an, an_owes):
    renew_paid(desk, an, amount=None)
    assert not Posting.objects.filter(borrower=an, status=PostingStatus.OPEN).exists()


def test_renew_paid_with_less_pays_the_oldest_first_and_says_what_stays_open(desk, an, an_owes):
    response = renew_paid(desk, an, amount="20")

    assert flash(response) == [
        "Renewed from 01/05/2026 until 30/04/2027; fee € 12,00 open. Paid € 20,00, the "
        "oldest contribution first; € 4,00 is still open."
    ]
    an_owes.refresh_from_db()
    assert an_owes.status == PostingStatus.PAID


def test_renew_open_says_what_is_open_in_all(desk, an, an_owes):
    response = desk.post(f"/staff/borrowers/{an.pk}/renew/open/", follow=True)
    assert flash(response) == [
        "Renewed from 01/05/2026 until 30/04/2027; fee € 12,00 open. In all, € 24,00 is open."
    ]


@pytest.mark.parametrize(
    ("amount", "says"),
    [
        ("1e1", "is not an amount"),
        ("٢٤", "is not an amount"),
        ("30", "pay at most € 24.00"),
    ],
)
def test_a_wrong_amount_on_the_confirmation_renews_nothing(desk, an, an_owes, amount, says):
    response = renew_paid(desk, an, amount=amount)
    (message,) = flash(response)
    assert message.startswith("Not renewed:")
    assert says in message
    assert Membership.objects.filter(borrower=an).count() == 1
    assert not Payment.objects.exists()


# --- a double-submitted form books once (issue 11, item 11) -------------------------------


def test_the_same_payment_form_sent_twice_books_once_and_shows_the_first_answer(desk, an, owing):
    key = form_key(desk.get(f"/staff/borrowers/{an.pk}/"))
    url = f"/staff/borrowers/{an.pk}/payment/"

    first = desk.post(url, {"amount": "5", "key": key}, follow=True)
    second = desk.post(url, {"amount": "5", "key": key}, follow=True)

    assert flash(first) == ["Payment of € 5,00 registered; € 7,00 is still open."]
    assert flash(second) == [
        "Payment of € 5,00 registered; € 7,00 is still open.",
        "This form was sent twice: it was booked once, this is the first answer.",
    ]
    assert Payment.objects.count() == 1
    owing.refresh_from_db()
    assert owing.balance == Decimal("7.00")


def test_each_showing_of_the_borrower_page_is_a_new_form(desk, an, owing):
    assert pay(desk, an, "5").status_code == 200
    assert pay(desk, an, "5").status_code == 200
    assert Payment.objects.count() == 2  # two payments staff meant to make


def test_a_payment_without_the_form_s_key_books_nothing(desk, an, owing):
    response = desk.post(f"/staff/borrowers/{an.pk}/payment/", {"amount": "5"}, follow=True)
    (message,) = flash(response)
    assert message.startswith("Payment not registered: this form has no valid one-time key")
    assert not Payment.objects.exists()


def test_the_same_renewal_form_sent_twice_renews_and_pays_once(desk, an, an_owes):
    url = f"/staff/borrowers/{an.pk}/renew/paid/"
    key = form_key(desk.get(url))

    first = desk.post(url, {"amount": "24,00", "key": key}, follow=True)
    second = desk.post(url, {"amount": "24,00", "key": key}, follow=True)

    answer = (
        "Renewed from 01/05/2026 until 30/04/2027; fee € 12,00 paid. Paid € 24,00, the "
        "oldest contribution first; nothing is open any more."
    )
    assert flash(first) == [answer]
    assert flash(second) == [
        answer,
        "This form was sent twice: it was booked once, this is the first answer.",
    ]
    assert Membership.objects.filter(borrower=an).count() == 2
    assert Payment.objects.count() == 2  # the older fee and the new one, once each


def test_the_renewal_with_an_older_fee_in_dutch(gent, an, an_owes):
    client = Client()  # no language chosen: the staff pages speak Dutch
    client.force_login(make_staff("balie-nl", gent))
    url = f"/staff/borrowers/{an.pk}/renew/paid/"
    confirm = client.get(url)
    page = confirm.content.decode()
    assert "Wat de lener na de verlenging verschuldigd is" in page
    assert "Lidgeld van deze verlenging" in page
    assert "Totaal verschuldigd" in page
    assert "Verschuldigd: € 24,00. Schrijf euro's als 12,50" in page
    form = {"amount": "24,00", "key": form_key(confirm)}

    client.post(url, form, follow=True)
    again = client.post(url, form, follow=True)

    assert flash(again) == [
        "Verlengd van 01/05/2026 tot 30/04/2027; lidgeld € 12,00 betaald. € 24,00 betaald, "
        "het oudste lidgeld eerst; er staat niets meer open.",
        "Dit formulier werd twee keer verstuurd: het werd één keer geboekt, dit is het eerste "
        "antwoord.",
    ]
    expiring = client.get("/staff/expiring/?month=2027-04").content.decode()
    assert "Lidgeld betaald: elke lener betaalt al zijn openstaand lidgeld" in expiring


def test_the_desk_pages_and_the_back_office_name_the_same_person_the_same(admin_client, gent):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from lidgeld.borrowers.models import Borrower
    from lidgeld.finance.models import Payment

    # given two borrowers who each owe a contribution
    first, second = make_borrower(gent), make_borrower(gent)
    adult = make_type(gent, code="VOLW2")
    fees = []
    for borrower in (first, second):
        membership = make_membership(borrower, adult, start=date(2026, 1, 1))
        fees.append(make_open_fee(membership, booked_on=date(2026, 1, 1)))
    # when one superuser registers one payment on the desk page, the other in the admin
    pay(admin_client, first, "12,00")
    admin_client.post(
        "/admin/borrowers/borrower/",
        {"action": "register_payment", ACTION_CHECKBOX_NAME: [str(second.pk)], "apply": "1",
         "amount": "12,00"},
    )  # fmt: skip
    # then both payments and their audit rows carry the same actor
    assert [Payment.objects.get(posting=fee).recorded_by for fee in fees] == ["staff:admin"] * 2
    actors = set(AuditEvent.objects.filter(action="posting.paid").values_list("actor", flat=True))
    assert actors == {"staff:admin"}
    assert not Borrower.objects.filter(postings__status="open").exists()


def test_one_desk_action_stamps_all_its_audit_rows_with_one_reading_of_the_clock(desk, an):
    # given a wall clock that moves on every reading
    ticking = _TickingClock(date(2026, 4, 10))
    set_clock(ticking)
    try:
        # when the desk renews with the fee paid (a period, a fee, a payment: several rows)
        desk.post(f"/staff/borrowers/{an.pk}/renew/paid/")
    finally:
        set_clock(FixedClock(date(2026, 4, 10)))
    # then every row of that one action carries the same instant
    rows = AuditEvent.objects.filter(actor="staff:balie-gent")
    assert rows.count() >= 3
    assert len(set(rows.values_list("at", flat=True))) == 1


class _TickingClock(FixedClock):
    def __init__(self, today: date) -> None:
        super().__init__(today)
        self.reads = 0

    def now(self) -> datetime:
        self.reads += 1
        return super().now() + timedelta(seconds=self.reads)
