from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lidgeld.borrowers.models import Borrower
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import Membership

TYPE_CONTRIBUTION = "C"
KIND_END_OF_CONTRIBUTION = "AE"  # einde contributie (R4)
KIND_REMINDER = "HR"  # herinnering: the contribution reached the reminder stage
KIND_UNPAID = "NB"  # niet betaald: the contribution reached the unpaid stage
KIND_RENEWAL = "VL"  # verlenging: confirmation after a renewal
# R12: a free auto-renewing (youth) period that ends because the borrower is past the
# type's maximum age on the new start; names the paying type that follows.
KIND_AGE_LIMIT = "AEL"
# Issue 13: the borrower's e-mail address was changed; sent to the old address, when the
# library wants it (Instance.notice_old_email), so a change the owner did not ask for
# does not go unnoticed. Under message type C like every kind (CEW): C is the only type
# lidgeld has, and the codes staff type in reports and selections (CAE, CHR, …) carry it;
# no constraint below names this kind, so a borrower may get one per change.
KIND_EMAIL_CHANGED = "EW"

KIND_NAMES = {
    KIND_END_OF_CONTRIBUTION: _("end of contribution"),
    KIND_REMINDER: _("fee reminder"),
    KIND_UNPAID: _("fee unpaid"),
    KIND_RENEWAL: _("renewal confirmation"),
    KIND_AGE_LIMIT: _("end of contribution, age limit reached"),
    KIND_EMAIL_CHANGED: _("e-mail address changed"),
}
POSTING_KINDS = (KIND_REMINDER, KIND_UNPAID)
# The notices that announce a period's end: at most one of them per period.
END_KINDS = (KIND_END_OF_CONTRIBUTION, KIND_AGE_LIMIT)
# Notices about the account, not the contribution: written by a service for one
# borrower (never by the daily run), by e-mail only, without a payment QR, and rendered
# when queued (their values, such as the new address, exist only at that moment).
ACCOUNT_KINDS = (KIND_EMAIL_CHANGED,)


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("message status", "waiting to be sent")
    SENT = "sent", pgettext_lazy("message status", "sent")
    FAILED = "failed", pgettext_lazy("message status", "failed")
    SKIPPED = "skipped", pgettext_lazy("message status", "skipped")


