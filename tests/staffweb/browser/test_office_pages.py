"""In the browser: the back-office pages as an administrator sees them (screenshots kept
as artefacts), checked with axe-core, usable by keyboard and on a tablet."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from lidgeld.clock import at_nine
from lidgeld.kiosks.services import terminal_add
from lidgeld.libraries.models import Instance
from tests.browser import screenshot
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_message,
    make_open_fee,
    make_staff,
    make_type,
)
from tests.staffweb.browser.office import accessibility_problems, log_in

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = date(2026, 4, 10)
PAGES = {
    "office-reports-outstanding": "/staff/reports/?report=outstanding",
    "office-reports-messages": "/staff/reports/?report=messages&from=2026-04-01&to=2026-04-01",
    "office-notice-texts": "/staff/templates/",
    "office-settings": "/staff/settings/",
    "office-kiosks": "/staff/settings/terminals/",
    "office-types": "/staff/settings/types/",
    "office-accounts": "/staff/settings/accounts/",
}


@pytest.fixture
def network():
    gent = make_instance("GENT", name="Bibliotheek Gent", iban="BE68539007547034")
    volw = make_type(gent, fee="12.50")
    for card, first, last in (("G1", "An", "Aerts"), ("G2", "Bo", "Bosmans")):
        borrower = make_borrower(gent, card=card, first_name=first, last_name=last)
        membership = make_membership(borrower, volw, date(2025, 5, 1))
        make_message(borrower, date(2026, 4, 1), membership=membership)
        make_open_fee(membership, date(2026, 4, 2), amount="12.50")
    terminal_add(login="kiosk-gent-1", password="kiosk-secret-1", instance_code="GENT",
                 location="Inkom", today=TODAY, now=at_nine(TODAY), actor="test")  # fmt: skip
    make_staff("balie-gent", gent)
    return gent


def test_the_main_pages_are_accessible(page, live_server, network):
    log_in(page, live_server, make_staff("beheer-gent", network, role="administrator"))
    problems = {}
    for name, path in PAGES.items():
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        screenshot(page, name)
        problems[name] = accessibility_problems(page)
    assert problems == {name: [] for name in PAGES}


def test_settings_are_changed_with_the_keyboard_alone(page, live_server, network):
    log_in(page, live_server, make_staff("beheer-gent", network, role="administrator"))
    page.goto("/staff/settings/")
    field = page.locator("#id_unpaid_after_months")
    field.focus()
    field.fill("5")
    outline = field.evaluate("node => getComputedStyle(node).outlineStyle")
    assert outline != "none"  # the focus is visible
    field.press("Enter")  # submits the form
    expect(page.locator(".messages")).to_have_text("De instellingen van GENT zijn bewaard.")
    assert Instance.objects.get(code="GENT").unpaid_after_months == 5


def test_the_builder_and_the_settings_fit_a_tablet(browser, live_server, network):
    context = browser.new_context(
        viewport={"width": 820, "height": 1180}, locale="nl-BE", base_url=live_server.url
    )
    tablet = context.new_page()
    try:
        log_in(tablet, live_server, make_staff("beheer-gent", network, role="administrator"))
        for path in ("/staff/selections/", "/staff/settings/", "/staff/templates/GENT/CAE/nl/"):
            tablet.goto(path)
            expect(tablet.locator("main h1")).to_be_visible()
            overflow = tablet.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, path
        screenshot(tablet, "office-notice-text-tablet")
    finally:
        context.close()
