from __future__ import annotations

from django.db import models
from django.db.models import Q

from lidgeld.borrowers.models import Borrower
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import Membership

TYPE_CONTRIBUTION = "C"
KIND_END_OF_CONTRIBUTION = "AE"


class Channel(models.TextChoices):
    EMAIL = "email", "e-mail"
    LETTER = "letter", "brief"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "in wachtrij"
    SENT = "sent", "verzonden"
    FAILED = "failed", "mislukt"
    SKIPPED = "skipped", "overgeslagen"


class Message(models.Model):
    """A notice to a borrower. Rows with status *queued* are the outbox: they are
    written in the same transaction as the change they announce, and a separate
    sender delivers them."""

    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="messages")
    instance = models.ForeignKey(Instance, on_delete=models.PROTECT, related_name="messages")
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    type = models.CharField(max_length=2)
    kind = models.CharField(max_length=4)
    date = models.DateField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(
        max_length=8, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    language = models.CharField(max_length=2, default="nl")
    to_address = models.CharField(max_length=254, blank=True, default="")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "type", "kind"],
                condition=Q(type=TYPE_CONTRIBUTION, kind=KIND_END_OF_CONTRIBUTION),
                name="message_one_cae_per_membership",
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
