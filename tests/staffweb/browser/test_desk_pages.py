"""The desk in a real browser: log in, find a borrower, renew with the fee open and see
the kiosk block, bulk-renew from the expiring list, and a borrower of another library
stays out of reach, even by typing the address. The pages speak Dutch, also to a browser
that asks for English, until English is chosen with their switch. Screenshots of the
main pages are kept in test-artifacts/screenshots."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from lidgeld.memberships.models import Membership
from tests.browser import screenshot
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_message,
    make_open_fee,
    make_payment,
    make_staff,
    make_type,
    make_write_off,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "balie-wachtwoord-1"
KIOSK_REASON = (
    "Je lidgeld van € 12,00 is nog niet betaald. Betaal het om aan de zelfuitleentoestellen "
    "te lenen."
)


@pytest.fixture
def gent():
    return make_instance("GENT", iban="BE68539007547034")


@pytest.fixture
def five(gent):
    """Five borrowers of GENT whose membership ends on 30 April 2026 (it is 10 April)."""
    volw = make_type(gent)
    people = []
    for n, name in enumerate(["Aerts", "Claes", "Maes", "Peeters", "Wouters"], start=1):
        borrower = make_borrower(
            gent, card=f"B{n:010d}", last_name=name, email=f"{name.lower()}@example.be"
        )
        membership = make_membership(borrower, volw, date(2025, 5, 1))
        make_message(borrower, date(2026, 4, 1), membership=membership)
        people.append(borrower)
    return people


def logged_in(page, user, live_server) -> None:
    """Skip the login form (and its deliberately slow password check) after the first test."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_log_in_and_see_the_dashboard(page, gent, five):
    make_staff("balie-gent", gent)
    volw = five[0].memberships.get().type
    for n, stage in enumerate(["open", "open", "reminder", "unpaid", "unpaid", "unpaid"]):
        borrower = make_borrower(gent, card=f"C{n:09d}")
        booked = date(2025, 9 + n % 3, 5)
        fee = make_open_fee(make_membership(borrower, volw, booked.replace(day=1)), booked)
        fee.stage = stage
        fee.save()
        if n < 3:
            make_payment(fee, date(2026, 1 + n, 10), amount="6.00")
    make_write_off(fee, date(2026, 3, 1))
    page.goto("/staff/")
    assert "/staff/login/" in page.url
    # what a Dutch-speaking desk sees and types into
    expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()
    page.get_by_label("Gebruikersnaam").fill("balie-gent")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url("**/staff/")
    page.wait_for_selector("#next-run-table, #run-nothing")  # the rehearsal came in (htmx)
    assert page.locator("svg.chart").count() == 3
    expect(page.get_by_role("heading", name="Aflopende abonnementen per maand")).to_be_visible()
    expect(page.get_by_role("link", name="Vervallende abonnementen")).to_be_visible()
    expect(page.get_by_role("button", name="Afmelden")).to_be_visible()
    screenshot(page, "desk-dashboard")


def test_find_a_borrower_renew_with_the_fee_open_and_see_the_kiosk_block(
    page, live_server, gent, five
):
    logged_in(page, make_staff("balie-gent", gent), live_server)
    page.goto("/staff/borrowers/")
    page.fill("#q", "peeters")  # live results as one types
    page.wait_for_selector("table.desk-results")
    screenshot(page, "desk-search-results")
    page.get_by_role("link", name="Peeters, An").click()
    page.wait_for_selector("#block-kiosk")
    screenshot(page, "desk-borrower")
    page.get_by_role("link", name="Verlengen — lidgeld openstaand").click()
    assert page.locator("#new-period").inner_text() == "01/05/2026 – 30/04/2027"
    expect(page.locator("#new-fee")).to_have_text("€ 12,00, blijft openstaan")
    screenshot(page, "desk-renew-confirmation")
    page.get_by_role("button", name="Verlenging bevestigen").click()
    expect(page.locator(".messages")).to_have_text(
        "Verlengd van 01/05/2026 tot 30/04/2027; lidgeld € 12,00 openstaand."
    )
    kiosk = page.locator("#block-kiosk")
    assert "blocked" in (kiosk.get_attribute("class") or "")
    expect(kiosk.locator(".verdict")).to_have_text("geblokkeerd")
    assert kiosk.locator(".reason").inner_text() == KIOSK_REASON
    assert "allowed" in (page.locator("#block-desk").get_attribute("class") or "")
    screenshot(page, "desk-borrower-fee-open")
    assert Membership.objects.filter(borrower=five[3]).count() == 2


