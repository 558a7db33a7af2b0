from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """R10: who or which job changed what, when, from what to what."""

    at = models.DateTimeField(verbose_name=_("date and time"))
    business_date = models.DateField(verbose_name=_("business date"))
    actor = models.CharField(max_length=150, verbose_name=_("who"))
    action = models.CharField(max_length=60, verbose_name=_("action"))
    object_type = models.CharField(max_length=40, verbose_name=_("object type"))
    object_id = models.BigIntegerField(null=True, verbose_name=_("object id"))
    borrower = models.ForeignKey(
        "borrowers.Borrower",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        verbose_name=_("borrower"),
    )
    instance = models.ForeignKey(
        "libraries.Instance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        verbose_name=_("instance"),
    )
    before = models.JSONField(null=True, blank=True, verbose_name=_("before"))
    after = models.JSONField(null=True, blank=True, verbose_name=_("after"))

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["borrower", "at"], name="audit_borrower_idx"),
            models.Index(fields=["action", "business_date"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}#{self.object_id}"
