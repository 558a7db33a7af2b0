"""The desk in a real browser: a note shown at the desk, a lost card reported, a new
card given with the fee paid, and the borrower found again by the old card, with the
banner that says so; the borrower page's banners, notes and cards pass axe."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from lidgeld.borrowers.models import Borrower, Card
from lidgeld.finance.models import Posting
from tests.browser import screenshot
from tests.factories import make_borrower, make_instance, make_membership, make_staff, make_type

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"


def logged_in(page, user, live_server) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def accessibility_problems(page) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core finds on the page."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run 'npm ci' in the repository root")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
                 values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        f"{page.url}: {violation['id']}: {node['target']}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]


def too_wide(page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def scan(page, card: str) -> None:
    """The desk's scanner types the number into the search and presses Enter."""
    page.goto("/staff/borrowers/")
    page.fill("#q", card)
    with page.expect_navigation(url="**/staff/borrowers/*/?card=*"):
        page.press("#q", "Enter")


def test_lost_card_then_replace_and_find_the_borrower_by_the_old_card(page, live_server):
    # given An of GENT, whose library asks € 2,50 for a new card, and a desk user
    gent = make_instance("GENT", card_fee=Decimal("2.50"))
    an = make_borrower(gent, card="B0000000001", last_name="Peeters")
    make_membership(an, make_type(gent), date(2025, 5, 1))
    logged_in(page, make_staff("balie-gent", gent), live_server)
    page.goto(f"/staff/borrowers/{an.pk}/")
    problems: list[str] = []

    # a note for whoever is at the desk next
    page.get_by_label("Nieuwe notitie").fill("Verloor haar kaart op de bus.")
    page.get_by_label("Tonen aan de balie").check()
    page.get_by_role("button", name="Notitie toevoegen").click()
    expect(page.locator(".messages")).to_have_text(
        "Notitie toegevoegd; ze wordt aan de balie getoond."
    )
    expect(page.locator(".note-banner")).to_have_text("Notitie: Verloor haar kaart op de bus.")

    # the card is reported lost, after the confirmation says what that does
    page.get_by_role("link", name="Verloren melden").click()
    expect(page.locator("#report-effect")).to_contain_text(
        "Vanaf nu wordt kaart B0000000001 aan elk zelfuitleentoestel en in Mijn Bibliotheek "
        "geweigerd."
    )
    problems += accessibility_problems(page)
    page.get_by_role("button", name="Verloren melden").click()
    expect(page.locator(".messages")).to_have_text(
        "Kaart B0000000001 verloren gemeld; elk zelfuitleentoestel en Mijn Bibliotheek weigeren ze."
    )
    expect(page.locator("#banner-card-reported")).to_have_text(
        "De huidige kaart B0000000001 werd verloren gemeld op 10/04/2026."
    )
    assert Borrower.objects.get(pk=an.pk).card_reported == "lost"

    # a new card, scanned, with the fee paid at once
    page.get_by_role("link", name="Nieuwe kaart").click()
    problems += accessibility_problems(page)
    page.get_by_label("Nieuw kaartnummer").fill("B0000000050")
    expect(page.get_by_label("Kost aanrekenen (€ 2,50)")).to_be_checked()
    page.get_by_label("Nu betaald").check()
    page.get_by_role("button", name="Volgende").click()
    expect(page.locator("#card-fee")).to_have_text("€ 2,50, nu betaald")
    problems += accessibility_problems(page)
    page.get_by_role("button", name="Nieuwe kaart geven").click()
    expect(page.locator(".messages")).to_have_text(
        "Kaart B0000000050 meegegeven; kaart B0000000001 blijft bewaard als oude kaart. "
        "Kaartkost € 2,50 betaald."
    )
    expect(page.locator("#card-B0000000050")).to_contain_text("huidige kaart")
    expect(page.locator("#card-B0000000001")).to_contain_text("verloren, op 10/04/2026")
    expect(page.locator("#card-B0000000001")).to_contain_text("oude kaart")
    expect(page.locator("#banner-card-reported")).to_have_count(0)
    assert Posting.objects.get(borrower=an).balance == Decimal("0.00")
    screenshot(page, "desk-borrower-cards")

    # the old card, scanned at the desk, still finds An and says it is an old card
    scan(page, "B0000000001")
    expect(page.locator("#banner-old-card")).to_have_text(
        "Oude kaart: kaart B0000000001 werd vervangen op 10/04/2026 "
        "(verloren gemeld op 10/04/2026)."
    )
    expect(page.get_by_role("heading", name="An Peeters", exact=True)).to_be_visible()
    screenshot(page, "desk-borrower-old-card")
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 1000})
        if width == 1280:
            problems += accessibility_problems(page)
        if too_wide(page) > 0:
            problems.append(f"the borrower page is {too_wide(page)} px too wide at {width} px")

    # a card number given out before is refused with the reason
    page.goto(f"/staff/borrowers/{an.pk}/card/new/")
    page.get_by_label("Nieuw kaartnummer").fill("B0000000001")
    page.get_by_role("button", name="Volgende").click()
    expect(page.locator("#error")).to_contain_text("Kaartnummer B0000000001 werd al eerder")
    problems += accessibility_problems(page)
    assert Card.objects.filter(borrower=an).count() == 2
    assert problems == []


def test_removing_a_note_after_the_confirmation(page, live_server):
    gent = make_instance("GENT")
    an = make_borrower(gent, card="B0000000001")
    logged_in(page, make_staff("balie-gent", gent), live_server)
    page.goto(f"/staff/borrowers/{an.pk}/")
    page.get_by_label("Nieuwe notitie").fill("Belt liever.")
    page.get_by_role("button", name="Notitie toevoegen").click()
    expect(page.locator("#notes .note-text")).to_have_text("Belt liever.")
    page.locator("#notes").get_by_role("link", name="verwijderen").click()
    expect(page.locator("#note-text")).to_have_text("Belt liever.")
    problems = accessibility_problems(page)
    page.get_by_role("button", name="Notitie verwijderen").click()
    expect(page.locator(".messages")).to_have_text("Notitie verwijderd.")
    expect(page.locator("#notes")).to_contain_text("Geen notities.")
    assert problems == []
