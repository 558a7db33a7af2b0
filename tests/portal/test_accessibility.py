"""Every portal page passes axe-core (from npm, injected into the page by the browser)
without serious or critical violations, in the states that matter: blocked with
disabled actions, a fee with its QR code, forms with errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from lidgeld.circulation.models import ReservationStatus
from lidgeld.clock import clock
from lidgeld.portal.accounts import pin_reset_token
from tests.factories import make_item, make_loan, make_message, make_reservation
from tests.portal.conftest import PIN, member

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run 'npm ci' in the repository root")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async () => await axe.run(document, {
               runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                "wcag22aa", "best-practice"]},
               resultTypes: ["violations"],
           })"""
    )
    return [v for v in results["violations"] if v["impact"] in FAILING]


def check(page: Any, audited: list[str], problems: dict[str, Any]) -> None:
    """Run axe on the page as it is now and keep what fails, by address."""
    url = page.url.split("/portal", 1)[-1] or "/"
    audited.append(url)
    found = axe_violations(page)
    if found:
        problems[url] = [
            {
                "rule": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "where": [node["target"] for node in v["nodes"]][:5],
                "why": [node["failureSummary"] for node in v["nodes"]][:2],
            }
            for v in found
        ]


def report(audited: list[str], problems: dict[str, Any]) -> None:
    print(f"axe-core checked {len(audited)} pages: {', '.join(audited)}")
    assert not problems, "serious or critical accessibility violations:\n" + json.dumps(
        problems, indent=2, ensure_ascii=False
    )


def test_every_portal_page_passes_axe(phone, gent, adult):
    borrower = member(gent, adult, start=date(2025, 4, 1))  # expired: banner, disabled buttons
    make_loan(borrower, make_item(gent, "De Avonden"), date(2026, 3, 1))
    make_reservation(
        borrower, make_item(gent, "Het Achterhuis"), date(2026, 3, 5), ReservationStatus.HELD
    )
    sent = make_message(borrower, date(2026, 3, 1))
    sent.subject, sent.body = "Je lidmaatschap loopt binnenkort af", "Beste An,\n\nTot snel."
    sent.rendered_at = timezone.now()
    sent.save()
    page = phone
    audited: list[str] = []
    problems: dict[str, Any] = {}

    # before logging in
    page.goto("/portal/login/")
    check(page, audited, problems)
    page.get_by_label("Kaartnummer").fill(borrower.card_number)
    page.get_by_label("Pincode").fill("0000")
    page.get_by_role("button", name="Aanmelden").click()
    assert page.get_by_role("alert").count() == 1
    check(page, audited, problems)  # with the error
    page.goto("/portal/pin/forgot/")
    check(page, audited, problems)
    page.get_by_role("button", name="Stuur me een link").click()  # empty: an error
    check(page, audited, problems)
    page.get_by_label("Kaartnummer").fill("NOBODY-1")
    page.get_by_role("button", name="Stuur me een link").click()
    check(page, audited, problems)  # "check your e-mail"
    page.goto("/portal/pin/reset/set/")  # no valid link
    check(page, audited, problems)
    page.goto(f"/portal/pin/reset/{pin_reset_token(borrower, now=clock.now())}/")
    page.get_by_role("button", name="Nieuwe pincode bewaren").click()  # empty: errors
    check(page, audited, problems)

    # logged in, blocked
    page.goto("/portal/login/")
    page.get_by_label("Kaartnummer").fill(borrower.card_number)
    page.get_by_label("Pincode").fill(PIN)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url("**/portal/membership/")
    for address in (
        "/portal/membership/",
        "/portal/loans/",
        "/portal/reservations/?q=Avonden",
        "/portal/reservations/?q=Zzyzx",
        "/portal/messages/",
        f"/portal/messages/{sent.pk}/",
        "/portal/profile/",
        "/portal/membership/renew/",
    ):
        page.goto(address)
        check(page, audited, problems)
    page.goto("/portal/profile/")
    page.get_by_role("button", name="E-mailadres bewaren").click()  # no PIN: errors
    check(page, audited, problems)

    # renewed: the fee with its timeline and QR code, the open-amount note, flash messages
    page.goto("/portal/membership/renew/")
    page.get_by_role("button", name="Mijn lidmaatschap vernieuwen").click()
    page.wait_for_url("**/portal/membership/")
    check(page, audited, problems)
    page.goto("/portal/loans/")
    page.get_by_role("button", name="Verlengen De Avonden").click()
    check(page, audited, problems)
    report(audited, problems)


def test_the_membership_page_passes_axe_on_a_desk_screen_too(page, gent, adult):
    borrower = member(gent, adult, language="fr")
    page.goto("/portal/login/")
    page.get_by_label("Kaartnummer").fill(borrower.card_number)
    page.get_by_label("Pincode").fill(PIN)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url("**/portal/membership/")
    assert page.locator("html").get_attribute("lang") == "fr"
    audited: list[str] = []
    problems: dict[str, Any] = {}
    check(page, audited, problems)
    report(audited, problems)
