"""Correcting a borrower's details, with what the correction tells the borrower
(issue 13 item 2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction

from lidgeld.borrowers.models import Borrower
from lidgeld.borrowers.services import borrower_details_correct
from lidgeld.notices.models import Message
from lidgeld.notices.services import email_change_notice_queue


@dataclass(frozen=True)
class Corrected:
    changes: dict[str, tuple[Any, Any]]  # field → (before, after); empty: nothing changed
    notice: Message | None  # the notice queued to the old e-mail address, if any


def borrower_correct(
    *,
    borrower: Borrower,
    changes: Mapping[str, Any],
    today: date,
    now: datetime,
    actor: str,
) -> Corrected:
    """Correct the details named in ``changes`` (borrowers.services.borrower_details_correct:
    checked, audited with before and after). When the e-mail address changed from one
    the library could write to and the borrower's library wants it
    (``Instance.notice_old_email``, off by default), one notice to the old address is
    queued in the same transaction, saying to what (masked) and where it was changed.
    A refused correction changes nothing and queues nothing."""
    with transaction.atomic():
        changed = borrower_details_correct(
            borrower=borrower, changes=changes, today=today, now=now, actor=actor
        )
        notice = None
        if "email" in changed:
            old, new = changed["email"]
            notice = email_change_notice_queue(
                borrower=borrower,
                old_address=old,
                new_address=new,
                today=today,
                now=now,
                actor=actor,
            )
    return Corrected(changes=changed, notice=notice)
