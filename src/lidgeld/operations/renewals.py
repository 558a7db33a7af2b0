from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.services import reservations_resume
from lidgeld.domain.ages import age_check, age_unchecked, past_maximum
from lidgeld.domain.blocks import Channel, MembershipState
from lidgeld.domain.endings import effects_of
from lidgeld.domain.renewal import (
    Eligibility,
    LatestPeriod,
    Period,
    RenewalBase,
    period_from,
    renewal_eligibility,
    renewal_start,
)
from lidgeld.domain.sentences import RuleRefusal
from lidgeld.errors import InvalidInput, LidgeldError, Refused
from lidgeld.finance.models import Posting
from lidgeld.finance.selectors import open_amount as finance_open_amount
from lidgeld.finance.services import (
    PaymentResult,
    contribution_book,
    payment_register,
    request_answer,
    request_claim,
)
from lidgeld.memberships.models import (
    Membership,
    MembershipStatus,
    MembershipType,
    Origin,
    TypeKind,
)
from lidgeld.memberships.selectors import MembershipView, ending_in_force, membership_view
from lidgeld.notices.services import renewal_confirmation_queue


def age_refusal(
    *, birth_date: date | None, membership_type: MembershipType, start: date
) -> Refused | None:
    """R12: why ``membership_type`` may not start on ``start`` for a borrower born on
    ``birth_date`` (None: it may, or there is no birth date to check)."""
    try:
        age_check(membership_type.age_limits, birth_date=birth_date, day=start)
    except RuleRefusal as refusal:
        return Refused.of(refusal)
    return None


def _create_period(
    *,
    borrower: Borrower,
    membership_type: MembershipType,
    start: date,
    today: date,
    now: datetime,
    origin: str,
    actor: str,
    paid: bool,
    channel: str,
) -> tuple[Membership, Posting | None]:
    period = period_from(start, membership_type.months)
    ending = ending_in_force(borrower_id=borrower.pk, today=today)
    if ending is not None and effects_of(ending.reason).block_all_channels:
        # R12: the membership ended because the borrower died: never a new period
        raise Refused(
            _("the membership of %(card)s was ended on %(day)s (%(reason)s): no new period"),
            code="membership_ended_for_good",
            params={
                "card": borrower.card_number,
                "day": ending.effective,
                "reason": ending.get_reason_display(),
            },
        )
    if refused := age_refusal(
        birth_date=borrower.birth_date, membership_type=membership_type, start=start
    ):
        raise refused
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                borrower=borrower,
                instance=membership_type.instance,
                type=membership_type,
                start=period.start,
                end=period.end,
                origin=origin,
                created_on=today,
            )
    except IntegrityError:
        raise Refused(
            _("borrower %(card)s already has a membership between %(start)s and %(end)s"),
            code="period_taken",
            params={"card": borrower.card_number, "start": period.start, "end": period.end},
        ) from None
    audit_record(
        actor=actor,
        action="membership.started" if origin == Origin.REGISTRATION else "membership.renewed",
        obj=membership,
        today=today,
        now=now,
        borrower_id=borrower.pk,
        instance_id=membership.instance_id,
        after={
            "type": membership_type.code,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "origin": origin,
        },
    )
    posting = None
    if membership_type.kind == TypeKind.PAYING:
        posting = contribution_book(
            membership=membership, paid=paid, today=today, now=now, actor=actor, channel=channel
        )
    reservations_resume(borrower_id=borrower.pk, today=today, now=now, actor=actor)
    if origin != Origin.REGISTRATION:
        renewal_confirmation_queue(
            membership=membership, today=today, now=now, always=origin == Origin.PORTAL
        )
    return membership, posting


def membership_start(
    *,
    borrower: Borrower,
    membership_type: MembershipType,
    start: date,
    today: date,
    now: datetime,
    actor: str,
    paid: bool = False,
) -> Membership:
    """The first period of a new borrower."""
    with transaction.atomic():
        membership, _ = _create_period(
            borrower=borrower,
            membership_type=membership_type,
            start=start,
            today=today,
            now=now,
            origin=Origin.REGISTRATION,
            actor=actor,
            paid=paid,
            channel="desk",
        )
        return membership


