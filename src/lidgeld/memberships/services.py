from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.services import reservations_resume
from lidgeld.domain.renewal import RenewalBase, period_from, renewal_period
from lidgeld.errors import InvalidInput, Refused
from lidgeld.finance.models import Posting
from lidgeld.finance.services import contribution_book
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import (
    Membership,
    MembershipType,
    Origin,
    TypeKind,
)
from lidgeld.memberships.selectors import live_memberships
from lidgeld.notices.services import renewal_confirmation_queue


def membership_type_get(*, instance: Instance, code: str) -> MembershipType:
    try:
        return MembershipType.objects.get(instance=instance, code=code)
    except MembershipType.DoesNotExist:
        known = ", ".join(
            MembershipType.objects.filter(instance=instance).values_list("code", flat=True)
        )
        raise InvalidInput(
            f"instance {instance.code} has no membership type '{code}' (known: {known or 'none'})"
        ) from None


def _create_period(
    *,
    borrower: Borrower,
    membership_type: MembershipType,
    start: date,
    today: date,
    origin: str,
    actor: str,
    paid: bool,
    channel: str,
) -> tuple[Membership, Posting | None]:
    period = period_from(start, membership_type.months)
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
            f"borrower {borrower.card_number} already has a membership between "
            f"{period.start:%d/%m/%Y} and {period.end:%d/%m/%Y}"
        ) from None
    audit_record(
        actor=actor,
        action="membership.started" if origin == Origin.REGISTRATION else "membership.renewed",
        obj=membership,
        today=today,
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
            membership=membership, paid=paid, today=today, actor=actor, channel=channel
        )
    reservations_resume(borrower_id=borrower.pk, today=today, actor=actor)
    if origin != Origin.REGISTRATION:
        renewal_confirmation_queue(membership=membership, today=today)
    return membership, posting


def membership_start(
    *,
    borrower: Borrower,
    membership_type: MembershipType,
    start: date,
    today: date,
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
        return data


def membership_renew(
    *,
    borrower: Borrower,
    paid: bool,
    today: date,
    actor: str,
    membership_type: MembershipType | None = None,
    origin: str = Origin.DESK,
) -> RenewalResult:
    """R5: one renewal, decided by staff. Two renewals at the same moment give one.

    The borrower row is locked first, so a second request waits and then finds the
    period the first one made; a renewal already made today, or a period that has
    not started yet, means the borrower is renewed and nothing more is booked.
    """
    with transaction.atomic():
        locked = (
            Borrower.objects.select_for_update().select_related("home_instance").get(pk=borrower.pk)
        )
        latest = (
            live_memberships()
            .filter(borrower=locked)
            .select_related("type")
            .order_by("-end", "-id")
            .first()
        )
        if latest is not None and _already_renewed(latest, today):
            return RenewalResult(
                locked.card_number,
                False,
                f"already renewed on {latest.created_on:%d/%m/%Y}: "
                f"the membership runs until {latest.end:%d/%m/%Y}",
                latest,
            )
        # After an invalidation the last live period may be long gone: keep the type
        # the borrower had most recently, whatever became of that period.
        most_recent = (
            Membership.objects.filter(borrower=locked)
            .select_related("type")
            .order_by("-start", "-id")
            .first()
        )
        chosen = membership_type or (most_recent.type if most_recent else None)
        if chosen is None:
            raise InvalidInput(
                f"borrower {locked.card_number} has no membership yet; choose a type"
            )
        instance = chosen.instance
        period = renewal_period(
            previous_end=latest.end if latest else None,
            today=today,
            months=chosen.months,
            base=RenewalBase(instance.renewal_base),
            grace_days=instance.renewal_grace_days,
        )
        membership, posting = _create_period(
            borrower=locked,
            membership_type=chosen,
            start=period.start,
            today=today,
            origin=origin,
            actor=actor,
            paid=paid,
            channel=origin,
        )
        return RenewalResult(locked.card_number, True, "renewed", membership, posting)


def _already_renewed(latest: Membership, today: date) -> bool:
    """A period that has not started yet, or one staff made today, is the renewal itself."""
    made_by_staff_today = latest.created_on == today and latest.origin != Origin.AUTOMATIC
    return latest.start > today or made_by_staff_today


def memberships_renew(
    *,
    card_numbers: Iterable[str],
    paid: bool,
    today: date,
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
            results.append(membership_renew(borrower=borrower, paid=paid, today=today, actor=actor))
        except (Refused, InvalidInput) as refusal:
            results.append(RenewalResult(card, False, refusal.message))
    return results
