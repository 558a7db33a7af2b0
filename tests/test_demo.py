"""The demo network: after ``lidgeld demo`` every situation staff must recognise is
there to look at, made by the real services and daily run, and a second load
is refused without touching anything."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower, Card, Note
from lidgeld.borrowers.selectors import card_holder
from lidgeld.circulation.models import Reservation, ReservationStatus
from lidgeld.clock import clock
from lidgeld.demo import demo_load
from lidgeld.errors import InvalidInput
from lidgeld.finance.models import WriteOff
from lidgeld.libraries.models import Instance
from lidgeld.lifecycle.models import JobRun
from lidgeld.memberships.models import Membership, MembershipEnding, Origin, TypeKind
from lidgeld.memberships.selectors import memberships_expiring
from lidgeld.notices.models import Channel, Message
from lidgeld.standing.dues import memberships_expiring_with_dues
from lidgeld.standing.status import borrower_status

TODAY = date(2026, 11, 28)
NOVEMBER = date(2026, 11, 1)


@pytest.mark.django_db
def test_the_demo_shows_every_situation_and_cannot_be_loaded_twice():
    summary = demo_load(today=TODAY, borrowers=120)

    assert json.loads(json.dumps(summary)) == summary
    assert clock.today() == date(2026, 4, 10)  # the replay gives the test's clock back
    assert Borrower.objects.count() == summary["borrowers"] == 120
    assert set(Instance.objects.values_list("code", flat=True)) == {"GENT", "MERE", "LOCH"}
    assert set(Instance.objects.values_list("group__code", flat=True)) == {"OOST"}

    statuses = [borrower_status(borrower=b, today=TODAY) for b in Borrower.objects.all()]
    memberships = {status.membership.state.value for status in statuses}
    stages = {status.stage for status in statuses}
    assert {"active", "expired", "invalidated"} <= memberships
    assert {"open", "reminder", "unpaid"} <= stages

    # R3: an expired borrower's reservation is held, not lost
    held = [
        status
        for status in statuses
        if any(r.status == ReservationStatus.HELD for r in status.reservations)
    ]
    assert held
    assert all(status.membership.state.value != "active" for status in held)
    assert Reservation.objects.filter(status=ReservationStatus.WAITING).exists()

    # R2 and R6 happened in the daily run, not by hand
    assert Membership.objects.filter(
        type__kind=TypeKind.FREE_AUTO, origin=Origin.AUTOMATIC
    ).exists()
    assert WriteOff.objects.filter(recorded_by="job:tick").exists()
    assert JobRun.objects.order_by("-day").values_list("day", flat=True).first() == TODAY

    # R4: the notice of 1 November went out, by e-mail and (without an address) by letter
    cae = Message.objects.filter(type="C", kind="AE", date=NOVEMBER)
    assert cae.filter(channel=Channel.EMAIL).exists()
    assert cae.filter(channel=Channel.LETTER).exists()
    assert memberships_expiring(month=NOVEMBER).exists()
    assert summary["expiring"]["count"] == memberships_expiring(month=NOVEMBER).count()

    # every borrower was registered through the service
    registered = AuditEvent.objects.filter(action="borrower.registered", actor="demo")
    assert registered.count() == 120
    assert not registered.exclude(at__date=F("business_date")).exists()

    # R12: the desk's own work is there to look at: old cards that still find their
    # borrower, a card reported stolen, notes with a banner, addresses with numbers
    old = card_holder(summary["examples"]["old_card"])
    assert old is not None
    assert old.old_card
    assert old.borrower.card_number.startswith("R")
    assert Card.objects.filter(replaced_on__isnull=False).count() == 3
    stolen = Borrower.objects.get(card_number=summary["examples"]["card_stolen"])
    assert stolen.card_reported == "stolen"
    assert Note.objects.filter(at_desk=True, borrower__card_number=summary["examples"]["desk_note"])
    assert Note.objects.count() == 4
    assert not Borrower.objects.filter(house_number="").exists()
    assert Borrower.objects.exclude(phone="").filter(phone__startswith="+32").exists()
    assert Card.objects.count() == 123  # one per borrower, and the three replacements
    endings = dict(MembershipEnding.objects.values_list("reason", "borrower__card_number"))
    assert set(endings) == {"deceased", "at_request", "moved", "duplicate", "administrative"}
    deceased = Borrower.objects.get(card_number=summary["examples"]["ended_deceased"])
    blocks = borrower_status(borrower=deceased, today=TODAY).blocks
    assert not any(block.allowed for block in blocks.values())

    # R12: a youth member is 18 on the 1st of next month, when their period would follow
    aged_out = [
        m
        for m in memberships_expiring_with_dues(month=NOVEMBER)
        if m.next_type_name == "Volwassene, 12 maanden"
    ]
    assert aged_out
    assert aged_out[0].borrower.birth_date == date(2008, 12, 1)

    staff = get_user_model().objects.get(username="balie")
    assert staff.is_staff
    assert staff.is_superuser
    assert staff.check_password("lidgeld-demo")
    assert summary["login"]["username"] == "balie"
    assert "balie" in summary["text"]
    assert "lidgeld-demo" in summary["text"]
    from lidgeld.staff.models import StaffAccount

    roles = {
        account.user.username: (account.role, [i.code for i in account.instances.all()])
        for account in StaffAccount.objects.all()
    }
    assert roles == {
        "gent-balie": ("desk", ["GENT"]),
        "gent-coordinator": ("coordinator", ["GENT"]),
        "gent-beheerder": ("administrator", ["GENT"]),
    }
    assert get_user_model().objects.get(username="gent-balie").check_password("lidgeld-demo")
    from django.contrib.auth.hashers import check_password

    assert not Borrower.objects.filter(pin_hash="").exists()
    assert check_password("1234", Borrower.objects.first().pin_hash)

    # Loading it a second time is refused before anything is written. (One test, not two:
    # a load replays a year of daily runs and takes seconds whatever the size.)
    before = (Borrower.objects.count(), Membership.objects.count(), AuditEvent.objects.count())

    with pytest.raises(InvalidInput, match="already loaded"):
        demo_load(today=TODAY, borrowers=120)

    after = (Borrower.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    assert after == before
