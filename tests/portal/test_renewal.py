"""Online renewal in Mijn Bibliotheek: the desk's own eligibility rule, the fee booked
open with its payment reference, a confirmation in the outbox."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.circulation.models import ReservationStatus
from lidgeld.clock import at_nine
from lidgeld.domain.payment_reference import structured_communication
from lidgeld.domain.renewal import RenewalReason
from lidgeld.finance.models import Posting, PostingStatus
from lidgeld.memberships.models import Membership, Origin, TypeKind
from lidgeld.notices.models import Message
from lidgeld.operations.renewals import membership_renew
from tests.factories import make_item, make_membership, make_open_fee, make_reservation, make_type
from tests.portal.conftest import logged_in, member, text_of

pytestmark = pytest.mark.django_db


def test_an_expired_borrower_renews_online_and_sees_how_to_pay(gent, adult):
    borrower = member(gent, adult, start=date(2025, 4, 1))  # ended 31 March 2026
    held = make_reservation(
        borrower, make_item(gent, "Het Achterhuis"), date(2026, 3, 5), ReservationStatus.HELD
    )
    client = logged_in(borrower)
    confirm = text_of(client.get("/portal/membership/renew/"))
    assert "Van 10/04/2026 Tot en met 30/04/2027 Lidgeld € 12,00" in confirm

    page = text_of(client.post("/portal/membership/renew/", follow=True))

    renewed = Membership.objects.get(borrower=borrower, origin=Origin.PORTAL)
    assert (renewed.start, renewed.end, renewed.created_on) == (
        date(2026, 4, 10),
        date(2027, 4, 30),
        date(2026, 4, 10),
    )
    fee = Posting.objects.get(membership=renewed)
    assert (fee.amount, fee.status) == (12, PostingStatus.OPEN)
    assert "Je lidmaatschap is vernieuwd tot 30/04/2027." in page
    assert "Je lidmaatschap is geldig tot 30 april 2027." in page
    assert structured_communication(fee.pk) in page
    assert client.get("/portal/membership/qr.png")["Content-Type"] == "image/png"
    # R3: the held reservation resumes in its place
    held.refresh_from_db()
    assert held.status == ReservationStatus.WAITING
    # the confirmation goes out through the outbox, and the change is audited
    assert Message.objects.filter(membership=renewed, kind="VL", status="queued").exists()
    assert AuditEvent.objects.filter(
        action="membership.renewed", actor=f"portal:{borrower.card_number}"
    ).exists()


def test_from_the_first_of_the_last_month_the_renewal_is_contiguous(gent, adult):
    borrower = member(gent, adult)  # until 30 April 2026; today is 10 April
    client = logged_in(borrower)
    client.post("/portal/membership/renew/")
    renewed = Membership.objects.get(borrower=borrower, origin=Origin.PORTAL)
    assert (renewed.start, renewed.end) == (date(2026, 5, 1), date(2027, 4, 30))


def test_before_the_window_the_borrower_reads_from_when_and_nothing_happens(gent, adult):
    borrower = member(gent, adult, start=date(2025, 6, 1))  # until 31 May 2026
    client = logged_in(borrower)
    page = text_of(client.get("/portal/membership/"))
    assert "Online vernieuwen kan vanaf 01/05/2026." in page
    answer = text_of(client.post("/portal/membership/renew/", follow=True))
    assert "Online vernieuwen kan vanaf 01/05/2026." in answer
    assert Membership.objects.filter(borrower=borrower).count() == 1


def test_the_window_is_the_librarys_choice(gent, adult):
    gent.portal_renewal_window_months = 2
    gent.save()
    borrower = member(gent, adult, start=date(2025, 6, 1))  # until 31 May 2026
    logged_in(borrower).post("/portal/membership/renew/")
    assert Membership.objects.filter(borrower=borrower, origin=Origin.PORTAL).exists()


def test_a_library_may_keep_renewal_at_the_desk(gent, adult):
    gent.portal_renewal = False
    gent.save()
    borrower = member(gent, adult, start=date(2025, 4, 1))
    client = logged_in(borrower)
    page = text_of(client.get("/portal/membership/"))
    assert "Je bibliotheek laat online vernieuwen niet toe." in page
    client.post("/portal/membership/renew/")
    assert not Membership.objects.filter(borrower=borrower, origin=Origin.PORTAL).exists()


def test_an_open_fee_is_paid_before_renewing_online(gent, adult):
    borrower = member(gent, adult)
    make_open_fee(borrower.memberships.get(), booked_on=date(2026, 3, 2))
    client = logged_in(borrower)
    client.post("/portal/membership/renew/")
    assert Membership.objects.filter(borrower=borrower).count() == 1
    page = text_of(client.get("/portal/membership/"))
    assert "Betaal eerst je openstaand lidgeld van € 12,00" in page


def test_two_clicks_renew_once_and_the_second_says_so(gent, adult):
    borrower = member(gent, adult, start=date(2025, 4, 1))
    client = logged_in(borrower)
    client.post("/portal/membership/renew/")
    second = text_of(client.post("/portal/membership/renew/", follow=True))
    assert "Je lidmaatschap werd al vernieuwd op 10/04/2026: het loopt tot 30/04/2027." in second
    assert Membership.objects.filter(borrower=borrower, origin=Origin.PORTAL).count() == 1
    assert Posting.objects.filter(borrower=borrower).count() == 1


def test_the_desk_and_the_portal_refuse_with_the_same_reason(gent, adult):
    borrower = member(gent, adult, start=date(2025, 4, 1))
    today = date(2026, 4, 10)
    desk = membership_renew(
        borrower=borrower, paid=True, today=today, now=at_nine(today), actor="staff:balie"
    )
    assert desk.renewed
    desk_again = membership_renew(
        borrower=borrower, paid=True, today=today, now=at_nine(today), actor="staff:x"
    )
    portal = membership_renew(
        borrower=borrower,
        paid=False,
        today=today,
        now=at_nine(today),
        actor="portal:x",
        origin=Origin.PORTAL,
    )
    assert desk_again.reason_code == portal.reason_code == RenewalReason.ALREADY_RENEWED
    assert desk_again.reason == portal.reason
    page = text_of(logged_in(borrower).get("/portal/membership/"))
    assert portal.eligibility is not None
    assert portal.eligibility.message("nl") in page


def test_a_free_type_renews_without_a_fee(gent):
    free = make_type(gent, code="JEUGD", kind=TypeKind.FREE)
    borrower = member(gent, free, start=date(2025, 4, 1))
    client = logged_in(borrower)
    assert "Lidgeld gratis" in text_of(client.get("/portal/membership/renew/"))
    done = text_of(client.post("/portal/membership/renew/", follow=True))
    assert "Je lidmaatschap is vernieuwd tot 30/04/2027." in done
    assert not Posting.objects.filter(borrower=borrower).exists()


def test_renewing_is_a_post(gent, adult):
    borrower = member(gent, adult, start=date(2025, 4, 1))
    client = logged_in(borrower)
    client.get("/portal/membership/renew/")
    assert not Membership.objects.filter(origin=Origin.PORTAL).exists()
    assert client.put("/portal/membership/renew/").status_code == 405


def test_a_period_registered_today_that_already_ended_does_not_count_as_renewed(gent, adult):
    """Issue 11, item 12: registered today with a start in the past; that period ended
    on 28/02/2026, so the borrower renews online today instead of reading "already
    renewed on 10/04/2026: runs until 28/02/2026"."""
    borrower = member(gent, adult, start=None)
    make_membership(
        borrower, adult, date(2025, 3, 1), origin=Origin.REGISTRATION, created_on=date(2026, 4, 10)
    )
    client = logged_in(borrower)
    page = text_of(client.get("/portal/membership/"))
    assert "al vernieuwd" not in page

    done = text_of(client.post("/portal/membership/renew/", follow=True))

    renewed = Membership.objects.get(borrower=borrower, origin=Origin.PORTAL)
    assert (renewed.start, renewed.end) == (date(2026, 4, 10), date(2027, 4, 30))
    assert "Je lidmaatschap is vernieuwd tot 30/04/2027." in done
