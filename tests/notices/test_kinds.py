"""Notice kinds beyond the CAE: on or off per library, queued with the change."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from lidgeld.clock import at_nine
from lidgeld.lifecycle.tick import tick_run
from lidgeld.notices.models import Message
from lidgeld.notices.services import notice_kinds_set
from lidgeld.operations.renewals import membership_renew
from tests.factories import make_borrower, make_instance, make_membership, make_open_fee, make_type

pytestmark = pytest.mark.django_db


def run(day):
    tick_run(today=day, now=timezone.make_aware(datetime(day.year, day.month, day.day, 2)))


@pytest.fixture
def fee_booked_in_april():
    instance = make_instance()
    borrower = make_borrower(instance, email="")
    membership = make_membership(borrower, make_type(instance), start=date(2026, 4, 10))
    return make_open_fee(membership, booked_on=date(2026, 4, 10))


def test_stage_notices_switched_off_send_nothing(fee_booked_in_april):
    notice_kinds_set(
        instance=fee_booked_in_april.instance,
        enabled={"HR": False, "NB": False},
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    run(date(2026, 4, 30))
    run(date(2026, 10, 1))
    assert not Message.objects.exists()


def test_by_default_a_reminder_and_an_unpaid_notice_follow_the_stages(fee_booked_in_april):
    run(date(2026, 4, 30))
    run(date(2026, 5, 1))
    assert list(Message.objects.values_list("kind", "date", "posting_id", "channel")) == [
        ("HR", date(2026, 5, 1), fee_booked_in_april.pk, "letter")
    ]
    run(date(2026, 10, 1))
    assert sorted(Message.objects.values_list("kind", "date")) == [
        ("HR", date(2026, 5, 1)),
        ("NB", date(2026, 10, 1)),
    ]


def test_the_cae_can_be_switched_off():
    instance = make_instance()
    make_membership(make_borrower(instance), make_type(instance), start=date(2025, 5, 1))
    notice_kinds_set(
        instance=instance,
        enabled={"CAE": False},
        today=date(2026, 3, 1),
        now=at_nine(date(2026, 3, 1)),
        actor="t",
    )
    run(date(2026, 4, 1))
    assert not Message.objects.exists()


def test_a_renewal_confirmation_goes_out_with_the_renewal_when_switched_on():
    instance = make_instance(notice_renewal=True)
    borrower = make_borrower(instance, email="jo@example.be")
    make_membership(borrower, make_type(instance), start=date(2025, 5, 1))
    result = membership_renew(
        borrower=borrower,
        paid=False,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    message = Message.objects.get()
    assert (message.kind, message.membership, message.channel, message.to_address) == (
        "VL",
        result.membership,
        "email",
        "jo@example.be",
    )


def test_no_renewal_confirmation_when_off():
    instance = make_instance()
    borrower = make_borrower(instance)
    make_membership(borrower, make_type(instance), start=date(2025, 5, 1))
    membership_renew(
        borrower=borrower,
        paid=True,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    assert not Message.objects.exists()


def test_kinds_through_the_cli(capsys):
    from lidgeld.cli.main import main

    make_instance("GENT")
    assert main(["notices", "kinds", "--instance", "GENT", "--on", "HR,VL", "--off", "AE"]) == 0
    assert "AE off, HR on, NB on, VL on" in capsys.readouterr().out
    assert main(["notices", "kinds", "--instance", "GENT", "--on", "ZZ"]) == 2
