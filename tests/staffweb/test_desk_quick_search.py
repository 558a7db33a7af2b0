"""The header of every staff page: a quick search (a scanned card opens the borrower)
and "New borrower"; the results tell namesakes apart by date of birth and municipality,
on the search page and in its live (htmx) results alike."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.factories import make_borrower, make_instance, make_staff
from tests.staffweb.desk_forms import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def gent():
    return make_instance("GENT")


@pytest.fixture
def desk(client, gent):
    client.force_login(make_staff("balie-gent", gent))
    return client


@pytest.fixture
def namesakes(gent):
    return [
        make_borrower(
            gent, first_name="Hélène", last_name="Van Acker", card="B0000000001",
            birth_date=date(1990, 3, 14), postal_code="9000", city="Gent",
        ),
        make_borrower(
            gent, first_name="Hélène", last_name="Van Acker", card="B0000000002",
            birth_date=date(1962, 7, 1), postal_code="9050", city="Gentbrugge",
        ),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "address", ["/staff/", "/staff/expiring/", "/staff/letters/", "/staff/reports/"]
)
def test_every_staff_page_has_the_quick_search_and_new_borrower(desk, address):
    html = desk.get(address).content.decode()
    form = re.search(
        r'<form method="get" action="/staff/borrowers/" role="search".*?</form>', html, re.S
    )
    assert form is not None, address
    assert (
        '<label for="header-q" class="visually-hidden">Lener zoeken: kaart, naam of e-mail</label>'
        in form.group(0)
    )
    assert '<input id="header-q" name="q" type="search"' in form.group(0)
    assert (
        '<a class="button" id="new-borrower" href="/staff/borrowers/new/">Nieuwe lener</a>' in html
    )


def test_the_login_page_has_no_quick_search(client):
    assert 'id="header-q"' not in client.get("/staff/login/").content.decode()


def test_a_scanned_card_from_the_header_opens_the_borrower(desk, namesakes):
    response = desk.get("/staff/borrowers/", {"q": "B0000000002"})
    assert response["Location"] == f"/staff/borrowers/{namesakes[1].pk}/"


@pytest.mark.parametrize("htmx", [False, True])
def test_namesakes_are_told_apart_by_birth_date_and_municipality(desk, namesakes, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    text = text_of(desk.get("/staff/borrowers/", {"q": "helene"}, headers=headers))
    assert "Geboortedatum Gemeente" in text
    assert "Van Acker, Hélène 14/03/1990 9000 Gent B0000000001" in text
    assert "Van Acker, Hélène 01/07/1962 9050 Gentbrugge B0000000002" in text
