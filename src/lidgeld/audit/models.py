from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """R10: who or which job changed what, when, from what to what."""

    at = models.DateTimeField()
    business_date = models.DateField()
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True)
    borrower = models.ForeignKey(
        "borrowers.Borrower",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    instance = models.ForeignKey(
        "libraries.Instance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["borrower", "at"], name="audit_borrower_idx"),
            models.Index(fields=["action", "business_date"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}#{self.object_id}"
