"""The expiring list with what each borrower owes and whether the CAE went out: one
selector for the desk's list and the report (R8)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lidgeld.libraries.models import CooperationGroup
from lidgeld.standing.dues import memberships_expiring_with_dues
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_message,
    make_open_fee,
    make_type,
)

pytestmark = pytest.mark.django_db

APRIL = date(2026, 4, 1)


@pytest.fixture
def world():
    group = CooperationGroup.objects.create(code="OVL", name="Oost-Vlaanderen")
    gent, loch = make_instance("GENT", group=group), make_instance("LOCH", group=group)
    an = make_borrower(gent, first_name="An")
    ending = make_membership(an, make_type(gent), start=date(2025, 5, 1))  # ends 30/04/2026
    make_open_fee(ending, booked_on=date(2025, 5, 1), amount="12.00")
    older = make_membership(an, make_type(loch, code="LVOLW"), start=date(2023, 1, 1))
    make_open_fee(older, booked_on=date(2023, 1, 1), amount="5.00")  # booked by LOCH
    make_message(an, APRIL, kind="AE", channel="letter", status="queued", membership=ending)
    bert = make_borrower(gent, first_name="Bert")
    make_membership(bert, make_type(gent, code="JEUGD"), start=date(2025, 5, 1))
    return gent


def test_each_expiring_membership_carries_what_is_owed_and_the_cae(world):
    rows = {m.borrower.first_name: m for m in memberships_expiring_with_dues(month=APRIL)}
    assert set(rows) == {"An", "Bert"}
    assert rows["An"].open_amount == Decimal("17.00")  # both open contributions
    assert (rows["An"].cae_status, rows["An"].cae_channel) == ("queued", "letter")
    assert rows["Bert"].open_amount == Decimal("0.00")
    assert (rows["Bert"].cae_status, rows["Bert"].cae_channel) == (None, None)


def test_within_some_libraries_only_what_they_booked_is_summed(world):
    rows = list(memberships_expiring_with_dues(month=APRIL, instance_ids=[world.pk]))
    an = next(m for m in rows if m.borrower.first_name == "An")
    assert an.open_amount == Decimal("12.00")  # LOCH's item is not GENT's to see
