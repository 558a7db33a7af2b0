from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.models import Borrower
from lidgeld.domain.amounts import AmountError
from lidgeld.domain.amounts import parse_amount as domain_parse_amount
from lidgeld.domain.dunning import Stage
from lidgeld.errors import InvalidInput, Refused
from lidgeld.finance.models import (
    Payment,
    PaymentRequest,
    Posting,
    PostingStatus,
    WriteOff,
)
from lidgeld.finance.selectors import open_contributions
from lidgeld.memberships.models import Membership


def contribution_book(
    *,
    membership: Membership,
    paid: bool,
    today: date,
    now: datetime,
    actor: str,
    channel: str = "desk",
) -> Posting:
    """Book the fee of a paying period as an open item; ``paid`` settles it at once."""
    membership_type = membership.type
    posting = Posting.objects.create(
        borrower_id=membership.borrower_id,
        instance_id=membership.instance_id,
        membership=membership,
        booking_code=membership_type.booking_code,
        description=f"Lidgeld {membership_type.name} {membership.start:%d/%m/%Y}–{membership.end:%d/%m/%Y}",
        amount=membership_type.fee,
        balance=membership_type.fee,
        booked_on=today,
        stage=Stage.OPEN.value,
    )
    audit_record(
        actor=actor,
        action="posting.booked",
        obj=posting,
        today=today,
        now=now,
        borrower_id=posting.borrower_id,
        instance_id=posting.instance_id,
        after={"amount": str(posting.amount), "booking_code": posting.booking_code},
    )
    if paid:
        _apply_payment(
            posting, membership_type.fee, today=today, now=now, actor=actor, channel=channel
        )
    return posting


def charge_book(
    *,
    borrower: Borrower,
    instance_id: int,
    booking_code: int,
    amount: Decimal,
    description: str,
    paid: bool,
    today: date,
    now: datetime,
    actor: str,
    channel: str = "desk",
) -> Posting:
    """Book a charge that is not a contribution (a new card): an open item under its
    own booking code, outside 1000-1999, so no dunning clock and no block follows it.
    ``paid`` settles it at once."""
    if 1000 <= booking_code <= 1999:
        raise Refused(
            _("booking code %(code)d is a contribution's; a charge needs a code outside 1000-1999"),
            code="charge_code_is_contribution",
            params={"code": booking_code},
        )
    posting = Posting.objects.create(
        borrower=borrower,
        instance_id=instance_id,
        booking_code=booking_code,
        description=description,
        amount=amount,
        balance=amount,
        booked_on=today,
        stage=Stage.OPEN.value,
    )
    audit_record(
        actor=actor,
        action="posting.booked",
        obj=posting,
        today=today,
        now=now,
        borrower_id=posting.borrower_id,
        instance_id=posting.instance_id,
        after={"amount": str(amount), "booking_code": booking_code, "description": description},
    )
    if paid:
        _apply_payment(posting, amount, today=today, now=now, actor=actor, channel=channel)
    return posting


def _apply_payment(
    posting: Posting, amount: Decimal, *, today: date, now: datetime, actor: str, channel: str
) -> None:
    before = {"balance": str(posting.balance), "status": posting.status, "stage": posting.stage}
    Payment.objects.create(
        posting=posting, amount=amount, paid_on=today, channel=channel, recorded_by=actor
    )
    posting.balance -= amount
    if posting.balance == 0:
        posting.status = PostingStatus.PAID
        posting.closed_on = today
    posting.save(update_fields=["balance", "status", "closed_on"])
    audit_record(
        actor=actor,
        action="posting.paid" if posting.balance == 0 else "posting.partly_paid",
        obj=posting,
        today=today,
        now=now,
        borrower_id=posting.borrower_id,
        instance_id=posting.instance_id,
        before=before,
        after={"balance": str(posting.balance), "status": posting.status, "paid": str(amount)},
    )


@dataclass(frozen=True)
class PaidPart:
    """What one payment did to one open contribution."""

    posting_id: int
    booked_on: date
    description: str
    paid: Decimal
    still_open: Decimal  # on this contribution, after the payment

    def as_dict(self) -> dict[str, Any]:
        return {
            "posting": self.posting_id,
            "booked_on": self.booked_on.isoformat(),
            "description": self.description,
            "paid": str(self.paid),
            "open": str(self.still_open),
        }