class LetterBatch(models.Model):
    """One printing of letters: the PDF made of them, and whether staff confirmed that
    it came out of the printer. Only then are its letters *sent*; until then they are
    "te printen". Confirming twice changes nothing (``printed_at`` is set once)."""

    day = models.DateField(verbose_name=_("day"))  # the letters' business date
    letters = models.PositiveIntegerField(default=0, verbose_name=_("number of letters"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    created_by = models.CharField(max_length=150, verbose_name=_("created by"))
    printed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("printed at"))
    printed_by = models.CharField(
        max_length=150, blank=True, default="", verbose_name=_("printed by")
    )

    class Meta:
        verbose_name = _("letter batch")
        verbose_name_plural = _("letter batches")
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        state = f"printed {self.printed_at:%Y-%m-%d}" if self.printed_at else "to print"
        return f"letters {self.day} #{self.pk} ({self.letters}, {state})"


class Message(models.Model):
    """A notice to a borrower. Rows with status *queued* are the outbox: they are
    written in the same transaction as the change they announce, and a separate
    sender delivers them."""

    borrower = models.ForeignKey(
        Borrower, on_delete=models.PROTECT, related_name="messages", verbose_name=_("borrower")
    )
    instance = models.ForeignKey(
        Instance, on_delete=models.PROTECT, related_name="messages", verbose_name=_("instance")
    )
    membership = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("membership"),
    )
    posting = models.ForeignKey(
        "finance.Posting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("posting"),
    )
    type = models.CharField(max_length=2, verbose_name=_("message type"))
    kind = models.CharField(max_length=4, verbose_name=_("message kind"))
    date = models.DateField(verbose_name=_("date"))
    channel = models.CharField(max_length=8, choices=Channel.choices, verbose_name=_("channel"))
    status = models.CharField(
        max_length=8,
        choices=MessageStatus.choices,
        default=MessageStatus.QUEUED,
        verbose_name=_("status"),
    )
    language = models.CharField(max_length=2, default="nl", verbose_name=_("language"))
    to_address = models.CharField(
        max_length=254, blank=True, default="", verbose_name=_("recipient address")
    )
    # Written when the notice is rendered (by the sender or the letters run, just
    # before delivery) and kept as the record of what the borrower got.
    subject = models.CharField(
        max_length=300, blank=True, default="", db_default="", verbose_name=_("subject")
    )
    body = models.TextField(blank=True, default="", db_default="", verbose_name=_("body"))
    body_html = models.TextField(blank=True, default="", db_default="", verbose_name=_("HTML body"))
    rendered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("rendered at"))
    message_id = models.CharField(
        max_length=200, blank=True, default="", db_default="", verbose_name=_("Message-ID")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, default="", verbose_name=_("last error"))
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next attempt at"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    # A letter in a PDF that staff have not confirmed as printed yet; sent once they do.
    letter_batch = models.ForeignKey(
        LetterBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("letter batch"),
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "type"],
                condition=Q(type=TYPE_CONTRIBUTION, kind__in=END_KINDS),
                name="message_one_cae_per_membership",
            ),
            models.UniqueConstraint(
                fields=["posting", "type", "kind"],
                condition=Q(type=TYPE_CONTRIBUTION, kind__in=POSTING_KINDS),
                name="message_one_stage_notice_per_posting",
            ),
            models.UniqueConstraint(
                fields=["membership", "type", "kind"],
                condition=Q(type=TYPE_CONTRIBUTION, kind=KIND_RENEWAL),
                name="message_one_confirmation_per_membership",
            ),
            models.CheckConstraint(
                name="message_status_known", condition=Q(status__in=MessageStatus.values)
            ),
            models.CheckConstraint(
                name="message_channel_known", condition=Q(channel__in=Channel.values)
            ),
        ]
        indexes = [
            models.Index(
                fields=["status"], condition=Q(status="queued"), name="message_outbox_idx"
            ),
            models.Index(fields=["instance", "type", "kind", "date"], name="message_overview_idx"),
            models.Index(fields=["borrower", "date"], name="message_borrower_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type}{self.kind} {self.date} → {self.borrower_id} ({self.status})"

    @property
    def code(self) -> str:
        return f"{self.type}{self.kind}"


LANGUAGE_CHOICES = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English")]


class NoticeTemplate(models.Model):
    """A library's own text for one kind of notice in one language.

    Without dates it is the library's standing text; with ``valid_from`` and
    ``valid_until`` it is a dated override (e.g. "closed until 3 January") that
    replaces it for notices dated in that window.
    """

    instance = models.ForeignKey(
        Instance,
        on_delete=models.PROTECT,
        related_name="notice_templates",
        verbose_name=_("instance"),
    )
    kind = models.CharField(
        max_length=4, choices=list(KIND_NAMES.items()), verbose_name=_("message kind")
    )
    language = models.CharField(max_length=2, choices=LANGUAGE_CHOICES, verbose_name=_("language"))
    subject = models.CharField(max_length=300, verbose_name=_("subject"))
    body_text = models.TextField(verbose_name=_("body"))
    body_html = models.TextField(blank=True, default="", verbose_name=_("HTML body"))
    valid_from = models.DateField(null=True, blank=True, verbose_name=_("first day"))
    valid_until = models.DateField(null=True, blank=True, verbose_name=_("last day"))
    updated_at = models.DateTimeField(verbose_name=_("updated at"))
    updated_by = models.CharField(max_length=150, verbose_name=_("updated by"))

    class Meta:
        verbose_name = _("notice text")
        verbose_name_plural = _("notice texts")
        ordering = ["instance_id", "kind", "language", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "kind", "language"],
                condition=Q(valid_from__isnull=True),
                name="notice_template_one_standing_text",
            ),
            models.CheckConstraint(
                name="notice_template_window_complete",
                condition=Q(valid_from__isnull=True, valid_until__isnull=True)
                | Q(
                    valid_from__isnull=False,
                    valid_until__isnull=False,
                    valid_from__lte=models.F("valid_until"),
                ),
            ),
            models.CheckConstraint(
                name="notice_template_language_known", condition=Q(language__in=["nl", "fr", "en"])
            ),
        ]

    def __str__(self) -> str:
        window = f" {self.valid_from} – {self.valid_until}" if self.valid_from else ""
        return f"{self.instance_id} {self.kind} {self.language}{window}"
