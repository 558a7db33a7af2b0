"""In the browser: a coordinator changes the CAE text and sees it in the live preview
for a chosen borrower, sees a mistake with its line, and saves."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lidgeld.notices.models import NoticeTemplate
from tests.browser import screenshot
from tests.factories import make_borrower, make_instance, make_staff
from tests.staffweb.browser.office import accessibility_problems, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_cae_text_is_changed_and_seen_in_the_preview(page, live_server):
    gent = make_instance("GENT", name="Bibliotheek Gent")
    make_borrower(gent, card="G1", first_name="Griet")
    make_borrower(gent, card="G2", first_name="Jonas")
    log_in(page, live_server, make_staff("coord-gent", gent, role="coordinator"))

    page.goto("/staff/templates/GENT/CAE/nl/")
    expect(page.locator("#preview-text")).to_contain_text("Beste Griet")

    body = page.locator("#id_body_text")
    body.fill("Beste {{ first_name }},\n\nDe bibliotheek is tot 3 januari gesloten.\n")
    expect(page.locator("#preview-text")).to_contain_text("tot 3 januari gesloten")

    # another borrower, chosen by card
    page.locator("#preview-card").fill("G2")
    page.locator("#preview-card").press("Enter")
    expect(page.locator("#preview-text")).to_contain_text("Beste Jonas")
    screenshot(page, "office-notice-text-preview")
    assert accessibility_problems(page) == []

    # a mistake shows with its line, while typing
    body.fill("Beste {{ first_name }},\n{{ voornaam }}")
    expect(page.locator("#preview-problems")).to_contain_text(
        "tekst, regel 2"
    )  # the page speaks Dutch

    body.fill("Beste {{ first_name }},\n\nDe bibliotheek is tot 3 januari gesloten.\n")
    page.locator("#template-form").get_by_role("button", name="Bewaren").click()
    expect(page.locator(".messages")).to_have_text("De tekst is bewaard.")
    saved = NoticeTemplate.objects.get(instance=gent, kind="AE", language="nl")
    assert "tot 3 januari gesloten" in saved.body_text
