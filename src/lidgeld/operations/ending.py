"""R12: end a borrower's membership early with a typed reason, and undo that.

What each reason does is declared in lidgeld.domain.endings (EFFECTS); this module
carries it out in one transaction, audited. The daily run then leaves the ended
periods and their fees alone (memberships.selectors.notices_stopped, dunning_stopped,
renewal_stopped) and the block decision names the ending (domain.blocks).

Both operations are for coordinators: a staff member's scope (``within``) must carry
that role; ``within`` None is the operator's command line, who may do everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.models import Loan, Reservation
from lidgeld.circulation.selectors import LIVE_RESERVATION, open_loans
from lidgeld.circulation.services import reservation_cancel
from lidgeld.domain.endings import (
    Effective,
    Effects,
    check_reversible,
    effect_sentences,
    effective_day,
    effects_of,
)
from lidgeld.domain.sentences import RuleRefusal
from lidgeld.errors import InvalidInput, Refused
from lidgeld.finance.models import WriteOff
from lidgeld.finance.selectors import open_contributions
from lidgeld.finance.services import posting_write_off
from lidgeld.memberships.models import Membership, MembershipEnding, MembershipStatus
from lidgeld.memberships.selectors import ending_in_force, live_memberships, membership_view
from lidgeld.notices.models import Message, MessageStatus
from lidgeld.scope import Scope, role_at_least

ENDING_ROLE = "coordinator"
# What a notice skipped because its borrower died says (stored, as texts.late_reason).
NO_MAIL_REASON = "Niet verstuurd: lidmaatschap beëindigd (overleden); not sent: borrower deceased"


def require_coordinator(within: Scope | None, borrower: Borrower, *, what: Any) -> None:
    """Refused unless ``within`` (a staff member's scope; None: the operator) has the
    coordinator role and serves the borrower's library."""
    if within is None:
        return
    if not role_at_least(within.role, ENDING_ROLE):
        raise Refused(
            _("%(what)s needs the coordinator role; ask a coordinator"),
            code="role_too_low",
            params={"what": what},
        )
    if not within.allows(borrower.home_instance_id):
        raise Refused(
            _("borrower %(card)s is not one of your libraries' borrowers"),
            code="borrower_not_served",
            params={"card": borrower.card_number},
        )


def _rule(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except RuleRefusal as refusal:
        raise InvalidInput.of(refusal) from None


@dataclass(frozen=True)
class EndingPreview:
    """What ending this borrower's membership for ``reason`` would do, as the
    confirmation step shows it; ``problem`` is why it cannot be done now."""

    borrower: Borrower
    reason: str
    effects: Effects
    sentences: list[str]  # msgids, in the table's order
    current: Membership | None  # the period that runs today
    effective_on: date | None
    periods: list[Membership]  # the periods that stop being valid
    loans: list[Loan]
    open_amount: Decimal
    reservations: int
    queued_notices: int
    problem: InvalidInput | Refused | None = None


def _periods_ending(
    borrower_id: int, *, today: date, effective: date, at_once: bool
) -> list[Membership]:
    """The live periods an ending takes away: from today when it takes effect at once,
    else those after the current one (which ends on ``effective``)."""
    live = live_memberships().filter(borrower_id=borrower_id)
    periods = live.filter(end__gte=today) if at_once else live.filter(start__gt=effective)
    return list(periods.select_related("type").order_by("start", "id"))


def ending_preview(
    *, borrower: Borrower, reason: str, effective: str, today: date
) -> EndingPreview:
    effects = _rule(effects_of, reason)
    view = membership_view(borrower_id=borrower.pk, today=today)
    problem: InvalidInput | Refused | None = None
    effective_on: date | None = None
    try:
        effective_on = _rule(
            effective_day,
            reason,
            effective,
            today=today,
            period_end=view.current.end if view.current else None,
        )
    except InvalidInput as error:
        problem = error
    done = ending_in_force(borrower_id=borrower.pk, today=today)
    if done is not None:
        problem = Refused(
            _("this membership was already ended on %(day)s (%(reason)s)"),
            code="already_ended",
            params={"day": done.effective, "reason": done.get_reason_display()},
        )
    return EndingPreview(
        borrower=borrower,
        reason=reason,
        effects=effects,
        sentences=effect_sentences(reason),
        current=view.current,
        effective_on=effective_on,
        periods=(
            _periods_ending(
                borrower.pk,
                today=today,
                effective=effective_on,
                at_once=effective == Effective.TODAY.value,
            )
            if effective_on
            else []
        ),
        loans=open_loans(borrower.pk),
        open_amount=sum((p.balance for p in open_contributions(borrower.pk)), Decimal("0.00")),
        reservations=Reservation.objects.filter(
            borrower=borrower, status__in=LIVE_RESERVATION
        ).count(),
        queued_notices=Message.objects.filter(
            borrower=borrower, status=MessageStatus.QUEUED
        ).count(),
        problem=problem,
    )


@dataclass
class EndingResult:
    ending: MembershipEnding
    periods: list[int] = field(default_factory=list)  # periods no longer valid
    written_off: list[WriteOff] = field(default_factory=list)
    reservations_cancelled: int = 0
    notices_skipped: int = 0
    open_loans: int = 0  # still out (the desk confirmed)


def membership_end(
    *,
    borrower: Borrower,
    reason: str,
    effective: str = Effective.TODAY.value,
    today: date,
    now: datetime,
    actor: str,
    confirm: bool = False,
    within: Scope | None = None,
) -> EndingResult:
    """End the borrower's membership for ``reason`` ("deceased", …), taking effect
    ``effective`` ("today" or "period_end"), with the reason's effects (EFFECTS).

    Open loans refuse an ending whose reason wants them back first (at request)
    unless ``confirm`` (the desk warned and goes on)."""
    require_coordinator(within, borrower, what=_("ending a membership"))
    effects = _rule(effects_of, reason)
    with transaction.atomic():
        Borrower.objects.select_for_update().filter(pk=borrower.pk).first()
        preview = ending_preview(borrower=borrower, reason=reason, effective=effective, today=today)
        if preview.problem is not None:
            raise preview.problem
        assert preview.effective_on is not None
        if effects.loans_must_be_returned and preview.loans and not confirm:
            raise Refused(
                _(
                    "%(count)s loan(s) are still out (%(titles)s): they should be returned "
                    "first; confirm to end the membership anyway"
                ),
                code="open_loans",
                params={
                    "count": len(preview.loans),
                    "titles": ", ".join(loan.item.title for loan in preview.loans[:5]),
                },
            )
        periods = preview.periods
        before = [
            {
                "id": period.pk,
                "status": period.status,
                "invalidated_on": period.invalidated_on.isoformat()
                if period.invalidated_on
                else None,
            }
            for period in periods
        ]
        # Invalid from today: no channel counts the periods any more, they no longer
        # stand in the way of a new period, and the daily run passes them by.
        Membership.objects.filter(pk__in=[p.pk for p in periods]).update(
            status=MembershipStatus.INVALIDATED, invalidated_on=today
        )
        ending = MembershipEnding.objects.create(
            borrower=borrower,
            membership=preview.current,
            reason=reason,
            effective=preview.effective_on,
            ended_on=today,
            ended_at=now,
            ended_by=actor,
            periods=before,
        )
        result = EndingResult(ending=ending, periods=[p.pk for p in periods])
        if effects.write_off_open:
            for posting in open_contributions(borrower.pk):
                result.written_off.append(
                    posting_write_off(
                        posting=posting,
                        today=today,
                        now=now,
                        actor=actor,
                        reason=effects.write_off_reason,
                    )
                )
        cancelled: list[int] = []
        if effects.cancel_reservations:
            for reservation in Reservation.objects.filter(
                borrower=borrower, status__in=LIVE_RESERVATION
            ):
                reservation_cancel(reservation=reservation, today=today, now=now, actor=actor)
                cancelled.append(reservation.pk)
        result.reservations_cancelled = len(cancelled)
        if effects.no_mail_ever:
            result.notices_skipped = Message.objects.filter(
                borrower=borrower, status=MessageStatus.QUEUED
            ).update(status=MessageStatus.SKIPPED, last_error=NO_MAIL_REASON, next_attempt_at=None)
        result.open_loans = len(preview.loans)
        ending.done = {
            "written_off": [w.posting_id for w in result.written_off],
            "reservations_cancelled": cancelled,
            "notices_skipped": result.notices_skipped,
        }
        ending.save(update_fields=["done"])
        audit_record(
            actor=actor,
            action="membership.ended_early",
            obj=ending,
            today=today,
            now=now,
            borrower_id=borrower.pk,
            instance_id=borrower.home_instance_id,
            before={"periods": before},
            after={
                "reason": reason,
                "effective": preview.effective_on.isoformat(),
                "periods_invalidated": result.periods,
                "written_off": [str(w.amount) for w in result.written_off],
                "reservations_cancelled": result.reservations_cancelled,
                "notices_skipped": result.notices_skipped,
                "loans_out": result.open_loans,
            },
        )
        return result


@dataclass(frozen=True)
class ReversalResult:
    ending: MembershipEnding
    periods: list[int]  # valid again
    # Not put back: the written-off contributions stay written off, the cancelled
    # reservations cancelled and the skipped notices skipped.
    kept_written_off: int
    kept_cancelled: int


def membership_end_reverse(
    *,
    ending: MembershipEnding,
    today: date,
    now: datetime,
    actor: str,
    within: Scope | None = None,
) -> ReversalResult:
    """Undo an ending within 30 days: its periods get their status back and the daily
    run follows them (and their open fees) again. What was written off, cancelled or
    skipped stays so: a new reservation or booking is a new decision."""
    require_coordinator(within, ending.borrower, what=_("undoing the end of a membership"))
    with transaction.atomic():
        locked = MembershipEnding.objects.select_for_update().get(pk=ending.pk)
        if locked.reversed_at is not None:
            raise Refused(
                _("this ending was already undone on %(day)s"),
                code="already_undone",
                params={"day": locked.reversed_at.date()},
            )
        _rule(check_reversible, locked.ended_on, today)
        restored = [row for row in locked.periods if row["status"] != MembershipStatus.INVALIDATED]
        ids = [row["id"] for row in restored]
        for period in Membership.objects.filter(pk__in=ids):
            clash = (
                live_memberships()
                .filter(
                    borrower_id=period.borrower_id, start__lte=period.end, end__gte=period.start
                )
                .exclude(pk=period.pk)
                .first()
            )
            if clash is not None:
                raise Refused(
                    _(
                        "the period %(start)s – %(end)s cannot be valid again: the period "
                        "%(other_start)s – %(other_end)s was made since; end that one first"
                    ),
                    code="reversal_overlap",
                    params={
                        "start": period.start,
                        "end": period.end,
                        "other_start": clash.start,
                        "other_end": clash.end,
                    },
                )
        for row in restored:
            Membership.objects.filter(pk=row["id"], status=MembershipStatus.INVALIDATED).update(
                status=row["status"],
                invalidated_on=(
                    date.fromisoformat(row["invalidated_on"]) if row["invalidated_on"] else None
                ),
            )
        locked.reversed_at = now
        locked.reversed_by = actor
        locked.save(update_fields=["reversed_at", "reversed_by"])
        kept_written_off = len(locked.done.get("written_off", []))
        kept_cancelled = len(locked.done.get("reservations_cancelled", []))
        audit_record(
            actor=actor,
            action="membership.ending_undone",
            obj=locked,
            today=today,
            now=now,
            borrower_id=locked.borrower_id,
            instance_id=ending.borrower.home_instance_id,
            before={"reason": locked.reason, "periods_invalidated": ids},
            after={
                "periods": locked.periods,
                "not_restored": {
                    "written_off": kept_written_off,
                    "reservations_cancelled": kept_cancelled,
                },
            },
        )
        return ReversalResult(
            ending=locked,
            periods=ids,
            kept_written_off=kept_written_off,
            kept_cancelled=kept_cancelled,
        )
