"""The memberships that end this month, and "renew selected" from that list (R5, R8)."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from lidgeld.finance.models import Posting, PostingStatus
from lidgeld.memberships.models import Membership
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


@pytest.fixture
def gent():
    return make_instance("GENT")


@pytest.fixture
def five(gent):
    """Five borrowers whose membership ends on 30 April 2026."""
    volw = make_type(gent)
    people = []
    for n, name in enumerate(["Aerts", "Claes", "Maes", "Peeters", "Wouters"], start=1):
        borrower = make_borrower(gent, card=f"B{n:010d}", last_name=name, email=f"{n}@ex.be")
        make_membership(borrower, volw, date(2025, 5, 1))
        people.append(borrower)
    return people


@pytest.fixture
def desk(client, gent):
    client.force_login(make_staff("balie-gent", gent))
    client.cookies["django_language"] = "en"
    return client


def test_this_months_list_with_open_fee_and_cae(desk, gent, five):
    aerts = five[0]
    make_message(aerts, date(2026, 4, 1), membership=aerts.memberships.get())
    earlier = make_membership(
        five[1], five[1].memberships.get().type, date(2024, 5, 1), date(2025, 4, 30)
    )
    make_open_fee(earlier, date(2024, 5, 1), amount="12.00")
    brugge = make_instance("BRUGGE")
    make_membership(make_borrower(brugge, last_name="Brugs"), make_type(brugge), date(2025, 5, 1))
    response = desk.get("/staff/expiring/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Memberships ending in April 2026" in page
    for borrower in five:
        assert f'value="{borrower.card_number}"' in page
    assert "Brugs" not in page
    assert "€ 12,00" in page  # Claes still owes last year's fee
    assert page.count("<td>yes</td>") == 1  # Aerts got the CAE
    assert "5 memberships end and are not renewed yet." in page
    assert "/api/reports/expiring?month=2026-04&amp;format=xlsx" in page


def test_an_unprinted_cae_letter_is_not_said_to_be_sent(client, gent, five):
    # given Aerts's CAE letter not confirmed printed, Claes's printed, Maes's e-mail queued
    april = date(2026, 4, 1)
    aerts, claes, maes = five[:3]
    make_message(
        aerts, april, channel="letter", status="queued", membership=aerts.memberships.get()
    )
    make_message(claes, april, channel="letter", status="sent", membership=claes.memberships.get())
    make_message(maes, april, status="queued", membership=maes.memberships.get())
    client.force_login(make_staff("balie-nl", gent))  # Dutch, as the desk sees it

    page = client.get("/staff/expiring/").content.decode()

    assert page.count("<td>ja</td>") == 1  # only the printed letter
    assert page.count("<td>nee: brief te printen</td>") == 1
    assert page.count("<td>wacht op verzending</td>") == 1
    assert page.count("<td>nee</td>") == 2


def test_the_list_and_the_renewal_speak_dutch_by_default(client, gent, five):
    client.force_login(make_staff("balie-nl", gent))  # no language chosen
    page = client.get("/staff/expiring/").content.decode()
    assert "<h1>Abonnementen die aflopen in april 2026</h1>" in page
    assert "5 abonnementen lopen af en zijn nog niet verlengd." in page
    assert "Selectie verlengen — lidgeld betaald" in page
    page = client.post(
        "/staff/expiring/", {"month": "2026-04", "fee": "paid", "card": [five[0].card_number]}
    ).content.decode()
    assert "Verlengd van 01/05/2026 tot 30/04/2027; lidgeld € 12,00 betaald." in page
    assert "4 abonnementen lopen af en zijn nog niet verlengd." in page
    page = client.post("/staff/expiring/", {"fee": "paid"}, follow=True).content.decode()
    assert "Vink eerst de leners aan die je wilt verlengen." in page


def test_another_month(desk, five):
    page = desk.get("/staff/expiring/", {"month": "2026-05"}).content.decode()
    assert "Memberships ending in May 2026" in page
    assert "No membership ending in May 2026 is left to renew." in page


def test_a_wrong_month_is_said(desk, five):
    response = desk.get("/staff/expiring/", {"month": "april"})
    assert response.status_code == 400
    assert "is not a month; write the month as YYYY-MM" in response.content.decode()


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_a_month_too_far_off_is_said_rather_than_a_server_error(desk, five, month):
    # 9999-12 has no next month to link to, 0001-01 no previous one
    response = desk.get("/staff/expiring/", {"month": month})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert f"'{month}' is too far off: the year must be 1900 to 2999" in page


def test_a_library_outside_ones_own_is_refused(desk, five):
    make_instance("BRUGGE")
    response = desk.get("/staff/expiring/", {"instance": "BRUGGE"})
    assert response.status_code == 400
    assert "Choose one of your own libraries." in response.content.decode()


def test_renew_three_of_five_shows_three_results_and_leaves_two(desk, five):
    chosen = [five[0], five[2], five[4]]
    response = desk.post(
        "/staff/expiring/",
        {"month": "2026-04", "fee": "open", "card": [b.card_number for b in chosen]},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Renewed from 01/05/2026 until 30/04/2027; fee € 12,00 open.") == 3
    for borrower in chosen:
        assert f'data-card="{borrower.card_number}"' in page
        assert f'value="{borrower.card_number}"' not in page  # renewed: off the list
    for borrower in (five[1], five[3]):
        assert f'value="{borrower.card_number}"' in page
        assert Membership.objects.filter(borrower=borrower).count() == 1
    assert Membership.objects.filter(origin="desk", created_on=date(2026, 4, 10)).count() == 3


def test_renew_selected_with_the_fee_paid_and_twice(desk, five):
    cards = [five[0].card_number]
    desk.post("/staff/expiring/", {"fee": "paid", "card": cards})
    again = desk.post("/staff/expiring/", {"fee": "paid", "card": cards}).content.decode()
    assert "Not renewed: already renewed on 10/04/2026" in again
    assert Membership.objects.filter(borrower=five[0]).count() == 2


def test_renew_selected_with_the_fee_paid_settles_older_fees_too(desk, five):
    """Issue 11, item 10: "fee paid" from the list pays every open contribution of each
    borrower, as the borrower page does, and says so per borrower."""
    claes, maes = five[1], five[2]
    make_open_fee(claes.memberships.get(), date(2025, 5, 1))
    page = desk.get("/staff/expiring/").content.decode()
    assert "each borrower pays every open contribution, the older ones too" in page

    done = desk.post(
        "/staff/expiring/", {"fee": "paid", "card": [claes.card_number, maes.card_number]}
    ).content.decode()

    assert not Posting.objects.filter(status=PostingStatus.OPEN).exists()
    assert (
        "Renewed from 01/05/2026 until 30/04/2027; fee € 12,00 paid. Paid € 24,00, the "
        "oldest contribution first; nothing is open any more." in done
    )
    assert re.search(r"fee € 12,00 paid\.\s*</li>", done)  # Maes: only the new fee


def test_a_card_of_another_library_is_not_renewed(desk, five):
    brugge = make_instance("BRUGGE")
    outsider = make_borrower(brugge, card="BRUGGE0001")
    make_membership(outsider, make_type(brugge), date(2025, 5, 1))
    page = desk.post("/staff/expiring/", {"fee": "paid", "card": ["BRUGGE0001"]}).content.decode()
    assert "Not renewed: no borrower with this card in your libraries." in page
    assert Membership.objects.filter(borrower=outsider).count() == 1


def test_nothing_ticked_is_said(desk, five):
    response = desk.post("/staff/expiring/", {"fee": "paid"}, follow=True)
    assert "Tick the borrowers to renew first." in response.content.decode()
    assert Membership.objects.count() == 5


def test_a_long_list_is_shown_a_page_at_a_time(desk, gent):
    volw = make_type(gent)
    for n in range(105):
        make_membership(make_borrower(gent, last_name=f"Lener{n:03d}"), volw, date(2025, 5, 1))
    first = desk.get("/staff/expiring/").content.decode()
    assert "105 memberships end and are not renewed yet." in first
    assert first.count('name="card"') == 100
    assert "Page 1 of 2 (borrowers 1–100)" in first
    second = desk.get("/staff/expiring/", {"page": "2"}).content.decode()
    assert second.count('name="card"') == 5
    assert "Lener104" in second


def test_a_desk_sees_the_groups_expiring_list_but_is_offered_no_download_of_it(client):
    """R11: the list shows the cooperation group's borrowers; the download of LOCH's
    needs the coordinator role, so the page says why instead of offering a link that
    answers 403."""
    from lidgeld.libraries.models import CooperationGroup

    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent, loch = make_instance("GENT", group=group), make_instance("LOCH", group=group)
    make_membership(
        make_borrower(gent, card="G1", last_name="Aerts"), make_type(gent), date(2025, 5, 1)
    )
    make_membership(
        make_borrower(loch, card="L1", last_name="Lo"), make_type(loch), date(2025, 5, 1)
    )
    client.force_login(make_staff("balie-gent", gent))
    page = client.get("/staff/expiring/", {"month": "2026-04"}).content.decode()
    assert "Lo" in page
    assert (
        "Downloaden niet toegestaan: deze export bevat leners van andere bibliotheken (LOCH)"
        in page
    )
    assert "/api/reports/expiring?" not in page
    # GENT alone, or as coordinator, the links are there
    alone = client.get("/staff/expiring/", {"month": "2026-04", "instance": "GENT"})
    assert (
        "/api/reports/expiring?month=2026-04&amp;format=xlsx&amp;instance=GENT"
        in alone.content.decode()
    )
    client.force_login(make_staff("coord-gent", gent, role="coordinator"))
    page = client.get("/staff/expiring/", {"month": "2026-04"}).content.decode()
    assert "/api/reports/expiring?month=2026-04&amp;format=xlsx" in page
