"""R12: two records of one person merged into the one kept, in one transaction."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower, Card, Note
from lidgeld.borrowers.selectors import card_holder
from lidgeld.circulation.models import Loan, Reservation, ReservationStatus
from lidgeld.clock import at_nine
from lidgeld.errors import Refused
from lidgeld.finance.models import Posting
from lidgeld.memberships.models import Membership
from lidgeld.notices.models import Message
from lidgeld.operations.ending import membership_end
from lidgeld.operations.merge import borrower_merge, merge_preview
from lidgeld.scope import Scope
from tests.factories import (
    make_borrower,
    make_instance,
    make_item,
    make_loan,
    make_membership,
    make_message,
    make_open_fee,
    make_payment,
    make_reservation,
    make_type,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
NOW = at_nine(TODAY)


@pytest.fixture
def gent():
    return make_instance()


@pytest.fixture
def adult(gent):
    return make_type(gent)


@pytest.fixture
def pair(gent, adult):
    """Kept: a period from May 2025; the duplicate: an older period, a paid fee, a
    message, a reservation, a loan, a note and a card of its own."""
    kept = make_borrower(gent, card="K0000000001")
    make_membership(kept, adult, date(2025, 5, 1))
    duplicate = make_borrower(gent, card="D0000000001", email="an.peeters@example.be")
    old = make_membership(duplicate, adult, date(2023, 5, 1))
    make_payment(make_open_fee(old, date(2023, 5, 1)), date(2023, 5, 2))
    make_message(duplicate, date(2024, 4, 1), membership=old)
    make_reservation(duplicate, make_item(gent), date(2026, 4, 1))
    make_loan(duplicate, make_item(gent), date(2026, 4, 2))
    Note.objects.create(borrower=duplicate, text="Twee kaarten", written_at=NOW, written_by="t")
    AuditEvent.objects.create(
        at=NOW, business_date=TODAY, actor="t", action="test", object_type="borrower",
        borrower=duplicate,
    )  # fmt: skip
    return kept, duplicate


def merge(kept, duplicate, **options):
    return borrower_merge(
        kept=kept, duplicate=duplicate, today=TODAY, now=NOW, actor="staff:coord", **options
    )


def test_the_preview_counts_what_moves(pair):
    kept, duplicate = pair
    preview = merge_preview(kept=kept, duplicate=duplicate)
    assert preview.problem is None
    assert preview.counts == {
        "periods": 1, "postings": 1, "payments": 1, "messages": 1, "reservations": 1,
        "loans": 1, "notes": 1, "cards": 1, "audit": 1,
    }  # fmt: skip


def test_everything_moves_and_the_duplicate_is_gone(pair):
    kept, duplicate = pair
    result = merge(kept, duplicate)
    assert not Borrower.objects.filter(pk=duplicate.pk).exists()
    for model in (Membership, Posting, Message, Reservation, Loan, Note):
        assert model.objects.filter(borrower=kept).count() >= 1, model
    assert Membership.objects.filter(borrower=kept).count() == 2
    assert result.moved["payments"] == 1
    assert AuditEvent.objects.filter(borrower=kept, action="test").exists()


def test_the_duplicate_card_is_an_old_card_of_the_kept_borrower(pair):
    kept, duplicate = pair
    merge(kept, duplicate)
    holder = card_holder("D0000000001")
    assert holder is not None
    assert holder.borrower == kept
    assert holder.old_card
    assert holder.card.replaced_on == TODAY
    assert Card.objects.get(borrower=kept, replaced_on__isnull=True).number == "K0000000001"


def test_audited_on_both(pair):
    kept, duplicate = pair
    merge(kept, duplicate)
    merged = AuditEvent.objects.get(action="borrower.merged")
    assert (merged.object_id, merged.after["card"]) == (kept.pk, "D0000000001")
    into = AuditEvent.objects.get(action="borrower.merged_into")
    assert into.object_id == duplicate.pk
    assert into.before["email"] == "an.peeters@example.be"
    assert into.after["merged_into"] == kept.pk


def test_overlapping_periods_are_refused_naming_both(gent, adult, pair):
    kept, duplicate = pair
    make_membership(duplicate, adult, date(2026, 1, 1))
    with pytest.raises(Refused) as refused:
        merge(kept, duplicate)
    assert refused.value.code == "merge_periods_overlap"
    message = refused.value.message
    assert "01/05/2025 – 30/04/2026 of K0000000001" in message
    assert "01/01/2026 – 31/12/2026 of D0000000001" in message
    assert Borrower.objects.filter(pk=duplicate.pk).exists()


def test_ending_the_duplicate_first_lets_the_merge_go(gent, adult, pair):
    kept, duplicate = pair
    make_membership(duplicate, adult, date(2026, 1, 1))
    membership_end(
        borrower=duplicate, reason="duplicate", today=TODAY, now=NOW, actor="c", confirm=True
    )
    merge(kept, duplicate)
    assert not Borrower.objects.filter(pk=duplicate.pk).exists()
    assert kept.endings.get().reversed_at is not None  # did its work: closed


def test_a_copy_both_reserved_keeps_the_kept_reservation(gent, pair):
    kept, duplicate = pair
    item = Reservation.objects.get(borrower=duplicate).item
    mine = make_reservation(kept, item, date(2026, 3, 1))
    result = merge(kept, duplicate)
    assert result.reservations_cancelled == 1
    statuses = sorted(Reservation.objects.filter(borrower=kept).values_list("status", flat=True))
    assert statuses == [ReservationStatus.CANCELLED, ReservationStatus.WAITING]
    mine.refresh_from_db()
    assert mine.status == ReservationStatus.WAITING


def test_one_statement_per_table_whatever_the_number_of_rows(gent, adult):
    def merge_queries(rows: int) -> int:
        kept, duplicate = make_borrower(gent), make_borrower(gent)
        for n in range(rows):
            make_message(duplicate, date(2025, 1, 1 + n))
            Note.objects.create(borrower=duplicate, text=f"n{n}", written_at=NOW, written_by="t")
            make_loan(duplicate, make_item(gent), date(2026, 4, 1))
        with CaptureQueriesContext(connection) as captured:
            merge(kept, duplicate)
        return len(captured)

    assert merge_queries(1) == merge_queries(20)


def test_a_desk_account_may_not_merge(gent, pair):
    kept, duplicate = pair
    desk = Scope(actor="staff:desk", instance_ids=frozenset({gent.pk}), role="desk")
    with pytest.raises(Refused) as refused:
        merge(kept, duplicate, within=desk)
    assert refused.value.code == "role_too_low"


def test_a_deceased_duplicate_is_refused(pair):
    kept, duplicate = pair
    membership_end(borrower=duplicate, reason="deceased", today=TODAY, now=NOW, actor="c")
    with pytest.raises(Refused) as refused:
        merge(kept, duplicate)
    assert refused.value.code == "merge_duplicate_ended"


def test_merging_with_oneself_is_refused(pair):
    kept, _duplicate = pair
    with pytest.raises(Refused) as refused:
        merge(kept, kept)
    assert refused.value.code == "merge_same"
