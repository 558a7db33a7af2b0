"""What the portal's pages show. Every query is limited to one borrower, the one
logged in: no page takes another borrower's id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.models import QUEUED_STATUSES, Item, Loan, Reservation, ReservationStatus
from lidgeld.domain.blocks import Block, Channel, MembershipState
from lidgeld.domain.dunning import STAGE_ORDER, Stage, effective_stage, stage_dates
from lidgeld.finance.models import Posting
from lidgeld.finance.selectors import open_contributions
from lidgeld.notices.models import KIND_REMINDER, KIND_UNPAID, Message, MessageStatus
from lidgeld.operations.renewals import RenewalPlan, renewal_plan
from lidgeld.standing.status import BorrowerStatus, borrower_status

SEARCH_LIMIT = 25
# What a borrower received, or is about to: failed and skipped notices never reached them.
SHOWN_MESSAGES = (MessageStatus.SENT, MessageStatus.QUEUED)


@dataclass(frozen=True)
class Situation:
    """The borrower's standing, shown on every page (the banner)."""

    status: BorrowerStatus
    block: Block  # the portal's, from the one block decision (R7)
    plan: RenewalPlan | None  # asked only when the membership is not valid

    @property
    def can_renew_online(self) -> bool:
        return self.plan is not None and self.plan.eligibility.allowed


def situation(*, borrower: Borrower, today: date, with_plan: bool = False) -> Situation:
    status = borrower_status(borrower=borrower, today=today)
    plan = None
    if with_plan or status.membership.state is not MembershipState.ACTIVE:
        plan = renewal_plan(
            borrower=borrower,
            today=today,
            channel=Channel.PORTAL,
            view=status.membership,
            open_amount=status.open_amount,
        )
    return Situation(status=status, block=status.blocks[Channel.PORTAL], plan=plan)


@dataclass(frozen=True)
class StageStep:
    stage: Stage
    on: date
    reached: bool
    current: bool
    # For a reached stage that has its own notice (reminder, unpaid): "sent", "queued"
    # or "none". The page says only what really went out (R6: nobody blocked untold).
    notice: str = ""


@dataclass(frozen=True)
class FeeTimeline:
    """R6 for the oldest open contribution: where it stands and what comes next."""

    posting: Posting
    stage: Stage
    steps: list[StageStep]

    def starts(self, stage: Stage) -> date:
        return next(step.on for step in self.steps if step.stage is stage)

    @property
    def pay_before(self) -> date:
        """The next day that matters to the borrower: until UNPAID the portal works,
        from UNPAID on the membership is cancelled at write-off (R6)."""
        return self.starts(Stage.WRITTEN_OFF if self.stage is Stage.UNPAID else Stage.UNPAID)


_STAGE_KINDS = {Stage.REMINDER: KIND_REMINDER, Stage.UNPAID: KIND_UNPAID}


def _stage_notices(posting: Posting) -> dict[Stage, str]:
    """Whether the reminder and unpaid notices of this contribution went out."""
    states: dict[Stage, str] = {}
    rows = Message.objects.filter(posting=posting, kind__in=_STAGE_KINDS.values()).values_list(
        "kind", "status"
    )
    for kind, status in rows:
        stage = next(s for s, k in _STAGE_KINDS.items() if k == kind)
        if status == MessageStatus.SENT:
            states[stage] = "sent"
        elif status == MessageStatus.QUEUED and states.get(stage) != "sent":
            states[stage] = "queued"
    return states


def fee_timeline(*, borrower: Borrower, today: date) -> FeeTimeline | None:
    posting = open_contributions(borrower.pk).select_related("instance").first()
    if posting is None:
        return None
    # As in the block decision: past its write-off day but not yet written off by the
    # daily run, a fee is still unpaid.
    current = effective_stage(posting.booked_on, today, posting.instance.dunning_policy)
    dates = stage_dates(posting.booked_on, posting.instance.dunning_policy)
    notices = _stage_notices(posting)
    steps = []
    for stage in STAGE_ORDER:
        reached = STAGE_ORDER.index(stage) <= STAGE_ORDER.index(current)
        notice = notices.get(stage, "none") if reached and stage in _STAGE_KINDS else ""
        steps.append(
            StageStep(
                stage=stage, on=dates[stage], reached=reached, current=stage is current,
                notice=notice,
            )
        )  # fmt: skip
    return FeeTimeline(posting=posting, stage=current, steps=steps)


def open_loans(borrower: Borrower) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(borrower=borrower, returned_on__isnull=True)
        .select_related("item")
        .order_by("due_on", "id")
    )


def own_open_loan(borrower: Borrower, loan_id: int) -> Loan | None:
    return open_loans(borrower).filter(pk=loan_id).first()


def own_reservation(borrower: Borrower, reservation_id: int) -> Reservation | None:
    return Reservation.objects.filter(borrower=borrower, pk=reservation_id).first()


def live_reservations(status: BorrowerStatus) -> list[Reservation]:
    """Waiting, held and ready to collect; the closed ones are history."""
    return [
        r for r in status.reservations if r.status in (*QUEUED_STATUSES, ReservationStatus.READY)
    ]


def catalogue_item(borrower: Borrower, item_id: int) -> Item | None:
    """An item of the borrower's own library; others are not in this catalogue."""
    return Item.objects.filter(instance_id=borrower.home_instance_id, pk=item_id).first()


def catalogue_search(*, borrower: Borrower, query: str) -> list[Item]:
    """Items of the borrower's library whose title contains ``query`` (or whose barcode
    it is), with whether they are on loan, how many wait for them, and whether this
    borrower has reserved them already."""
    query = query.strip()
    if not query:
        return []
    return list(
        Item.objects.filter(instance_id=borrower.home_instance_id)
        .filter(Q(title__icontains=query) | Q(barcode=query))
        .annotate(
            on_loan=Exists(Loan.objects.filter(item_id=OuterRef("pk"), returned_on__isnull=True)),
            queue=Count("reservations", filter=Q(reservations__status__in=QUEUED_STATUSES)),
            mine=Exists(
                Reservation.objects.filter(
                    item_id=OuterRef("pk"),
                    borrower_id=borrower.pk,
                    status__in=[*QUEUED_STATUSES, ReservationStatus.READY],
                )
            ),
        )
        .order_by("title", "barcode")[:SEARCH_LIMIT]
    )


def received_messages(borrower: Borrower) -> QuerySet[Message]:
    return Message.objects.filter(borrower=borrower, status__in=SHOWN_MESSAGES).order_by(
        "-date", "-id"
    )


def own_message(borrower: Borrower, message_id: int) -> Message | None:
    return received_messages(borrower).filter(pk=message_id).first()