@dataclass(frozen=True)
class RenewalResult:
    card_number: str
    renewed: bool
    reason: str  # "renewed" or why not, in words staff can act on
    membership: Membership | None = None
    posting: Posting | None = None
    # Why not, for a borrower (in their language) and for a program; None when renewed.
    eligibility: Eligibility | None = None
    # "Fee paid": what the borrower paid with the renewal, every open contribution
    # (the older ones too), oldest first; None when nothing was paid.
    payment: PaymentResult | None = None
    still_open: Decimal = Decimal("0.00")  # all open contributions after the renewal
    repeated: bool = False  # the answer to a repeated request: nothing was booked now
    refusal: LidgeldError | None = None  # why not, when a check outside eligibility refused

    @property
    def reason_code(self) -> str:
        return self.eligibility.reason.value if self.eligibility else "renewed"

    def reason_in(self, language: str) -> str:
        """Why not, in ``language`` (nl, fr or en), for the person who reads it."""
        if self.eligibility is not None and not self.eligibility.allowed:
            return self.eligibility.message(language[:2])
        if self.refusal is not None:
            return self.refusal.localized(language)
        return self.reason

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "card": self.card_number,
            "renewed": self.renewed,
            "reason": self.reason,
        }
        if self.membership is not None:
            data["start"] = self.membership.start.isoformat()
            data["end"] = self.membership.end.isoformat()
            data["type"] = self.membership.type.code
        if self.posting is not None:
            data["fee"] = str(self.posting.amount)
            data["fee_open"] = str(self.posting.balance)
        if self.renewed:
            data["payment"] = self.payment.as_dict() if self.payment is not None else None
            data["still_open"] = str(self.still_open)
        return data


@dataclass(frozen=True)
class RenewalPlan:
    """What renewing today would do, or why it may not (``eligibility``)."""

    eligibility: Eligibility
    latest: Membership | None  # the live period that ends last
    membership_type: MembershipType | None  # the type the new period gets
    period: Period | None  # the new period; None when refused or no type is known
    # R12: the borrower's type, when they are past its maximum age on the new start and
    # ``membership_type`` is the type that follows it (the suggestion).
    replaced_type: MembershipType | None = None
    # R12: why ``membership_type`` does not fit the borrower's age on the new start.
    age_refusal: LidgeldError | None = None
    # R12: the type has age limits but the borrower has no birth date to check them.
    age_unchecked: bool = False


def renewal_plan(
    *,
    borrower: Borrower,
    today: date,
    channel: Channel = Channel.DESK,
    membership_type: MembershipType | None = None,
    view: MembershipView | None = None,
    open_amount: Decimal | None = None,
) -> RenewalPlan:
    """The renewal a desk or the portal would make today, decided by the one rule
    (:func:`lidgeld.domain.renewal.renewal_eligibility`) for both. The portal shows
    it before the borrower confirms; :func:`membership_renew` asks it again under
    the borrower's lock.

    ``view`` and ``open_amount`` are the borrower's membership view and open amount for
    ``today`` when the caller has just read them (a page showing the borrower's
    status), so they are not read twice."""
    periods = list(
        Membership.objects.filter(borrower_id=borrower.pk).select_related(
            "type__instance", "type__next_type__instance"
        )
    )
    live = [p for p in periods if p.status != MembershipStatus.INVALIDATED]
    latest = max(live, key=lambda p: (p.end, p.pk), default=None)
    # After an invalidation the last live period may be long gone: keep the type
    # the borrower had most recently, whatever became of that period.
    most_recent = max(periods, key=lambda p: (p.start, p.pk), default=None)
    chosen = membership_type or (most_recent.type if most_recent else None)
    instance = chosen.instance if chosen is not None else borrower.home_instance
    online = channel is not Channel.DESK
    start = renewal_start(
        previous_end=latest.end if latest else None,
        today=today,
        base=RenewalBase(instance.renewal_base),
        grace_days=instance.renewal_grace_days,
    )
    replaced = None
    if (
        membership_type is None
        and chosen is not None
        and chosen.next_type is not None
        and past_maximum(chosen.age_limits, birth_date=borrower.birth_date, day=start)
    ):
        replaced, chosen = chosen, chosen.next_type

    def state() -> MembershipState:
        return (view or membership_view(borrower_id=borrower.pk, today=today)).state

    def owed() -> Decimal:
        return open_amount if open_amount is not None else finance_open_amount(borrower.pk)

    eligibility = renewal_eligibility(
        latest=LatestPeriod(
            start=latest.start,
            end=latest.end,
            made_on=latest.created_on,
            automatic=latest.origin == Origin.AUTOMATIC,
        )
        if latest is not None
        else None,
        invalidated=online and state() is MembershipState.INVALIDATED,
        auto_renewing=chosen is not None and chosen.kind == TypeKind.FREE_AUTO,
        open_amount=owed() if online else Decimal("0.00"),
        today=today,
        channel=channel,
        online_allowed=instance.portal_renewal,
        window_months=instance.portal_renewal_window_months,
    )
    period = None
    if eligibility.allowed and chosen is not None:
        period = period_from(start, chosen.months)
    return RenewalPlan(
        eligibility,
        latest,
        chosen,
        period,
        replaced_type=replaced,
        age_refusal=age_refusal(birth_date=borrower.birth_date, membership_type=chosen, start=start)
        if chosen is not None
        else None,
        age_unchecked=chosen is not None
        and age_unchecked(chosen.age_limits, birth_date=borrower.birth_date),
    )


