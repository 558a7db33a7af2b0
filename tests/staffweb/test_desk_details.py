"""Correcting a borrower's details at the desk: the form prefilled, only what changed
sent to the service, the change said before → after and kept in the audit trail."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower
from lidgeld.notices.models import Message
from tests.factories import make_borrower, make_instance, make_staff
from tests.staffweb.desk_forms import text_of, value_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def gent():
    return make_instance("GENT")


@pytest.fixture
def desk(client, gent):
    client.force_login(make_staff("balie-gent", gent))
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def an(gent):
    return make_borrower(
        gent, birth_date=date(1980, 2, 1), street="Kerkstraat", house_number="12",
        postal_code="9000", city="Gent", phone="+3292661000",
    )  # fmt: skip


def form_of(borrower: Borrower, **changes: str) -> dict[str, str]:
    values = {
        "first_name": borrower.first_name, "last_name": borrower.last_name,
        "birth_date": borrower.birth_date.isoformat() if borrower.birth_date else "",
        "street": borrower.street, "house_number": borrower.house_number, "box": borrower.box,
        "postal_code": borrower.postal_code, "city": borrower.city, "country": borrower.country,
        "email": borrower.email, "phone": borrower.phone, "language": borrower.language,
    }  # fmt: skip
    return values | changes


def test_the_form_is_prefilled_and_leaves_out_card_pin_and_library(desk, an):
    page = desk.get(f"/staff/borrowers/{an.pk}/details/")
    assert page.status_code == 200
    assert value_of(page, "street") == "Kerkstraat"
    assert value_of(page, "birth_date") == "1980-02-01"
    html = page.content.decode()
    for absent in ('name="card_number"', 'name="pin"', 'name="home_instance"'):
        assert absent not in html
    # the borrower page leads here
    borrower_page = desk.get(f"/staff/borrowers/{an.pk}/").content.decode()
    assert f'href="/staff/borrowers/{an.pk}/details/"' in borrower_page


def test_correct_an_address_says_before_and_after_and_audits_it(desk, an):
    # when the desk corrects the street and the postcode
    url = f"/staff/borrowers/{an.pk}/details/"
    response = desk.post(
        url, form_of(an, street="Veldstraat", house_number="3", postal_code="9050")
    )
    # then they are saved, and nothing else is touched
    assert response.status_code == 302
    an.refresh_from_db()
    assert (an.street, an.house_number, an.postal_code, an.city) == (
        "Veldstraat",
        "3",
        "9050",
        "Gent",
    )
    event = AuditEvent.objects.get(action="borrower.details_corrected")
    assert event.before == {"street": "Kerkstraat", "house_number": "12", "postal_code": "9000"}
    assert event.after == {"street": "Veldstraat", "house_number": "3", "postal_code": "9050"}
    assert event.actor == "staff:balie-gent"
    # and the borrower page says what changed, and shows it in the audit trail
    text = text_of(desk.get(response["Location"]))
    assert (
        "Details corrected: street: Kerkstraat → Veldstraat; house number: 12 → 3; "
        "postal code: 9000 → 9050." in text
    )
    assert "borrower.details_corrected" in text


def test_a_refused_correction_keeps_what_was_typed_and_changes_nothing(desk, an):
    url = f"/staff/borrowers/{an.pk}/details/"
    response = desk.post(url, form_of(an, street="Veldstraat", email="an@"))
    assert response.status_code == 400
    assert "'an@' is not a valid e-mail address" in text_of(response)
    assert 'aria-invalid="true"' in response.content.decode()
    assert value_of(response, "street") == "Veldstraat"
    an.refresh_from_db()
    assert an.street == "Kerkstraat"
    assert not AuditEvent.objects.exists()


def test_nothing_changed_is_said_and_not_audited(desk, an):
    response = desk.post(f"/staff/borrowers/{an.pk}/details/", form_of(an))
    assert "Nothing was changed." in text_of(desk.get(response["Location"]))
    assert not AuditEvent.objects.exists()


def test_a_date_of_birth_and_the_language_are_said_as_people_read_them(desk, an):
    url = f"/staff/borrowers/{an.pk}/details/"
    response = desk.post(url, form_of(an, birth_date="1981-02-01", language="fr"))
    text = text_of(desk.get(response["Location"]))
    assert "date of birth: 01/02/1980 → 01/02/1981; language: Dutch → French." in text


def test_a_borrower_of_another_library_is_not_found(client, an):
    client.force_login(make_staff("balie-brugge", make_instance("BRUGGE")))
    assert client.get(f"/staff/borrowers/{an.pk}/details/").status_code == 404
    assert (
        client.post(f"/staff/borrowers/{an.pk}/details/", form_of(an, city="X")).status_code == 404
    )


def test_a_new_e_mail_address_is_told_to_the_old_one_when_the_library_wants_it(desk, gent, an):
    # given a library that tells the old address of a change
    gent.notice_old_email = True
    gent.save()
    # when the desk corrects the e-mail address
    response = desk.post(
        f"/staff/borrowers/{an.pk}/details/", form_of(an, email="an.nieuw@example.be"), follow=True
    )
    # then one notice is queued to the old address, and the desk is told so
    notice = Message.objects.get(borrower=an)
    assert (notice.kind, notice.to_address) == ("EW", "lener@example.be")
    assert "The old e-mail address is told of the change" in response.content.decode()


def test_without_the_librarys_wish_the_old_address_hears_nothing(desk, an):
    desk.post(f"/staff/borrowers/{an.pk}/details/", form_of(an, email="an.nieuw@example.be"))
    assert Borrower.objects.get(pk=an.pk).email == "an.nieuw@example.be"
    assert not Message.objects.filter(borrower=an).exists()
