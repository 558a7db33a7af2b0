"""R12: merge two records of one person: everything of the duplicate moves to the one
kept, in one transaction, one UPDATE per table, and the duplicate's row is deleted.

Why deleted and not kept as "merged into": once everything that refers to it has moved
nothing refers to it any more, and a row left behind would have to be left out of every
search, report, selection, kiosk lookup, portal login and daily-run step, each a place
to forget. Its card numbers live on as old cards of the kept borrower (so the desk
finds them there, and no number is ever given out again), and its details are kept in
the audit event of the merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import DateField, Exists, F, OuterRef, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.models import AuditEvent
from lidgeld.audit.services import audit_record
from lidgeld.borrowers.checks import DETAIL_FIELDS
from lidgeld.borrowers.models import Borrower, Card, Note
from lidgeld.circulation.models import Loan, Reservation, ReservationStatus
from lidgeld.circulation.selectors import LIVE_RESERVATION
from lidgeld.circulation.services import reservations_resume
from lidgeld.errors import Refused
from lidgeld.finance.models import Payment, PaymentRequest, Posting
from lidgeld.memberships.models import Membership, MembershipEnding
from lidgeld.memberships.selectors import endings_in_force, live_memberships
from lidgeld.notices.models import Message
from lidgeld.operations.ending import require_coordinator
from lidgeld.scope import Scope

# What the preview counts, in the order it shows them (keys of MergePreview.counts).
MOVED = (
    "periods",
    "postings",
    "payments",
    "messages",
    "reservations",
    "loans",
    "notes",
    "cards",
    "audit",
)


@dataclass(frozen=True)
class MergePreview:
    kept: Borrower
    duplicate: Borrower
    counts: dict[str, int]
    # Live reservations of the duplicate for a copy the kept borrower reserved too:
    # those are cancelled (one reservation per person and copy).
    clashing_reservations: int
    problem: Refused | None = None


def _overlap(kept: Borrower, duplicate: Borrower) -> Refused | None:
    theirs = list(live_memberships().filter(borrower=duplicate).order_by("start"))
    for mine in live_memberships().filter(borrower=kept).order_by("start"):
        for other in theirs:
            if mine.start <= other.end and other.start <= mine.end:
                return Refused(
                    _(
                        "the period %(kept_start)s – %(kept_end)s of %(kept)s and the period "
                        "%(dup_start)s – %(dup_end)s of %(dup)s overlap; end the duplicate's "
                        "membership first (reason: duplicate record), then merge"
                    ),
                    code="merge_periods_overlap",
                    params={
                        "kept_start": mine.start,
                        "kept_end": mine.end,
                        "kept": kept.card_number,
                        "dup_start": other.start,
                        "dup_end": other.end,
                        "dup": duplicate.card_number,
                    },
                )
    return None


def _problem(kept: Borrower, duplicate: Borrower) -> Refused | None:
    if kept.pk == duplicate.pk:
        return Refused(_("a borrower cannot be merged with themselves"), code="merge_same")
    ended = endings_in_force().filter(borrower=duplicate).exclude(reason="duplicate").first()
    if ended is not None:
        return Refused(
            _(
                "the membership of %(card)s was ended (%(reason)s); undo that ending first, "
                "or keep that record and merge the other one into it"
            ),
            code="merge_duplicate_ended",
            params={"card": duplicate.card_number, "reason": ended.get_reason_display()},
        )
    return _overlap(kept, duplicate)


def _clashing(kept: Borrower, duplicate: Borrower) -> Any:
    """The duplicate's live reservations of a copy the kept borrower has one of."""
    return Reservation.objects.filter(borrower=duplicate, status__in=LIVE_RESERVATION).filter(
        Exists(
            Reservation.objects.filter(
                borrower=kept, item_id=OuterRef("item_id"), status__in=LIVE_RESERVATION
            )
        )
    )


def merge_preview(*, kept: Borrower, duplicate: Borrower) -> MergePreview:
    """What a merge of ``duplicate`` into ``kept`` moves, and why it cannot be now."""
    counts = {
        "periods": Membership.objects.filter(borrower=duplicate).count(),
        "postings": Posting.objects.filter(borrower=duplicate).count(),
        "payments": Payment.objects.filter(posting__borrower=duplicate).count(),
        "messages": Message.objects.filter(borrower=duplicate).count(),
        "reservations": Reservation.objects.filter(borrower=duplicate).count(),
        "loans": Loan.objects.filter(borrower=duplicate).count(),
        "notes": Note.objects.filter(borrower=duplicate).count(),
        "cards": Card.objects.filter(borrower=duplicate).count(),
        "audit": AuditEvent.objects.filter(borrower=duplicate).count(),
    }
    return MergePreview(
        kept=kept,
        duplicate=duplicate,
        counts=counts,
        clashing_reservations=_clashing(kept, duplicate).count(),
        problem=_problem(kept, duplicate),
    )


