"""R12 in the back office: a library's types get age limits and the type that follows."""

from __future__ import annotations

import html
import re

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.memberships.models import MembershipType, TypeKind
from tests.factories import make_instance, make_staff, make_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def gent():
    return make_instance("GENT")


@pytest.fixture
def admin(client, gent):
    client.force_login(make_staff("beheer-gent", gent, role="administrator"))
    return client


@pytest.fixture
def types(gent):
    return make_type(gent, code="VOLW"), make_type(gent, code="JEUGD", kind=TypeKind.FREE_AUTO)


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_types_page_lists_the_librarys_types_in_dutch(admin, types):
    page = admin.get("/staff/settings/types/")
    text = text_of(page)
    assert "Abonnementstypes" in text
    assert "Maximumleeftijd" in text
    adult, youth = types
    # the type that follows is one of the library's other types
    options = re.findall(
        rf'<select name="type-{youth.pk}-next_type"[^>]*>(.*?)</select>',
        page.content.decode(),
        re.S,
    )[0]
    assert f'value="{adult.pk}"' in options
    assert f'value="{youth.pk}"' not in options


def test_saving_limits_and_the_type_that_follows_is_audited(admin, types):
    adult, youth = types
    response = admin.post(
        f"/staff/settings/types/{youth.pk}/limits",
        {f"type-{youth.pk}-min_age": "0", f"type-{youth.pk}-max_age": "17",
         f"type-{youth.pk}-next_type": str(adult.pk)},
        follow=True,
    )  # fmt: skip
    assert "De leeftijdsgrenzen van Jeugd zijn bewaard." in text_of(response)
    youth.refresh_from_db()
    assert (youth.min_age, youth.max_age, youth.next_type) == (0, 17, adult)
    assert AuditEvent.objects.filter(action="membership_type.limits_set").count() == 1


def test_reversed_limits_are_refused_with_the_reason(admin, types):
    _adult, youth = types
    response = admin.post(
        f"/staff/settings/types/{youth.pk}/limits",
        {f"type-{youth.pk}-min_age": "18", f"type-{youth.pk}-max_age": "17"},
    )
    assert response.status_code == 400
    assert (
        "Er werd niets bewaard: de minimumleeftijd (18) is hoger dan de maximumleeftijd (17)"
        in text_of(response)
    )
    youth.refresh_from_db()
    assert youth.max_age is None


def test_an_age_out_of_range_is_said_at_the_field(admin, types):
    _adult, youth = types
    response = admin.post(
        f"/staff/settings/types/{youth.pk}/limits", {f"type-{youth.pk}-max_age": "-1"}
    )
    assert response.status_code == 400
    text = text_of(response)
    assert "Er werd niets bewaard: Enkele waarden moeten verbeterd worden; zie hieronder." in text
    assert "Maximumleeftijd (Jeugd) Zorg ervoor dat deze waarde minstens 0 is." in text
    assert not MembershipType.objects.filter(max_age__isnull=False).exists()


def test_a_type_of_another_library_is_not_found(admin):
    other = make_type(make_instance("BRUGGE"))
    response = admin.post(f"/staff/settings/types/{other.pk}/limits", {})
    assert response.status_code == 404
