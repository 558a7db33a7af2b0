"""Item 8 and R12 at the desk: the type changes at renewal on the confirmation step, with
the new fee; past a youth type's age limit the type that follows is preselected, in the
expiring list too, and a type the age does not fit is refused with the reason."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from lidgeld.finance.models import Posting
from lidgeld.memberships.models import Membership, MembershipType, TypeKind
from tests.factories import make_borrower, make_instance, make_membership, make_staff, make_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def gent():
    return make_instance("GENT")


@pytest.fixture
def adult(gent):
    membership_type = make_type(gent, code="VOLW", fee="12.00")
    MembershipType.objects.filter(pk=membership_type.pk).update(name="Volwassene", min_age=18)
    membership_type.refresh_from_db()
    return membership_type


@pytest.fixture
def half(gent):
    return make_type(gent, code="HALF", fee="6.50", months=6, booking_code=1002)


@pytest.fixture
def youth(gent, adult):
    membership_type = make_type(gent, code="JEUGD", kind=TypeKind.FREE_AUTO)
    MembershipType.objects.filter(pk=membership_type.pk).update(
        min_age=0, max_age=17, next_type=adult
    )
    membership_type.refresh_from_db()
    return membership_type


@pytest.fixture
def lien(gent, youth):
    """18 on 1 May 2026, the day after her youth period ends; it is 10 April."""
    borrower = make_borrower(gent, card="B0000000007", first_name="Lien", last_name="Claes",
                             birth_date=date(2008, 5, 1))  # fmt: skip
    make_membership(borrower, youth, date(2025, 5, 1))
    return borrower


@pytest.fixture
def desk(client, gent):
    client.force_login(make_staff("balie-gent", gent))
    client.cookies["django_language"] = "en"
    return client


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def key_of(response) -> str:
    return re.search(r'name="key" value="([^"]+)"', response.content.decode()).group(1)


def selected_type(response) -> str:
    found = re.search(r'<option value="(\d+)" selected>', response.content.decode())
    return found.group(1) if found else ""


class TestTypeAtRenewal:
    def test_past_the_age_limit_the_type_that_follows_is_preselected_with_its_fee(
        self, desk, lien, adult
    ):
        page = desk.get(f"/staff/borrowers/{lien.pk}/renew/open/")
        assert selected_type(page) == str(adult.pk)
        text = text_of(page)
        assert "Past the age limit of Jeugd on 01/05/2026: suggested Volwassene." in text
        assert "€ 12,00, left open" in text

    def test_confirming_renews_with_the_type_shown(self, desk, lien, adult):
        page = desk.get(f"/staff/borrowers/{lien.pk}/renew/open/")
        desk.post(
            f"/staff/borrowers/{lien.pk}/renew/open/",
            {"key": key_of(page), "type": selected_type(page)},
        )
        renewal = Membership.objects.filter(borrower=lien).latest("start")
        assert (renewal.type, renewal.start) == (adult, date(2026, 5, 1))
        assert Posting.objects.get(membership=renewal).amount == 12

    def test_a_type_the_age_does_not_fit_shows_the_refusal_and_no_confirm(self, desk, lien, youth):
        page = desk.get(f"/staff/borrowers/{lien.pk}/renew/open/?type={youth.pk}")
        text = text_of(page)
        assert (
            "Not possible with this type: Jeugd is for ages 0 to 17; on 01/05/2026 this "
            "borrower is 18" in text
        )
        assert 'id="confirm"' not in page.content.decode()
        response = desk.post(
            f"/staff/borrowers/{lien.pk}/renew/open/", {"type": youth.pk}, follow=True
        )
        assert "Not renewed: Jeugd is for ages 0 to 17" in text_of(response)
        assert Membership.objects.filter(borrower=lien).count() == 1

    def test_the_refusal_in_dutch(self, desk, lien, youth):
        desk.cookies["django_language"] = "nl"
        page = desk.get(f"/staff/borrowers/{lien.pk}/renew/open/?type={youth.pk}")
        assert "Jeugd is voor leeftijden van 0 tot 17; op 01/05/2026 is deze lener 18" in text_of(
            page
        )

    def test_another_type_shows_its_fee_and_period_and_renews_with_it(
        self, desk, gent, adult, half
    ):
        an = make_borrower(gent, card="B0000000001", birth_date=date(1980, 1, 1))
        make_membership(an, adult, date(2025, 5, 1))
        page = desk.get(f"/staff/borrowers/{an.pk}/renew/open/?type={half.pk}")
        assert selected_type(page) == str(half.pk)
        text = text_of(page)
        assert "01/05/2026 – 31/10/2026" in text
        assert "€ 6,50, left open" in text
        desk.post(f"/staff/borrowers/{an.pk}/renew/open/", {"key": key_of(page), "type": half.pk})
        renewal = Membership.objects.filter(borrower=an).latest("start")
        assert (renewal.type, renewal.end) == (half, date(2026, 10, 31))

    def test_a_type_of_another_library_is_not_offered_nor_taken(self, desk, lien):
        other = make_type(make_instance("BRUGGE"), code="VOLW")
        page = desk.get(f"/staff/borrowers/{lien.pk}/renew/open/")
        assert f'value="{other.pk}"' not in page.content.decode()
        response = desk.post(
            f"/staff/borrowers/{lien.pk}/renew/open/",
            {"key": key_of(page), "type": other.pk},
            follow=True,
        )
        assert "Choose one of the library's membership types." in text_of(response)
        assert Membership.objects.filter(borrower=lien).count() == 1

    def test_without_a_birth_date_the_page_says_the_limits_were_not_checked(
        self, desk, gent, youth
    ):
        kid = make_borrower(gent, card="B0000000009")
        make_membership(kid, youth, date(2025, 5, 1))
        text = text_of(desk.get(f"/staff/borrowers/{kid.pk}/renew/open/"))
        assert "No birth date: the age limits of Jeugd could not be checked." in text


class TestExpiringList:
    def test_a_youth_member_past_the_age_limit_is_marked_with_the_type_that_follows(
        self, desk, gent, lien, youth
    ):
        younger = make_borrower(gent, card="B0000000008", birth_date=date(2008, 5, 2))
        make_membership(younger, youth, date(2025, 5, 1))
        desk.cookies["django_language"] = "nl"
        page = desk.get("/staff/expiring/").content.decode()
        marks = re.findall(r'class="badge next-type" data-card="(\w+)">([^<]+)<', page)
        assert marks == [("B0000000007", "wordt Volwassene (€ 12,00)")]

    def test_renewing_from_the_list_takes_the_type_that_follows(self, desk, lien, adult):
        desk.post("/staff/expiring/", {"card": [lien.card_number], "fee": "open"})
        renewal = Membership.objects.filter(borrower=lien).latest("start")
        assert (renewal.type, renewal.start) == (adult, date(2026, 5, 1))
