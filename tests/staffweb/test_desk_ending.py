"""The desk pages for R12's coordinator work: end a membership (reason, effective date,
a confirmation listing the reason's effects, the open-loans warning), undo it within
30 days, and merge two records by card number. In Dutch, as the desk reads them."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from lidgeld.borrowers.models import Borrower
from lidgeld.borrowers.selectors import card_holder
from lidgeld.clock import FixedClock, set_clock
from lidgeld.memberships.models import MembershipEnding
from tests.factories import (
    make_borrower,
    make_instance,
    make_item,
    make_loan,
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
def adult(gent):
    return make_type(gent)


@pytest.fixture
def an(gent, adult):
    """Her membership ends on 30 April 2026; it is 10 April; her fee is open."""
    borrower = make_borrower(gent, card="B0000000001")
    make_open_fee(make_membership(borrower, adult, date(2025, 5, 1)), date(2026, 4, 1))
    return borrower


@pytest.fixture
def coordinator(gent):
    client = Client()
    client.force_login(make_staff("coordinator-gent", gent, role="coordinator"))
    return client


@pytest.fixture
def desk(gent):
    client = Client()
    client.force_login(make_staff("balie-gent", gent))
    return client


def text(response) -> str:
    return response.content.decode()


def test_the_borrower_page_offers_ending_and_merging_to_a_coordinator_only(an, coordinator, desk):
    page = text(coordinator.get(f"/staff/borrowers/{an.pk}/"))
    assert "Lidmaatschap beëindigen…" in page
    assert "Samenvoegen met…" in page
    assert "Lidmaatschap beëindigen…" not in text(desk.get(f"/staff/borrowers/{an.pk}/"))


def test_the_confirmation_lists_the_effects_of_the_reason(an, coordinator):
    response = coordinator.get(f"/staff/borrowers/{an.pk}/end/?reason=deceased&effective=today")
    page = text(response)
    assert "Elke reservering wordt geannuleerd." in page
    assert "Elk openstaand lidgeld wordt met deze reden afgeboekt." in page
    assert "Het lidmaatschap eindigt op 10/04/2026." in page
    assert not MembershipEnding.objects.exists()  # a GET changes nothing


def test_deceased_at_the_period_end_is_refused_with_the_reason(an, coordinator):
    response = coordinator.get(
        f"/staff/borrowers/{an.pk}/end/?reason=deceased&effective=period_end"
    )
    assert "overleden is, eindigt vandaag" in text(response)
    assert 'id="end-submit"' not in text(response)


def test_ending_shows_the_banner_and_every_channel_blocked(an, coordinator):
    response = coordinator.post(
        f"/staff/borrowers/{an.pk}/end/", {"reason": "deceased", "effective": "today"}
    )
    assert response.status_code == 302
    page = text(coordinator.get(f"/staff/borrowers/{an.pk}/"))
    assert "Beëindigd: overleden op 10/04/2026" in page
    assert page.count('data-reason="deceased"') == 3
    assert "Ongedaan maken" in page


def test_open_loans_warn_and_the_desk_confirms(gent, an, coordinator):
    make_loan(an, make_item(gent, "Het Achterhuis"), date(2026, 4, 1))
    url = f"/staff/borrowers/{an.pk}/end/"
    confirm = text(coordinator.get(f"{url}?reason=at_request&effective=today"))
    assert "Het Achterhuis" in confirm
    assert "Lidmaatschap toch beëindigen" in confirm
    refused = coordinator.post(url, {"reason": "at_request", "effective": "today"})
    assert refused.status_code == 400
    assert "nog niet terug" in text(refused)
    assert not MembershipEnding.objects.exists()
    done = coordinator.post(
        url, {"reason": "at_request", "effective": "today", "confirm_loans": "yes"}
    )
    assert done.status_code == 302
    assert MembershipEnding.objects.get().reason == "at_request"


def test_undo_within_30_days_then_no_more(an, coordinator):
    coordinator.post(f"/staff/borrowers/{an.pk}/end/", {"reason": "moved", "effective": "today"})
    ending = MembershipEnding.objects.get()
    url = f"/staff/borrowers/{an.pk}/end/{ending.pk}/undo/"
    assert "Komt niet terug" in text(coordinator.get(url))
    set_clock(FixedClock(date(2026, 5, 11)))
    late = coordinator.post(url)
    assert late.status_code == 400
    assert "30 dagen" in text(late)
    set_clock(FixedClock(date(2026, 5, 10)))
    assert coordinator.post(url).status_code == 302
    ending.refresh_from_db()
    assert ending.reversed_at is not None


def test_merge_by_card_number_preview_then_confirm(gent, adult, an, coordinator):
    other = make_borrower(gent, card="D0000000001")
    make_membership(other, adult, date(2023, 5, 1))
    url = f"/staff/borrowers/{an.pk}/merge/"
    preview = text(coordinator.get(f"{url}?card=D0000000001"))
    assert "Lidmaatschapsperiodes" in preview
    assert 'id="merge-submit"' in preview
    response = coordinator.post(url, {"card": "D0000000001"})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/borrowers/{an.pk}/"
    assert not Borrower.objects.filter(pk=other.pk).exists()
    holder = card_holder("D0000000001")  # the old card finds the kept borrower
    assert holder is not None
    assert (holder.borrower, holder.old_card) == (an, True)


def test_overlapping_periods_are_shown_as_the_reason(gent, adult, an, coordinator):
    other = make_borrower(gent, card="D0000000001")
    make_membership(other, adult, date(2026, 1, 1))
    page = text(coordinator.get(f"/staff/borrowers/{an.pk}/merge/?card=D0000000001"))
    assert "overlappen" in page
    assert 'id="merge-submit"' not in page


def test_an_unknown_card_is_said(an, coordinator):
    response = coordinator.get(f"/staff/borrowers/{an.pk}/merge/?card=X123")
    assert response.status_code == 400
    assert "Geen lener met kaart X123" in text(response)