@dataclass
class MergeResult:
    kept: Borrower
    duplicate_card: str
    moved: dict[str, int] = field(default_factory=dict)
    reservations_cancelled: int = 0


def _details(borrower: Borrower) -> dict[str, Any]:
    values = {name: getattr(borrower, name) for name in DETAIL_FIELDS}
    values.update(
        id=borrower.pk,
        card_number=borrower.card_number,
        home_instance=borrower.home_instance_id,
        registered_on=borrower.registered_on,
    )
    return values


def borrower_merge(
    *,
    kept: Borrower,
    duplicate: Borrower,
    today: date,
    now: datetime,
    actor: str,
    within: Scope | None = None,
) -> MergeResult:
    """Move the periods, postings (with their payments), messages, reservations, loans,
    notes, cards and audit trail of ``duplicate`` to ``kept`` and delete ``duplicate``.

    Refused when live periods of the two overlap (the reason names both). The
    duplicate's cards become old cards of the kept borrower (replaced today if they
    were current). Coordinators only (``within``)."""
    what = _("merging two borrowers")
    require_coordinator(within, kept, what=what)
    require_coordinator(within, duplicate, what=what)
    with transaction.atomic():
        # Both rows locked, in id order: two merges of one pair wait for each other.
        locked = {
            b.pk: b
            for b in Borrower.objects.select_for_update()
            .filter(pk__in=[kept.pk, duplicate.pk])
            .order_by("pk")
        }
        if duplicate.pk not in locked or kept.pk not in locked:
            raise Refused(_("this borrower was merged meanwhile"), code="merge_gone")
        kept, duplicate = locked[kept.pk], locked[duplicate.pk]
        problem = _problem(kept, duplicate)
        if problem is not None:
            raise problem
        detail = _details(duplicate)
        result = MergeResult(kept=kept, duplicate_card=duplicate.card_number)
        moved = result.moved
        clashing = _clashing(kept, duplicate)
        for reservation_id, item_id in clashing.values_list("pk", "item_id"):
            audit_record(
                actor=actor,
                action="reservation.cancelled",
                obj=Reservation(pk=reservation_id),
                today=today,
                now=now,
                borrower_id=duplicate.pk,
                after={"status": ReservationStatus.CANCELLED, "reason": "merge", "item": item_id},
            )
        result.reservations_cancelled = clashing.update(
            status=ReservationStatus.CANCELLED, held_since=None, closed_on=today
        )
        moved["payments"] = Payment.objects.filter(posting__borrower=duplicate).count()
        moved["periods"] = Membership.objects.filter(borrower=duplicate).update(borrower=kept)
        moved["postings"] = Posting.objects.filter(borrower=duplicate).update(borrower=kept)
        moved["messages"] = Message.objects.filter(borrower=duplicate).update(borrower=kept)
        moved["reservations"] = Reservation.objects.filter(borrower=duplicate).update(borrower=kept)
        moved["loans"] = Loan.objects.filter(borrower=duplicate).update(borrower=kept)
        moved["notes"] = Note.objects.filter(borrower=duplicate).update(borrower=kept)
        # The duplicate's current card becomes an old card: one current card per person.
        moved["cards"] = Card.objects.filter(borrower=duplicate).update(
            borrower=kept,
            replaced_on=Coalesce(F("replaced_on"), Value(today, output_field=DateField())),
        )
        # An ending "duplicate record" did its work: it stays in the history, closed.
        MembershipEnding.objects.filter(
            borrower=duplicate, reversed_at__isnull=True, reason="duplicate"
        ).update(reversed_at=now, reversed_by=actor)
        MembershipEnding.objects.filter(borrower=duplicate).update(borrower=kept)
        PaymentRequest.objects.filter(borrower=duplicate).update(borrower=kept)
        moved["audit"] = AuditEvent.objects.filter(borrower=duplicate).update(borrower=kept)
        duplicate_id = duplicate.pk
        duplicate.delete()  # nothing refers to it any more (a temporary set's row goes)
        audit_record(
            actor=actor,
            action="borrower.merged",
            obj=kept,
            today=today,
            now=now,
            borrower_id=kept.pk,
            instance_id=kept.home_instance_id,
            after={
                "merged": duplicate_id,
                "card": result.duplicate_card,
                "moved": moved,
                "reservations_cancelled": result.reservations_cancelled,
            },
        )
        # The duplicate's own event: its details, and where it went.
        audit_record(
            actor=actor,
            action="borrower.merged_into",
            obj=Borrower(pk=duplicate_id),
            today=today,
            now=now,
            borrower_id=kept.pk,
            instance_id=detail["home_instance"],
            before=detail,
            after={"merged_into": kept.pk, "card": kept.card_number},
        )
        reservations_resume(borrower_id=kept.pk, today=today, now=now, actor=actor)
        return result
