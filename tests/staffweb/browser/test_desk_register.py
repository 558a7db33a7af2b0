"""The desk registers, corrects and gives a PIN in a real browser (Debian's Chromium):
register with the fee open and see the kiosk block, correct an address, find Hélène
by typing "helene" in the header's quick search; axe-core finds nothing on the new
pages, the header included. Screenshots are kept in test-artifacts/screenshots."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from lidgeld.borrowers.models import Borrower
from tests.browser import screenshot
from tests.factories import make_borrower, make_instance, make_membership, make_staff, make_type

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
KIOSK_REASON = (
    "Je lidgeld van € 12,00 is nog niet betaald. Betaal het om aan de zelfuitleentoestellen "
    "te lenen."
)


@pytest.fixture
def gent():
    return make_instance("GENT", iban="BE68539007547034")


@pytest.fixture
def adult(gent):
    return make_type(gent, fee="12.00")


@pytest.fixture
def desk(page, live_server, gent):
    client = Client()
    client.force_login(make_staff("balie-gent", gent))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def accessibility_problems(page) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core finds on the whole page, header included."""
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


def fill_in_helene(page) -> None:
    page.get_by_label("Voornaam").fill("Hélène")
    page.get_by_label("Achternaam").fill("Van Acker")
    page.get_by_label("Geboortedatum").fill("1990-03-14")
    page.get_by_label("Straat").fill("Kerkstraat")
    page.get_by_label("Huisnummer").fill("12")
    page.get_by_label("Postcode").fill("9000")
    page.get_by_label("Gemeente").fill("Gent")
    page.get_by_label("E-mailadres").fill("helene@example.be")
    page.get_by_label("Kaartnummer").fill("B9000000001")


def test_register_with_the_fee_open_and_see_the_kiosk_block(desk, adult):
    page = desk
    page.goto("/staff/")
    page.get_by_role("link", name="Nieuwe lener").click()
    expect(page.get_by_role("heading", name="Nieuwe lener", level=1)).to_be_visible()
    fill_in_helene(page)
    page.get_by_label("Abonnementstype").select_option(label="GENT — Volw (€ 12,00, 12 maanden)")
    page.get_by_label("blijft openstaan").check()
    page.get_by_label("voorlopig geen pincode").check()
    screenshot(page, "desk-register-form")
    page.get_by_role("button", name="Registreren", exact=True).click()
    expect(page.locator(".messages")).to_have_text(
        "Hélène Van Acker is ingeschreven met kaart B9000000001."
    )
    kiosk = page.locator("#block-kiosk")
    assert "blocked" in (kiosk.get_attribute("class") or "")
    assert kiosk.locator(".reason").inner_text() == KIOSK_REASON
    screenshot(page, "desk-registered-fee-open")


def test_correct_an_address(desk, gent):
    an = make_borrower(
        gent, street="Kerkstraat", house_number="12", postal_code="9000", city="Gent"
    )
    page = desk
    page.goto(f"/staff/borrowers/{an.pk}/")
    page.get_by_role("link", name="Gegevens aanpassen").click()
    expect(page.get_by_label("Straat")).to_have_value("Kerkstraat")
    page.get_by_label("Straat").fill("Veldstraat")
    page.get_by_label("Postcode").fill("9050")
    page.get_by_label("Gemeente").fill("Gentbrugge")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.locator(".messages")).to_have_text(
        "Gegevens aangepast: straat: Kerkstraat → Veldstraat; postcode: 9000 → 9050; "
        "gemeente: Gent → Gentbrugge."
    )
    audit = page.locator("table.desk-audit tbody tr").first
    expect(audit).to_contain_text("borrower.details_corrected")
    expect(audit).to_contain_text("Veldstraat")
    screenshot(page, "desk-details-corrected")
    an.refresh_from_db()
    assert (an.street, an.postal_code, an.city) == ("Veldstraat", "9050", "Gentbrugge")


