"""A kiosk's changes are filed under ``kiosk:<login>``, like every other actor's kind."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.hashers import make_password

from lidgeld.audit.models import AuditEvent
from tests.factories import make_borrower, make_item, make_membership, make_type
from tests.sip2.conftest import STAMP, TERMINAL_LOGIN

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_checkout_at_the_kiosk_names_the_kiosk(client, sip2_server):
    # given a member with a PIN and an item of the kiosk's library
    gent = sip2_server.instance
    borrower = make_borrower(gent)
    borrower.pin_hash = make_password("97531")
    borrower.save(update_fields=["pin_hash"])
    make_membership(borrower, make_type(gent), start=date(2026, 1, 1))
    item = make_item(gent)
    # when the kiosk lends it
    out = client.ask(
        f"11NN{STAMP}{' ' * 18}AOGENT|AA{borrower.card_number}|AB{item.barcode}|AC|AD97531|"
    )
    # then the loan is audited under the kiosk's login
    assert out.fixed["ok"] == "1"
    event = AuditEvent.objects.get(action="loan.checked_out")
    assert event.actor == f"kiosk:{TERMINAL_LOGIN}"
