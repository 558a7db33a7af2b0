"""The naive reference: the daily run as a per-borrower ORM loop.

For every borrower it loads the open contributions, the periods and the
reservations, applies R6, R2, R3 and R4 in Python, and saves each change and
each audit row one by one. Same logical work and same end state as the tick
(the benchmark checks that), the way one would write it without set-based SQL.
Runs inside a Django process (bench/worker.py).
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta
from typing import Any


def naive_run(*, day: date, now: datetime, actor: str) -> dict[str, Any]:
    from django.db import transaction

    from lidgeld.audit.models import AuditEvent
    from lidgeld.borrowers.models import Borrower
    from lidgeld.circulation.models import Reservation, ReservationStatus
    from lidgeld.domain.dunning import Stage, booked_before_for
    from lidgeld.domain.months import end_of_month
    from lidgeld.domain.renewal import period_from
    from lidgeld.finance.batch import WRITE_OFF_REASON
    from lidgeld.finance.models import CONTRIBUTION_CODES, Posting, PostingStatus, WriteOff
    from lidgeld.libraries.models import Instance
    from lidgeld.memberships.models import (
        Membership,
        MembershipStatus,
        MembershipType,
        Origin,
        TypeKind,
    )
    from lidgeld.notices.batch import EMAIL_REGEX
    from lidgeld.notices.models import (
        KIND_END_OF_CONTRIBUTION,
        KIND_REMINDER,
        KIND_UNPAID,
        TYPE_CONTRIBUTION,
        Channel,
        Message,
        MessageStatus,
    )
    from lidgeld.notices.texts import late_reason

    instances = {instance.pk: instance for instance in Instance.objects.all()}
    types = {
        membership_type.pk: membership_type for membership_type in MembershipType.objects.all()
    }
    low, high = CONTRIBUTION_CODES
    month_end = end_of_month(day)
    email = re.compile(EMAIL_REGEX)
    counts: dict[str, int] = {}

    def count(name: str) -> None:
        counts[name] = counts.get(name, 0) + 1

    def audit(action: str, obj: Any, before: dict[str, Any], after: dict[str, Any]) -> None:
        AuditEvent.objects.create(
            at=now,
            business_date=day,
            actor=actor,
            action=action,
            object_type=obj._meta.model_name,
            object_id=obj.pk,
            borrower_id=obj.borrower_id,
            instance_id=obj.instance_id,
            before=before,
            after=after,
        )

    def notice(
        borrower: Borrower, kind: str, instance_id: int, membership_id: Any, posting_id: Any
    ) -> str:
        """Queue one notice (its text is rendered at delivery); returns queued / skipped."""
        instance = instances[instance_id]
        has_email = email.match(borrower.email) is not None
        days_late = 0  # the naive loop runs on its own day
        late = days_late > instance.notice_max_delay_days
        Message.objects.create(
            borrower=borrower,
            instance_id=instance_id,
            membership_id=membership_id,
            posting_id=posting_id,
            type=TYPE_CONTRIBUTION,
            kind=kind,
            date=day,
            channel=Channel.EMAIL if has_email else Channel.LETTER,
            status=MessageStatus.SKIPPED if late else MessageStatus.QUEUED,
            language=borrower.language,
            to_address=borrower.email if has_email else "",
            attempts=0,
            last_error=late_reason(days_late, instance.notice_max_delay_days) if late else "",
            created_at=now,
        )
        return "skipped" if late else "queued"

    stage_notices = {
        Stage.REMINDER.value: (KIND_REMINDER, "notice_reminder"),
        Stage.UNPAID.value: (KIND_UNPAID, "notice_unpaid"),
    }

    def one_borrower(borrower: Borrower) -> bool:
        changed = False
        postings = list(
            Posting.objects.filter(
                borrower=borrower,
                status=PostingStatus.OPEN,
                booking_code__gte=low,
                booking_code__lte=high,
            ).order_by("pk")
        )
        # R6: stages, then write-off with invalidation
        for posting in postings:
            instance = instances[posting.instance_id]
            for from_stage, to_stage, months in instance.dunning_policy.transitions():
                if to_stage is Stage.WRITTEN_OFF:
                    continue
                if posting.stage == from_stage.value and posting.booked_on < booked_before_for(
                    day, months
                ):
                    audit(
                        "posting.stage_changed",
                        posting,
                        {"stage": from_stage.value},
                        {"stage": to_stage.value},
                    )
                    posting.stage = to_stage.value
                    posting.save(update_fields=["stage"])
                    count(to_stage.value)
                    changed = True
                    kind, switch = stage_notices[to_stage.value]
                    if getattr(instance, switch):
                        outcome = notice(
                            borrower, kind, posting.instance_id, posting.membership_id, posting.pk
                        )
                        count(f"notices_{outcome}")
        for posting in postings:
            instance = instances[posting.instance_id]
            if posting.stage != Stage.UNPAID.value or posting.booked_on >= booked_before_for(
                day, instance.write_off_after_months
            ):
                continue
            if posting.membership_id is not None:
                membership = Membership.objects.get(pk=posting.membership_id)
                if membership.status in (MembershipStatus.ACTIVE, MembershipStatus.ENDED):
                    audit(
                        "membership.invalidated",
                        membership,
                        {"status": membership.status},
                        {
                            "status": MembershipStatus.INVALIDATED.value,
                            "reason": "contribution unpaid",
                        },
                    )
                    membership.status = MembershipStatus.INVALIDATED
                    membership.invalidated_on = day
                    membership.save(update_fields=["status", "invalidated_on"])
                    count("invalidated")
            WriteOff.objects.create(
                posting=posting,
                amount=posting.balance,
                written_off_on=day,
                reason=WRITE_OFF_REASON,
                recorded_by=actor,
            )
            audit(
                "posting.written_off",
                posting,
                {"status": PostingStatus.OPEN.value, "stage": Stage.UNPAID.value},
                {"status": PostingStatus.WRITTEN_OFF.value, "reason": WRITE_OFF_REASON},
            )
            posting.status = PostingStatus.WRITTEN_OFF
            posting.stage = Stage.WRITTEN_OFF.value
            posting.balance = 0
            posting.closed_on = day
            posting.save(update_fields=["status", "stage", "balance", "closed_on"])
            count("written_off")
            changed = True

        # R2: expiry and automatic renewal
        periods = list(Membership.objects.filter(borrower=borrower).order_by("start", "pk"))

        def followed(period: Membership) -> bool:
            return any(
                other.pk != period.pk
                and other.status != MembershipStatus.INVALIDATED
                and other.start > period.end
                for other in periods
            )

        for period in list(periods):
            if period.status != MembershipStatus.ACTIVE or period.end >= day:
                continue
            membership_type = types[period.type_id]
            if not followed(period):
                if membership_type.kind == TypeKind.FREE_AUTO:
                    new = period_from(period.end + timedelta(days=1), membership_type.months)
                    audit(
                        "membership.auto_renewed",
                        period,
                        {"end": period.end.isoformat()},
                        {
                            "start": new.start.isoformat(),
                            "end": new.end.isoformat(),
                            "origin": "automatic",
                        },
                    )
                    periods.append(
                        Membership.objects.create(
                            borrower_id=period.borrower_id,
                            instance_id=period.instance_id,
                            type_id=period.type_id,
                            start=new.start,
                            end=new.end,
                            status=MembershipStatus.ACTIVE,
                            origin=Origin.AUTOMATIC,
                            created_on=day,
                        )
                    )
                    count("auto_renewed")
                else:
                    count("expired")
            audit(
                "membership.ended",
                period,
                {"status": MembershipStatus.ACTIVE.value},
                {"status": MembershipStatus.ENDED.value},
            )
            period.status = MembershipStatus.ENDED
            period.save(update_fields=["status"])
            count("periods_closed")
            changed = True

        # R3: hold and resume reservations
        covered = any(
            period.status != MembershipStatus.INVALIDATED and period.start <= day <= period.end
            for period in periods
        )
        for reservation in Reservation.objects.filter(
            borrower=borrower, status__in=[ReservationStatus.WAITING, ReservationStatus.HELD]
        ):
            if reservation.status == ReservationStatus.WAITING and not covered:
                audit(
                    "reservation.held",
                    reservation,
                    {"status": ReservationStatus.WAITING.value},
                    {"status": ReservationStatus.HELD.value},
                )
                reservation.status = ReservationStatus.HELD
                reservation.held_since = day
                reservation.save(update_fields=["status", "held_since"])
                count("held")
                changed = True
            elif reservation.status == ReservationStatus.HELD and covered:
                audit(
                    "reservation.resumed",
                    reservation,
                    {"status": ReservationStatus.HELD.value},
                    {"status": ReservationStatus.WAITING.value},
                )
                reservation.status = ReservationStatus.WAITING
                reservation.held_since = None
                reservation.save(update_fields=["status", "held_since"])
                count("resumed")
                changed = True

        # R4: the end-of-contribution notice on the 1st
        if day.day == 1:
            for period in periods:
                if (
                    period.status != MembershipStatus.ACTIVE
                    or period.end != month_end
                    or period.start > day
                    or types[period.type_id].kind not in (TypeKind.PAYING, TypeKind.FREE)
                    or followed(period)
                    or not instances[period.instance_id].notice_end_of_contribution
                    or Message.objects.filter(
                        membership=period, type=TYPE_CONTRIBUTION, kind=KIND_END_OF_CONTRIBUTION
                    ).exists()
                ):
                    continue
                count(
                    notice(borrower, KIND_END_OF_CONTRIBUTION, period.instance_id, period.pk, None)
                )
                changed = True
        return changed

    started = time.perf_counter()
    borrowers = 0
    affected = 0
    # Only what the rules read, as a careful loop would (and robust to new columns).
    borrowers_qs = Borrower.objects.only("pk", "email", "language").order_by("pk")
    for borrower in borrowers_qs.iterator(chunk_size=2000):
        with transaction.atomic():
            if one_borrower(borrower):
                affected += 1
        borrowers += 1
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "borrowers": borrowers, "affected": affected, "counts": counts}
