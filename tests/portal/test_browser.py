"""Mijn Bibliotheek in a real browser (Debian's Chromium through Playwright), on a phone.

The seed's borrower, expired at the end of March, logs in, reads why they are blocked,
cannot reserve, sees their held reservation keep its place, renews online, pays the fee
with the QR code's reference (a bank statement, or the desk) and finds every block gone.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from string import Template

import pytest
import xmlschema
import zxingcpp
from PIL import Image

from lidgeld.circulation.models import Reservation, ReservationStatus
from lidgeld.clock import at_nine
from lidgeld.domain.payment_reference import structured_communication
from lidgeld.finance.bank import bank_statement_import
from lidgeld.finance.models import Posting, PostingStatus
from lidgeld.finance.services import payment_register
from lidgeld.memberships.models import Membership, Origin
from lidgeld.operations.renewals import membership_renew
from lidgeld.standing.status import borrower_status
from tests.browser import screenshot
from tests.factories import make_item, make_loan, make_reservation
from tests.portal.conftest import PIN, member

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).parent / "fixtures"
STATEMENT = FIXTURES / "one_transfer.camt.053.001.02.xml.tmpl"
CAMT_XSD = Path(__file__).parents[1] / "finance" / "fixtures" / "camt.053.001.02.xsd"
EXPIRED_REASON = "Je lidmaatschap is afgelopen op 31/03/2026."
HELD = "Voor jou bewaard — je reservering loopt verder zodra je lidmaatschap vernieuwd is."


def log_in(page, borrower) -> None:
    page.goto("/portal/")
    page.get_by_label("Kaartnummer").fill(borrower.card_number)
    page.get_by_label("Pincode").fill(PIN)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url("**/portal/membership/")


def statement_paying(reference: str, amount: Decimal, day: date) -> bytes:
    """A bank statement with one transfer of ``amount`` with ``reference``, checked
    against the CAMT.053 schema before anyone imports it."""
    xml = Template(STATEMENT.read_text()).substitute(
        day=day.isoformat(),
        account="BE68539007547034",
        amount=f"{amount:.2f}",
        closing=f"{Decimal('1000.00') + amount:.2f}",
        reference="".join(char for char in reference if char.isdigit()),
    )
    xmlschema.XMLSchema(str(CAMT_XSD)).validate(xml)
    return xml.encode()


def qr_payload(page) -> str:
    """The QR code on the page, read back from the image the browser shows."""
    image = page.get_by_role("img", name="QR-code om € 12,00 te betalen met je bank-app")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    png = page.request.get(image.get_attribute("src")).body()
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return code.text


@pytest.fixture
def queue(gent, adult):
    """An expired borrower whose reservation of "Het Achterhuis" is held, second in a
    queue of three; and "De Avonden" on the shelf."""
    borrower = member(gent, adult, start=date(2025, 4, 1))  # ended 31 March 2026
    book = make_item(gent, "Het Achterhuis")
    first = member(gent, adult, start=date(2026, 1, 1))
    third = member(gent, adult, start=date(2026, 1, 1))
    make_reservation(first, book, date(2026, 3, 1))
    held = make_reservation(borrower, book, date(2026, 3, 5), ReservationStatus.HELD)
    make_reservation(third, book, date(2026, 3, 20))
    shelf = make_item(gent, "De Avonden")
    return borrower, held, shelf


@pytest.mark.parametrize("payment", ["bank", "desk"])
def test_an_expired_borrower_renews_online_pays_and_is_unblocked(phone, queue, payment):
    borrower, held, shelf = queue
    page = phone

    # logs in, and reads why and what to do
    log_in(page, borrower)
    banner = page.get_by_role("region", name="Verlengen en reserveren kan even niet")
    assert EXPIRED_REASON in banner.inner_text()
    assert "Je kan je lidmaatschap hier meteen online vernieuwen." in banner.inner_text()
    screenshot(page, f"portal-expired-membership-{payment}")

    # cannot reserve, and sees the held reservation keep its place
    page.get_by_role("link", name="Reserveringen").click()
    page.get_by_label("Titel of streepjescode").fill("Avonden")
    page.get_by_role("button", name="Zoeken").click()
    reserve = page.get_by_role("button", name="Reserveren De Avonden")
    assert reserve.is_disabled()
    assert EXPIRED_REASON in page.locator("#reserve-reason").inner_text()
    assert reserve.get_attribute("aria-describedby") == "reserve-reason"
    mine = page.get_by_role("listitem").filter(has_text="Het Achterhuis")
    assert HELD in mine.inner_text()
    assert "Plaats in de wachtrij: 2" in mine.inner_text()
    screenshot(page, f"portal-expired-reservations-{payment}")

    # renews online: first what it gets and costs, then one click
    page.get_by_role("link", name="Mijn lidmaatschap online vernieuwen").first.click()
    page.wait_for_url("**/portal/membership/renew/")
    assert "Van 10/04/2026 Tot en met 30/04/2027 Lidgeld € 12,00" in " ".join(
        page.locator("dl").inner_text().split()
    )
    page.get_by_role("button", name="Mijn lidmaatschap vernieuwen").click()
    page.wait_for_url("**/portal/membership/")
    assert "Je lidmaatschap is vernieuwd tot 30/04/2027." in page.get_by_role("status").inner_text()
    assert Membership.objects.filter(borrower=borrower, origin=Origin.PORTAL).exists()

    # the fee appears with its reference and QR code
    fee = Posting.objects.get(borrower=borrower, status=PostingStatus.OPEN)
    fee_section = page.get_by_role("region", name="Lidgeld te betalen")
    reference = fee_section.locator(".reference").inner_text()
    assert reference == structured_communication(fee.pk)
    payload = qr_payload(page)
    assert payload.splitlines()[7:] == [
        "EUR12.00",
        "",
        "".join(c for c in reference if c.isdigit()),
    ]
    assert "Betaal vóór 1 oktober 2026 om Mijn Bibliotheek te blijven gebruiken." in (
        fee_section.inner_text()
    )
    screenshot(page, f"portal-renewed-fee-{payment}")

    # the held reservation resumed in its place (R3: on renewal)
    held.refresh_from_db()
    assert held.status == ReservationStatus.WAITING
    page.get_by_role("link", name="Reserveringen").click()
    mine = page.get_by_role("listitem").filter(has_text="Het Achterhuis")
    assert "Plaats in de wachtrij: 2" in mine.inner_text()
    assert HELD not in mine.inner_text()

    # the payment is registered: by the bank statement, or at the desk
    if payment == "bank":
        report = bank_statement_import(
            data=statement_paying(reference, fee.balance, date(2026, 4, 10)),
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor="staff:boekhouding",
        )
        assert report.counts["paid"] == 1
    else:
        payment_register(
            borrower=borrower,
            amount=fee.balance,
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor="staff:balie",
        )

    # every block is gone: no banner, nothing to pay, reserving works
    page.get_by_role("link", name="Lidmaatschap").click()
    assert page.get_by_role("region", name="Lidgeld te betalen").count() == 0
    assert page.locator(".banner").count() == 0
    status = borrower_status(borrower=borrower, today=date(2026, 4, 10))
    assert all(block.allowed for block in status.blocks.values())
    page.get_by_role("link", name="Reserveringen").click()
    page.get_by_label("Titel of streepjescode").fill("Avonden")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_role("button", name="Reserveren De Avonden").click()
    assert "De Avonden is voor jou gereserveerd." in page.get_by_role("status").inner_text()
    assert Reservation.objects.get(borrower=borrower, item=shelf).status == (
        ReservationStatus.WAITING
    )
    screenshot(page, f"portal-paid-reservations-{payment}")


def test_at_the_unpaid_stage_login_works_and_renewing_and_reserving_say_why_not(
    phone, gent, adult, at
):
    # R6's example: renewed on 10 April 2026 with the fee open; on 1 October it is unpaid
    borrower = member(gent, adult)
    membership_renew(
        borrower=borrower,
        paid=False,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="staff:b",
    )
    make_loan(borrower, make_item(gent, "De Avonden"), date(2026, 9, 20))
    make_item(gent, "Het Achterhuis")
    at(date(2026, 10, 1))
    reason = (
        "Je lidgeld van € 12,00 is niet betaald. Betaal het aan de balie; tot dan kan je in "
        "Mijn Bibliotheek niet verlengen of reserveren."
    )
    page = phone
    log_in(page, borrower)
    assert (
        reason
        in page.get_by_role("region", name="Verlengen en reserveren kan even niet").inner_text()
    )

    page.get_by_role("link", name="Uitleningen").click()
    renew = page.get_by_role("button", name="Verlengen De Avonden")
    assert renew.is_disabled()
    assert page.locator("#renew-reason").inner_text() == f"Verlengen kan nu niet. {reason}"
    screenshot(page, "portal-unpaid-loans")

    page.get_by_role("link", name="Reserveringen").click()
    page.get_by_label("Titel of streepjescode").fill("Achterhuis")
    page.get_by_role("button", name="Zoeken").click()
    assert page.get_by_role("button", name="Reserveren Het Achterhuis").is_disabled()
    assert page.locator("#reserve-reason").inner_text() == f"Reserveren kan nu niet. {reason}"
    screenshot(page, "portal-unpaid-reservations")