@dataclass
class PaymentResult:
    paid: Decimal
    settled: list[int] = field(default_factory=list)  # postings paid in full
    still_open: Decimal = Decimal("0.00")  # of all the borrower's contributions, after
    parts: list[PaidPart] = field(default_factory=list)  # oldest first
    repeated: bool = False  # a repeat of a request made before: nothing was booked now

    def as_dict(self) -> dict[str, Any]:
        return {
            "paid": str(self.paid),
            "still_open": str(self.still_open),
            "items": [part.as_dict() for part in self.parts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, repeated: bool = False) -> PaymentResult:
        parts = [
            PaidPart(
                posting_id=item["posting"],
                booked_on=date.fromisoformat(item["booked_on"]),
                description=item["description"],
                paid=Decimal(item["paid"]),
                still_open=Decimal(item["open"]),
            )
            for item in data.get("items", [])
        ]
        return cls(
            paid=Decimal(data["paid"]),
            settled=[part.posting_id for part in parts if part.still_open == 0],
            still_open=Decimal(data["still_open"]),
            parts=parts,
            repeated=repeated,
        )


def parse_amount(text: str, *, allow_zero: bool = False) -> Decimal:
    """An amount in euros as staff, a kiosk (SIP2 BV) or a command line type it: ``12,50``
    or ``12.50``, ASCII digits only, at most what the database holds. The rule itself is
    :func:`lidgeld.domain.amounts.parse_amount`; this gives its refusal as InvalidInput."""
    try:
        return domain_parse_amount(text, allow_zero=allow_zero)
    except AmountError as error:
        raise InvalidInput.of(error) from None


# --- one-time keys: a request that pays is booked once --------------------------------

MAX_KEY = 100


@dataclass(frozen=True)
class RequestClaim:
    """A one-time key taken by this request; ``first`` is the answer an earlier request
    with the key got (then nothing is to be booked now), None when the key is new."""

    row: PaymentRequest
    first: dict[str, Any] | None


def request_claim(
    *,
    channel: str,
    key: str,
    purpose: str,
    borrower_id: int,
    asked: dict[str, Any],
    today: date,
) -> RequestClaim:
    """Take ``key`` for one request, inside the caller's transaction.

    Two requests with one key at the same moment: the second waits on the unique
    constraint until the first commits, then reads its answer. If the first is rolled
    back (refused), the key is free again and the second is decided on its own. A key
    used before for another borrower, purpose or amount is refused: a form sent again
    after a change is not the same request."""
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise InvalidInput(
            _("this form has no valid one-time key; nothing was booked: open the page again"),
            code="request_key_invalid",
        )
    try:
        with transaction.atomic():
            row = PaymentRequest.objects.create(
                channel=channel,
                key=key,
                purpose=purpose,
                borrower_id=borrower_id,
                asked=asked,
                made_on=today,
            )
        return RequestClaim(row, None)
    except IntegrityError:
        row = PaymentRequest.objects.get(channel=channel, key=key)
    if (row.purpose, row.borrower_id, row.asked) != (purpose, borrower_id, asked):
        raise Refused(
            _(
                "this form was already sent for another request; nothing was booked: open the "
                "borrower again and start over"
            ),
            code="request_key_reused",
        )
    return RequestClaim(row, row.outcome)


def request_answer(claim: RequestClaim, outcome: dict[str, Any]) -> None:
    """Keep the answer of a claimed request, for a repeat to get it again."""
    claim.row.outcome = outcome
    claim.row.save(update_fields=["outcome"])


def payment_register(
    *,
    borrower: Borrower,
    amount: Decimal | None,
    today: date,
    now: datetime,
    actor: str,
    channel: str = "desk",
    request_key: str | None = None,
) -> PaymentResult:
    """Pay open contributions, oldest first; ``amount`` None pays everything open.
    Paying in full clears every block at once (R6).

    With ``request_key`` (the desk form's one-time key, a kiosk's transaction id) a
    repeat of the request books nothing and returns the first result, ``repeated``."""
    if amount is not None and amount <= 0:
        raise InvalidInput(_("the amount must be more than 0"), code="amount_not_positive")
    with transaction.atomic():
        claim = None
        if request_key is not None:
            claim = request_claim(
                channel=channel,
                key=request_key,
                purpose="payment",
                borrower_id=borrower.pk,
                asked={"amount": str(amount) if amount is not None else "all"},
                today=today,
            )
            if claim.first is not None:
                return PaymentResult.from_dict(claim.first, repeated=True)
        Borrower.objects.select_for_update().filter(pk=borrower.pk).first()
        postings = list(open_contributions(borrower.pk).select_for_update())
        total_open = sum((p.balance for p in postings), Decimal("0.00"))
        if total_open == 0:
            raise Refused(
                _("borrower %(card)s has no open contribution to pay"),
                code="nothing_open",
                params={"card": borrower.card_number},
            )
        if amount is None:
            amount = total_open
        if amount > total_open:
            raise Refused(
                _(
                    "%(amount)s is more than the open contribution of %(open)s; pay at most %(open)s"
                ),
                code="amount_too_large",
                params={"amount": amount, "open": total_open},
            )
        result = PaymentResult(paid=amount)
        remaining = amount
        for posting in postings:
            if remaining == 0:
                break
            part = min(remaining, posting.balance)
            _apply_payment(posting, part, today=today, now=now, actor=actor, channel=channel)
            remaining -= part
            result.parts.append(
                PaidPart(posting.pk, posting.booked_on, posting.description, part, posting.balance)
            )
            if posting.balance == 0:
                result.settled.append(posting.pk)
        result.still_open = total_open - amount
        if claim is not None:
            request_answer(claim, result.as_dict())
        return result


def posting_write_off(
    *, posting: Posting, today: date, now: datetime, actor: str, reason: str
) -> WriteOff:
    """Give up an open item by hand (coordinator decision)."""
    if not reason.strip():
        raise InvalidInput(_("say why the item is written off"), code="reason_missing")
    with transaction.atomic():
        locked = Posting.objects.select_for_update().get(pk=posting.pk)
        if locked.status != PostingStatus.OPEN:
            raise Refused(
                _("this item is %(status)s, only open items can be written off"),
                code="item_closed",
                params={"status": PostingStatus(locked.status).label},
            )
        write_off = WriteOff.objects.create(
            posting=locked,
            amount=locked.balance,
            written_off_on=today,
            reason=reason,
            recorded_by=actor,
        )
        before = {"balance": str(locked.balance), "status": locked.status, "stage": locked.stage}
        locked.balance = Decimal("0.00")
        locked.status = PostingStatus.WRITTEN_OFF
        locked.stage = Stage.WRITTEN_OFF.value
        locked.closed_on = today
        locked.save(update_fields=["balance", "status", "stage", "closed_on"])
        audit_record(
            actor=actor,
            action="posting.written_off",
            obj=locked,
            today=today,
            now=now,
            borrower_id=locked.borrower_id,
            instance_id=locked.instance_id,
            before=before,
            after={"status": locked.status, "reason": reason},
        )
        return write_off


def payment_register_for_posting(
    *,
    posting: Posting,
    amount: Decimal,
    today: date,
    now: datetime,
    actor: str,
    channel: str = "bank",
    reference: str = "",
) -> Posting:
    """Pay one open item, as named by its payment reference (a bank transfer).

    Unlike :func:`payment_register` nothing is spread over other items: more than the
    item's open balance is refused, less is a partial payment. ``reference`` is the
    source of the payment (the bank transaction) and goes into the audit trail."""
    if amount <= 0:
        raise InvalidInput(_("the amount must be more than 0"), code="amount_not_positive")
    with transaction.atomic():
        locked = Posting.objects.select_for_update().filter(pk=posting.pk).first()
        if locked is None:
            raise InvalidInput(
                _("there is no item %(item)s"), code="unknown_item", params={"item": posting.pk}
            )
        if locked.status != PostingStatus.OPEN:
            raise Refused(
                _("this item is %(status)s, only open items can be paid"),
                code="item_closed",
                params={"status": PostingStatus(locked.status).label},
            )
        if amount > locked.balance:
            raise Refused(
                _("%(amount)s is more than the open balance of %(open)s; pay at most %(open)s"),
                code="amount_too_large",
                params={"amount": amount, "open": locked.balance},
            )
        _apply_payment(locked, amount, today=today, now=now, actor=actor, channel=channel)
        if reference:
            audit_record(
                actor=actor,
                action="payment.source",
                obj=locked,
                today=today,
                now=now,
                borrower_id=locked.borrower_id,
                instance_id=locked.instance_id,
                after={"channel": channel, "amount": str(amount), "reference": reference},
            )
        return locked