def membership_renew(
    *,
    borrower: Borrower,
    paid: bool,
    today: date,
    now: datetime,
    actor: str,
    membership_type: MembershipType | None = None,
    origin: str = Origin.DESK,
    amount: Decimal | None = None,
    request_key: str | None = None,
) -> RenewalResult:
    """R5: one renewal, decided by staff or, online, by the borrower. Two renewals at the
    same moment give one.

    ``paid``: the borrower pays now, ``amount`` or (None) everything open: the new fee
    *and* any older open contribution, oldest first, as a payment at the desk does, so
    nothing stays open unseen and the kiosk block clears (R6, R7). The confirmation
    step shows that list (:func:`lidgeld.standing.dues.renewal_dues`).

    The borrower row is locked first, so a second request waits and then finds the
    period the first one made; :func:`renewal_plan` then answers "already renewed" and
    nothing more is booked. With ``request_key`` (the confirmation form's one-time key)
    a repeat gets the first answer again. A renewal from the portal (``origin`` PORTAL)
    is held to the online rules of that same plan.
    """
    if amount is not None and not paid:
        raise InvalidInput(
            _("an amount goes with a renewal whose fee is paid now"), code="amount_without_payment"
        )
    channel = Channel.PORTAL if origin == Origin.PORTAL else Channel.DESK
    with transaction.atomic():
        locked = (
            Borrower.objects.select_for_update().select_related("home_instance").get(pk=borrower.pk)
        )
        claim = None
        if request_key is not None:
            claim = request_claim(
                channel=origin,
                key=request_key,
                purpose="renewal",
                borrower_id=locked.pk,
                asked={
                    "paid": paid,
                    "amount": str(amount) if amount is not None else "all",
                    "type": membership_type.pk if membership_type is not None else None,
                },
                today=today,
            )
            if claim.first is not None:
                return _repeated(locked.card_number, claim.first)
        plan = renewal_plan(
            borrower=locked, today=today, channel=channel, membership_type=membership_type
        )
        if not plan.eligibility.allowed:
            if claim is not None:
                claim.row.delete()  # a refusal is decided again on a repeat, not replayed
            return RenewalResult(
                locked.card_number,
                False,
                plan.eligibility.message("en"),
                plan.latest,
                eligibility=plan.eligibility,
            )
        if plan.membership_type is None or plan.period is None:
            raise InvalidInput(
                _("borrower %(card)s has no membership yet; choose a type"),
                code="type_needed",
                params={"card": locked.card_number},
            )
        membership, posting = _create_period(
            borrower=locked,
            membership_type=plan.membership_type,
            start=plan.period.start,
            today=today,
            now=now,
            origin=origin,
            actor=actor,
            paid=False,
            channel=origin,
        )
        payment = None
        if paid and (amount is not None or finance_open_amount(locked.pk) > 0):
            payment = payment_register(
                borrower=locked, amount=amount, today=today, now=now, actor=actor, channel=origin
            )
        if posting is not None:
            posting.refresh_from_db()
        result = RenewalResult(
            locked.card_number,
            True,
            "renewed",
            membership,
            posting,
            payment=payment,
            still_open=finance_open_amount(locked.pk),
        )
        if claim is not None:
            request_answer(
                claim,
                {
                    "membership": membership.pk,
                    "posting": posting.pk if posting is not None else None,
                    "payment": payment.as_dict() if payment is not None else None,
                    "still_open": str(result.still_open),
                },
            )
        return result


def _repeated(card_number: str, first: dict[str, Any]) -> RenewalResult:
    """The answer a renewal request got the first time, for its repeat."""
    posting = Posting.objects.filter(pk=first["posting"]).first() if first["posting"] else None
    return RenewalResult(
        card_number,
        True,
        "renewed",
        Membership.objects.select_related("type").get(pk=first["membership"]),
        posting,
        payment=PaymentResult.from_dict(first["payment"]) if first["payment"] else None,
        still_open=Decimal(first["still_open"]),
        repeated=True,
    )


def memberships_renew(
    *,
    card_numbers: Iterable[str],
    paid: bool,
    today: date,
    now: datetime,
    actor: str,
    instance_ids: list[int] | None = None,
) -> list[RenewalResult]:
    """Renew a chosen list (e.g. "expires at the end of this month"), one result per card.

    Each borrower is renewed in a transaction of its own: one refusal does not undo
    the others, and a crash halfway leaves whole renewals only.
    """
    results: list[RenewalResult] = []
    for card in dict.fromkeys(card_numbers):
        borrower = Borrower.objects.filter(card_number=card).first()
        if borrower is None or (
            instance_ids is not None and borrower.home_instance_id not in instance_ids
        ):
            results.append(RenewalResult(card, False, "unknown card number"))
            continue
        try:
            results.append(
                membership_renew(borrower=borrower, paid=paid, today=today, now=now, actor=actor)
            )
        except (Refused, InvalidInput) as refusal:
            results.append(RenewalResult(card, False, refusal.message, refusal=refusal))
    return results
