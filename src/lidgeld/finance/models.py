from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lidgeld.borrowers.models import Borrower
from lidgeld.domain.dunning import CONTRIBUTION_CODES, Stage
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import Membership


class PostingStatus(models.TextChoices):
    OPEN = "open", _("open")
    PAID = "paid", _("paid")
    WRITTEN_OFF = "written_off", _("written off")


def contribution_q(prefix: str = "") -> Q:
    """A posting of a membership contribution; ``prefix`` reaches it through a
    relation (``"posting__"``, ``"postings__"``)."""
    low, high = CONTRIBUTION_CODES
    return Q(**{f"{prefix}booking_code__gte": low, f"{prefix}booking_code__lte": high})


def open_contribution_q(prefix: str = "") -> Q:
    """The one definition of an open contribution: open, with a contribution's code."""
    return Q(**{f"{prefix}status": PostingStatus.OPEN}) & contribution_q(prefix)


def open_contribution_sql(alias: str) -> str:
    """``open_contribution_q`` for hand-written SQL (the kiosks' prepared lookup), on
    the postings table as ``alias``; constants only, so no parameters."""
    low, high = CONTRIBUTION_CODES
    return (
        f"{alias}.status = '{PostingStatus.OPEN.value}' "
        f"AND {alias}.booking_code BETWEEN {int(low)} AND {int(high)}"
    )


class PostingQuerySet(models.QuerySet["Posting"]):
    def contributions(self) -> PostingQuerySet:
        return self.filter(contribution_q())

    def open_contributions(self) -> PostingQuerySet:
        return self.filter(open_contribution_q())


STAGE_CHOICES = [
    (Stage.OPEN.value, pgettext_lazy("dunning stage", "open")),
    (Stage.REMINDER.value, _("reminder")),
    (Stage.UNPAID.value, _("unpaid")),
    (Stage.WRITTEN_OFF.value, _("written off")),
]
STAGE_LABELS = dict(STAGE_CHOICES)


