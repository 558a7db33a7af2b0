"""Reports as pages: the seed's filters, Belgian dates and amounts, downloads through the
audited API, mistakes said in the page, and only one's own libraries."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.libraries.models import CooperationGroup
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

APRIL_1 = date(2026, 4, 1)


@pytest.fixture
def world():
    gent, brugge = make_instance("GENT"), make_instance("BRUGGE")
    an = make_borrower(gent, card="G1", email="an@example.be", first_name="An", last_name="Aerts")
    make_message(an, APRIL_1)
    make_message(make_borrower(brugge, card="B1", first_name="Bo", last_name="Bral"), APRIL_1)
    volw = make_type(gent, fee="12.50")
    make_open_fee(make_membership(an, volw, date(2026, 4, 2)), date(2026, 4, 2), amount="1234.50")
    return gent, brugge


@pytest.fixture
def desk(client, world):
    client.force_login(make_staff("balie-gent", world[0]))
    return client


def test_the_seeds_cae_overview_lists_who_got_a_cae_mail(desk):
    response = desk.get(
        "/staff/reports/",
        {"report": "messages", "kind": "CAE", "from": "2026-04-01", "to": "2026-04-01"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "An Aerts" in page
    assert "01/04/2026" in page
    assert "Bo Bral" not in page  # BRUGGE is not this desk's library
    # the downloads carry the same filters to the audited endpoint
    assert "/api/reports/messages?" in page
    assert "kind=CAE" in page
    assert "format=xlsx" in page


def test_outstanding_items_show_belgian_amounts_with_subtotals(desk):
    response = desk.get("/staff/reports/", {"report": "outstanding"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "€ 1.234,50" in page
    assert "row-subtotal" in page
    assert "row-total" in page
    assert 'value="1000-1999"' in page  # the seed's default range


def test_expiring_report_defaults_to_this_month(desk):
    page = desk.get("/staff/reports/", {"report": "expiring"}).content.decode()
    assert 'value="2026-04"' in page
    assert "Vervallende abonnementen" in page


def test_a_wrong_filter_is_said_in_the_page_without_downloads(desk):
    response = desk.get(
        "/staff/reports/", {"report": "messages", "from": "2026-04-02", "to": "2026-04-01"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "de periode begint na het einde" in page
    assert "/api/reports/" not in page


def test_another_librarys_report_is_refused(desk):
    response = desk.get("/staff/reports/", {"report": "messages", "instance": "BRUGGE"})
    assert response.status_code == 400
    assert "je hebt geen toegang tot de leners van die bibliotheek" in response.content.decode()


def test_the_download_link_is_audited(desk):
    response = desk.get("/api/reports/outstanding", {"format": "csv", "codes": "1000-1999"})
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action="report.export")
    assert (event.actor, event.after["rows"]) == ("staff:balie-gent", 3)  # item, subtotal, total


def test_an_unknown_report_falls_back_to_the_message_overview(desk):
    response = desk.get("/staff/reports/", {"report": "nope"})
    assert response.status_code == 200
    assert 'aria-current="page">' in response.content.decode()


def test_the_page_is_dutch_by_default(desk):
    page = desk.get("/staff/reports/").content.decode()
    assert "<h1>Rapporten</h1>" in page
    assert '<h2 id="filters-title">Overzicht berichten</h2>' in page
    assert '<label for="f-type">Berichttype</label>' in page
    assert '<option value="C" selected>C – Lidgeld</option>' in page
    assert "CAE – einde contributie" in page
    assert "<legend>Soort overzicht</legend>" in page
    assert "Downloaden:" in page
    page = desk.get("/staff/reports/", {"report": "outstanding"}).content.decode()
    assert '<label for="f-codes">Boekingscodes</label>' in page
    assert '<label for="f-from">Ontstaan vanaf</label>' in page


def test_the_page_is_english_by_choice(desk):
    desk.cookies["django_language"] = "en"
    page = desk.get("/staff/reports/").content.decode()
    assert "Message overview" in page
    assert "Download:" in page


def test_a_desk_sees_the_groups_borrowers_but_downloads_only_its_own(client):
    """R11: the page shows the borrowers of the whole cooperation group; the downloads
    (personal data in bulk) need the coordinator role for those of LOCH."""
    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent, loch = make_instance("GENT", group=group), make_instance("LOCH", group=group)
    make_message(make_borrower(gent, card="G1", first_name="An", last_name="Aerts"), APRIL_1)
    make_message(make_borrower(loch, card="L1", first_name="Lien", last_name="Lo"), APRIL_1)
    client.force_login(make_staff("balie-gent", gent))
    query = {"report": "messages", "from": "2026-04-01", "to": "2026-04-01"}
    response = client.get("/staff/reports/", query)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Lien Lo" in page
    assert (
        "Downloaden niet toegestaan: deze export bevat leners van andere bibliotheken (LOCH)"
        in page
    )
    assert "/api/reports/messages?" not in page
    refused = client.get("/api/reports/messages", {**query, "format": "csv"})
    assert refused.status_code == 403
    assert not AuditEvent.objects.filter(action="report.export").exists()
    # GENT alone it may download
    page = client.get("/staff/reports/", {**query, "instance": "GENT"}).content.decode()
    assert "/api/reports/messages?" in page
    client.force_login(make_staff("coord-gent", gent, role="coordinator"))
    assert "/api/reports/messages?" in client.get("/staff/reports/", query).content.decode()
