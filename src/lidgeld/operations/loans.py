"""Loans: checkout, checkin and renewal (the kiosk's and, later, the desk's).

Whether a borrower may borrow is the one block decision (R7) for the channel:
a refusal carries the block's reason as its code and the block's sentence in
the borrower's language as its message.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.models import Item, Loan
from lidgeld.circulation.selectors import someone_waits_for
from lidgeld.domain.blocks import Channel
from lidgeld.errors import Refused
from lidgeld.standing.status import borrower_status

LOAN_DAYS = 21


def refuse_if_blocked(borrower: Borrower, today: date, channel: Channel) -> None:
    block = borrower_status(borrower=borrower, today=today).blocks[channel]
    if not block.allowed:
        raise Refused(block.message(borrower.language), code=block.reason.value)


def loan_checkout(
    *,
    borrower: Borrower,
    item: Item,
    today: date,
    now: datetime,
    actor: str,
    channel: Channel = Channel.KIOSK,
) -> Loan:
    """Lend ``item`` to ``borrower`` for LOAN_DAYS days; refused when blocked or already out."""
    with transaction.atomic():
        refuse_if_blocked(borrower, today, channel)
        try:
            with transaction.atomic():
                loan = Loan.objects.create(
                    item=item,
                    borrower=borrower,
                    out_on=today,
                    due_on=today + timedelta(days=LOAN_DAYS),
                )
        except IntegrityError:
            raise Refused(
                _("%(title)s (%(barcode)s) is already on loan"),
                code="on_loan",
                params={"title": item.title, "barcode": item.barcode},
            ) from None
        audit_record(
            actor=actor,
            action="loan.checked_out",
            obj=loan,
            today=today,
            now=now,
            borrower_id=borrower.pk,
            instance_id=item.instance_id,
            after={"item": item.barcode, "due_on": loan.due_on.isoformat()},
        )
        return loan


def loan_checkin(*, item: Item, today: date, now: datetime, actor: str) -> Loan | None:
    """Take ``item`` back; None when it was not on loan (nothing changes then)."""
    with transaction.atomic():
        loan = Loan.objects.select_for_update().filter(item=item, returned_on__isnull=True).first()
        if loan is None:
            return None
        loan.returned_on = today
        loan.save(update_fields=["returned_on"])
        audit_record(
            actor=actor,
            action="loan.checked_in",
            obj=loan,
            today=today,
            now=now,
            borrower_id=loan.borrower_id,
            instance_id=item.instance_id,
            before={"returned_on": None},
            after={"item": item.barcode, "returned_on": today.isoformat()},
        )
        return loan


def loan_renew(
    *, loan: Loan, today: date, now: datetime, actor: str, channel: Channel = Channel.KIOSK
) -> Loan:
    """Extend an open loan to LOAN_DAYS days from today; refused when the borrower is
    blocked or someone else is waiting for the item."""
    with transaction.atomic():
        locked = Loan.objects.select_for_update().select_related("borrower", "item").get(pk=loan.pk)
        if locked.returned_on is not None:
            raise Refused(
                _("%(title)s was already returned"),
                code="returned",
                params={"title": locked.item.title},
            )
        refuse_if_blocked(locked.borrower, today, channel)
        if someone_waits_for(item_id=locked.item_id, other_than=locked.borrower_id):
            raise Refused(
                _("%(title)s is reserved by someone else"),
                code="reserved",
                params={"title": locked.item.title},
            )
        before = {"due_on": locked.due_on.isoformat()}
        locked.due_on = max(locked.due_on, today + timedelta(days=LOAN_DAYS))
        locked.save(update_fields=["due_on"])
        audit_record(
            actor=actor,
            action="loan.renewed",
            obj=locked,
            today=today,
            now=now,
            borrower_id=locked.borrower_id,
            instance_id=locked.item.instance_id,
            before=before,
            after={"due_on": locked.due_on.isoformat()},
        )
        return locked