class Posting(models.Model):
    """A debit on a borrower's account (boeking); open while its balance is above zero."""

    borrower = models.ForeignKey(
        Borrower, on_delete=models.PROTECT, related_name="postings", verbose_name=_("borrower")
    )
    instance = models.ForeignKey(
        Instance, on_delete=models.PROTECT, related_name="postings", verbose_name=_("instance")
    )
    membership = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="postings",
        verbose_name=_("membership"),
    )
    booking_code = models.PositiveSmallIntegerField(verbose_name=_("booking code"))
    description = models.CharField(
        max_length=200, blank=True, default="", verbose_name=_("description")
    )
    amount = models.DecimalField(max_digits=8, decimal_places=2, verbose_name=_("amount"))
    balance = models.DecimalField(max_digits=8, decimal_places=2, verbose_name=_("balance"))
    booked_on = models.DateField(verbose_name=_("booked on"))
    stage = models.CharField(
        max_length=12, choices=STAGE_CHOICES, default=Stage.OPEN.value, verbose_name=_("stage")
    )
    status = models.CharField(
        max_length=12,
        choices=PostingStatus.choices,
        default=PostingStatus.OPEN,
        verbose_name=_("status"),
    )
    closed_on = models.DateField(null=True, blank=True, verbose_name=_("closed on"))

    objects = PostingQuerySet.as_manager()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["booked_on", "id"]
        constraints = [
            models.CheckConstraint(name="posting_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="posting_balance_within_amount",
                condition=Q(balance__gte=0) & Q(balance__lte=F("amount")),
            ),
            models.CheckConstraint(
                name="posting_booking_code_range",
                condition=Q(booking_code__gte=1) & Q(booking_code__lte=9999),
            ),
            models.CheckConstraint(
                name="posting_status_matches_balance",
                condition=(
                    Q(status=PostingStatus.OPEN) & Q(balance__gt=0) & Q(closed_on__isnull=True)
                )
                | (
                    Q(status__in=[PostingStatus.PAID, PostingStatus.WRITTEN_OFF])
                    & Q(balance=0)
                    & Q(closed_on__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="posting_stage_known", condition=Q(stage__in=[s.value for s in Stage])
            ),
        ]
        indexes = [
            models.Index(
                fields=["instance", "status", "stage", "booked_on"], name="posting_dunning_idx"
            ),
            models.Index(fields=["borrower", "status"], name="posting_borrower_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.booking_code} € {self.amount} ({self.status}, {self.stage})"


class Payment(models.Model):
    posting = models.ForeignKey(
        Posting, on_delete=models.PROTECT, related_name="payments", verbose_name=_("posting")
    )
    amount = models.DecimalField(max_digits=8, decimal_places=2, verbose_name=_("amount"))
    paid_on = models.DateField(verbose_name=_("paid on"))
    channel = models.CharField(max_length=12, default="desk", verbose_name=_("channel"))
    recorded_by = models.CharField(max_length=150, verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return f"€ {self.amount} on {self.paid_on} ({self.channel})"


class WriteOff(models.Model):
    """Afboeking: the open balance given up as uncollectable."""

    posting = models.OneToOneField(
        Posting, on_delete=models.PROTECT, related_name="write_off", verbose_name=_("posting")
    )
    amount = models.DecimalField(max_digits=8, decimal_places=2, verbose_name=_("amount"))
    written_off_on = models.DateField(verbose_name=_("written off on"))
    reason = models.CharField(max_length=200, verbose_name=_("reason"))
    recorded_by = models.CharField(max_length=150, verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        constraints = [
            models.CheckConstraint(name="write_off_amount_positive", condition=Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return f"€ {self.amount} written off on {self.written_off_on}"


class BankOutcome(models.TextChoices):
    """What the import of one bank transaction did (issue 3, item 6)."""

    PAID = "paid", _("paid")
    PARTIAL = "partial", _("partly paid")
    UNMATCHED = "unmatched", _("not recognised")
    WRONG_AMOUNT = "wrong_amount", _("wrong amount")
    ALREADY_CLOSED = "already_closed", _("already closed")
    DEBIT = "debit", _("debit")


class BankTransaction(models.Model):
    """One transaction of an imported bank statement (CAMT.053), recorded once.

    The unique ``transaction_id`` is what makes a second import of the same file
    change nothing; ``outcome`` and ``reason`` say what the import did with it, so the
    lines left for a person can be found again."""

    transaction_id = models.CharField(max_length=100, unique=True, verbose_name=_("transaction id"))
    statement_id = models.CharField(max_length=35, verbose_name=_("statement id"))
    account = models.CharField(max_length=34, blank=True, default="", verbose_name=_("account"))
    booked_on = models.DateField(verbose_name=_("booked on"))
    amount = models.DecimalField(max_digits=18, decimal_places=2, verbose_name=_("amount"))
    reference = models.CharField(
        max_length=500, blank=True, default="", verbose_name=_("reference")
    )
    debtor_name = models.CharField(
        max_length=140, blank=True, default="", verbose_name=_("debtor name")
    )
    outcome = models.CharField(
        max_length=16, choices=BankOutcome.choices, verbose_name=_("outcome")
    )
    reason = models.CharField(max_length=300, blank=True, default="", verbose_name=_("reason"))
    posting = models.ForeignKey(
        Posting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bank_transactions",
        verbose_name=_("posting"),
    )
    imported_at = models.DateTimeField(verbose_name=_("imported at"))

    class Meta:
        verbose_name = _("bank transaction")
        verbose_name_plural = _("bank transactions")
        ordering = ["booked_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="bank_transaction_amount_not_negative", condition=Q(amount__gte=0)
            ),
            models.CheckConstraint(
                name="bank_transaction_outcome_known",
                condition=Q(outcome__in=[outcome.value for outcome in BankOutcome]),
            ),
        ]
        indexes = [models.Index(fields=["outcome", "booked_on"], name="bank_tx_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.transaction_id} € {self.amount} ({self.outcome})"


class PaymentRequest(models.Model):
    """A request that pays, recorded once under the one-time key its sender chose.

    The desk's payment and renewal forms carry a key made when the form is shown; a
    kiosk can use its terminal and transaction id (SIP2 ``BK``). A second request with
    the same ``channel`` and ``key`` books nothing and gets ``outcome``, the answer the
    first one got: a double-submitted form, or a kiosk resending after losing the
    answer, pays once. The unique constraint decides when two arrive at the same time.
    """

    # desk, kiosk, ...: whose keys these are
    channel = models.CharField(max_length=12, verbose_name=_("channel"))
    key = models.CharField(max_length=100, verbose_name=_("one-time key"))
    purpose = models.CharField(max_length=12, verbose_name=_("purpose"))  # payment or renewal
    borrower = models.ForeignKey(
        Borrower, on_delete=models.CASCADE, related_name="+", verbose_name=_("borrower")
    )
    # What was asked (the amount): a reused key must match.
    asked = models.JSONField(default=dict, verbose_name=_("asked"))
    # The first answer, given again to a repeat.
    outcome = models.JSONField(default=dict, verbose_name=_("answer"))
    made_on = models.DateField(verbose_name=_("made on"))

    class Meta:
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="payment_request_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.channel}/{self.key} ({self.purpose}, {self.made_on})"