def test_renew_three_of_five_from_the_expiring_list(page, live_server, gent, five):
    logged_in(page, make_staff("balie-gent", gent), live_server)
    page.goto("/staff/expiring/")
    assert page.locator("input[name=card]").count() == 5
    screenshot(page, "desk-expiring")
    for borrower in (five[0], five[2], five[4]):
        page.check(f"input[name=card][value='{borrower.card_number}']")
    page.get_by_role("button", name="Selectie verlengen — lidgeld betaald").click()
    page.wait_for_selector("#renew-results")
    results = page.locator("#renew-results li")
    assert results.count() == 3
    assert page.locator("#renew-results li.ok").count() == 3
    for line in results.all_inner_texts():
        assert line.endswith(": Verlengd van 01/05/2026 tot 30/04/2027; lidgeld € 12,00 betaald.")
    left = page.locator("input[name=card]")
    assert sorted(left.evaluate_all("boxes => boxes.map(b => b.value)")) == [
        five[1].card_number,
        five[3].card_number,
    ]
    assert [Membership.objects.filter(borrower=b).count() for b in five] == [2, 1, 2, 1, 2]


def test_an_english_browser_gets_dutch_until_english_is_chosen(browser, live_server, gent):
    make_staff("balie-gent", gent)
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    english = context.new_page()
    try:
        english.goto("/staff/login/")
        expect(english.locator("html")).to_have_attribute("lang", "nl")
        expect(english.get_by_role("heading", name="Aanmelden")).to_be_visible()
        # the switch sends the form as soon as English is chosen
        english.get_by_label("Taal").select_option("en")
        expect(english.get_by_role("heading", name="Log in")).to_be_visible()
        expect(english.locator("html")).to_have_attribute("lang", "en")
        assert english.url.endswith("/staff/login/")
        english.get_by_label("User name").fill("balie-gent")
        english.get_by_label("Password").fill(PASSWORD)
        english.get_by_role("button", name="Log in").click()
        expect(english.get_by_role("heading", name="Memberships ending per month")).to_be_visible()
        english.get_by_label("Language").select_option("nl")
        expect(
            english.get_by_role("heading", name="Aflopende abonnementen per maand")
        ).to_be_visible()
    finally:
        context.close()


def test_a_borrower_of_another_library_is_not_found_even_by_address(page, live_server, gent):
    brugge = make_instance("BRUGGE")
    outsider = make_borrower(brugge, last_name="Brugs")
    logged_in(page, make_staff("balie-gent", gent), live_server)
    response = page.goto(f"/staff/borrowers/{outsider.pk}/")
    assert response is not None
    assert response.status == 404
    assert "Brugs" not in page.content()
    page.goto("/staff/borrowers/?q=brugs")
    assert "Brugs" not in page.locator("#results").inner_text()


AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"


def accessibility_problems(page) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core (from npm) finds on the page."""
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


def test_the_desk_pages_pass_axe_and_fit_a_tablet(page, live_server, gent, five):
    coordinator = make_staff("coordinator-gent", gent, role="coordinator")
    owing = five[3]
    membership = owing.memberships.get()
    posting = make_open_fee(membership, date(2026, 4, 2))
    logged_in(page, coordinator, live_server)
    addresses = [
        "/staff/",
        "/staff/borrowers/?q=a",
        f"/staff/borrowers/{owing.pk}/",
        f"/staff/borrowers/{owing.pk}/renew/open/",
        f"/staff/borrowers/{owing.pk}/items/{posting.pk}/write-off/",
        "/staff/expiring/",
    ]
    problems: list[str] = []
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 1000})
        for address in addresses:
            page.goto(address)
            if address == "/staff/":
                page.wait_for_selector("#next-run-table, #run-nothing")
            if width == 1280:
                problems += accessibility_problems(page)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                problems.append(f"{address} is {overflow} px too wide at {width} px")
    assert problems == []


def test_the_keyboard_reaches_and_works_the_renewal(page, live_server, gent, five):
    logged_in(page, make_staff("balie-gent", gent), live_server)
    page.goto(f"/staff/borrowers/{five[0].pk}/")
    page.focus("#renew-paid")
    page.keyboard.press("Enter")
    page.wait_for_selector("#confirm")
    page.focus("#confirm")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages")
    assert Membership.objects.filter(borrower=five[0]).count() == 2
