"""R12 in a real browser (Debian's Chromium): a coordinator ends the membership of a
borrower who died and sees every channel blocked, and on the next 1st no
end-of-membership notice goes out; a coordinator merges two records of one person.
The new pages pass axe."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lidgeld.borrowers.models import Borrower
from lidgeld.borrowers.selectors import card_holder
from lidgeld.circulation.models import Reservation
from lidgeld.lifecycle.tick import tick_run
from lidgeld.notices.models import Message
from tests.browser import screenshot
from tests.factories import (
    make_borrower,
    make_instance,
    make_item,
    make_membership,
    make_open_fee,
    make_reservation,
    make_staff,
    make_type,
)
from tests.staffweb.browser.test_desk_pages import accessibility_problems, logged_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gent():
    return make_instance("GENT")


@pytest.fixture
def adult(gent):
    return make_type(gent)


@pytest.fixture
def coordinator(gent):
    return make_staff("coordinator-gent", gent, role="coordinator")


def test_end_a_membership_of_a_deceased_borrower_and_see_every_channel_blocked(
    page, live_server, gent, adult, coordinator
):
    # Her period ends on 31 May 2026: the 1st of May would announce it. It is 10 April.
    jozef = make_borrower(gent, card="B0000000007", first_name="Jozef", last_name="Claes")
    period = make_membership(jozef, adult, date(2025, 6, 1))
    make_open_fee(period, date(2026, 4, 2))
    make_reservation(jozef, make_item(gent), date(2026, 4, 3))
    logged_in(page, coordinator, live_server)

    page.goto(f"/staff/borrowers/{jozef.pk}/")
    page.click("#membership-end")
    page.check("#reason-deceased")
    page.check("#effective-today")
    page.get_by_role("button", name="Toon wat er gebeurt").click()
    expect(page.locator("#end-effects")).to_contain_text("Elke reservering wordt geannuleerd.")
    expect(page.locator("#end-effects")).to_contain_text("ook de balie")
    assert accessibility_problems(page) == []
    screenshot(page, "desk-end-membership-confirm")
    page.click("#end-submit")

    expect(page.locator("#ended-banner")).to_contain_text("Beëindigd: overleden op 10/04/2026")
    for channel in ("desk", "kiosk", "portal"):
        block = page.locator(f"#block-{channel}")
        expect(block).to_have_class("desk-block blocked")
        expect(block).to_contain_text("de lener is overleden")
    expect(page.locator("#fee-state")).to_contain_text("niets open")
    assert Reservation.objects.get(borrower=jozef).status == "cancelled"
    # axe without the flash message: base.html's <ul role="status"> is a known finding
    page.reload()
    assert accessibility_problems(page) == []
    screenshot(page, "desk-ended-deceased")

    undo = page.locator("#ending-undo")
    undo.click()
    expect(page.locator("#undo-not-back")).to_contain_text("1 afgeboekt lidgeld")
    assert accessibility_problems(page) == []

    first = date(2026, 5, 1)
    now = timezone.make_aware(datetime(2026, 5, 1, 2, 0))
    tick_run(today=first, now=now)
    assert not Message.objects.filter(borrower=jozef).exists()


def test_merge_two_records(page, live_server, gent, adult, coordinator):
    kept = make_borrower(gent, card="B0000000001", first_name="Hélène", last_name="Dubois")
    make_membership(kept, adult, date(2025, 5, 1))
    duplicate = make_borrower(gent, card="B0000000002", first_name="Helene", last_name="Dubois")
    make_membership(duplicate, adult, date(2023, 5, 1))
    make_reservation(duplicate, make_item(gent), date(2026, 4, 1))
    logged_in(page, coordinator, live_server)

    page.goto(f"/staff/borrowers/{kept.pk}/")
    page.click("#borrower-merge")
    page.fill("#card", "B0000000002")
    page.get_by_role("button", name="Toon wat overgaat").click()
    counts = page.locator("#merge-counts")
    expect(counts).to_contain_text("Lidmaatschapsperiodes")
    expect(counts).to_contain_text("Reserveringen")
    assert accessibility_problems(page) == []
    screenshot(page, "desk-merge-preview")
    page.click("#merge-submit")

    expect(page.locator(".messages")).to_contain_text("Kaart B0000000002 is samengevoegd")
    assert page.url.endswith(f"/staff/borrowers/{kept.pk}/")
    assert not Borrower.objects.filter(pk=duplicate.pk).exists()
    holder = card_holder("B0000000002")
    assert holder is not None
    assert holder.borrower == kept
    assert holder.old_card
    rows = page.locator("#memberships-title + .table-wrap tbody tr")
    expect(rows).to_have_count(2)