def test_helene_finds_helene_from_the_header_search(desk, gent):
    make_borrower(
        gent, first_name="Hélène", last_name="Van Acker", birth_date=date(1990, 3, 14),
        postal_code="9000", city="Gent", card="B0000000001",
    )  # fmt: skip
    make_borrower(
        gent, first_name="Hélène", last_name="Van Acker", birth_date=date(1962, 7, 1),
        postal_code="9050", city="Gentbrugge", card="B0000000002",
    )  # fmt: skip
    page = desk
    page.goto("/staff/expiring/")
    # the keyboard reaches the header's search box
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "header-q":
            break
    else:
        pytest.fail("Tab never reached the header's search box")
    page.keyboard.type("helene")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.desk-results")
    rows = page.locator("table.desk-results tbody tr")
    expect(rows).to_have_count(2)
    # namesakes are told apart by birth date and municipality
    expect(rows.nth(0)).to_contain_text("14/03/1990")
    expect(rows.nth(0)).to_contain_text("9000 Gent")
    expect(rows.nth(1)).to_contain_text("01/07/1962")
    expect(rows.nth(1)).to_contain_text("9050 Gentbrugge")
    screenshot(page, "desk-header-search-helene")
    # a scanned card from the header opens the borrower at once
    page.get_by_label("Lener zoeken: kaart, naam of e-mail").fill("B0000000002")
    page.get_by_label("Lener zoeken: kaart, naam of e-mail").press("Enter")
    page.wait_for_selector("#block-kiosk")
    expect(page.locator("#card")).to_have_text("B0000000002")


def test_the_new_pages_pass_axe(desk, gent, adult):
    an = make_borrower(
        gent, first_name="Hélène", last_name="Van Acker", birth_date=date(1990, 3, 14),
        email="", card="B0000000777",
    )  # fmt: skip
    make_membership(an, adult, date(2025, 5, 1))
    page = desk
    problems: list[str] = []
    for address in ("/staff/borrowers/new/", f"/staff/borrowers/{an.pk}/details/",
                    f"/staff/borrowers/{an.pk}/pin/", "/staff/borrowers/?q=helene"):  # fmt: skip
        page.goto(address)
        problems += accessibility_problems(page)
    # the form with a refusal by its field, then the duplicate warning
    page.goto("/staff/borrowers/new/")
    fill_in_helene(page)
    page.get_by_label("Postcode").fill("12")
    page.get_by_role("button", name="Registreren", exact=True).click()
    expect(page.locator("#form-error")).to_contain_text("is geen Belgische postcode")
    problems += accessibility_problems(page)
    page.get_by_label("Postcode").fill("9000")
    page.get_by_label("de lener tikt hem (volgend scherm)").check()
    page.get_by_role("button", name="Registreren", exact=True).click()
    expect(page.get_by_role("heading", name="Is deze persoon al ingeschreven?")).to_be_visible()
    screenshot(page, "desk-register-duplicate")
    problems += accessibility_problems(page)
    # registered anyway: the borrower's own screen for the PIN
    page.get_by_role("button", name="Toch registreren").click()
    expect(page.get_by_role("heading", name="Hélène, kies je pincode")).to_be_visible()
    problems += accessibility_problems(page)
    page.get_by_label("Pincode", exact=True).fill("4826")
    page.get_by_label("Pincode nog eens").fill("4862")
    page.get_by_role("button", name="Pincode bewaren en registreren").click()
    expect(page.get_by_text("De twee pincodes verschillen")).to_be_visible()
    problems += accessibility_problems(page)
    page.get_by_label("Pincode", exact=True).fill("4826")
    page.get_by_label("Pincode nog eens").fill("4826")
    page.get_by_role("button", name="Pincode bewaren en registreren").click()
    expect(page.locator(".messages")).to_contain_text("is ingeschreven met kaart B9000000001")
    # a generated PIN on its slip
    new = Borrower.objects.get(card_number="B9000000001")
    page.goto(f"/staff/borrowers/{new.pk}/pin/")
    page.get_by_role("button", name="Genereer een pincode en toon het briefje").click()
    expect(page.locator("#slip-pin")).to_have_text(re.compile(r"^\d{6}$"))
    screenshot(page, "desk-pin-slip")
    problems += accessibility_problems(page)
    assert problems == []
