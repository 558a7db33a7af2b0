from __future__ import annotations

from django.db import models
from django.db.models import Q

from lidgeld.domain.dunning import DunningPolicy
from lidgeld.domain.renewal import RenewalBase


class CooperationGroup(models.Model):
    """Instances that share borrowers and memberships (samenwerkingsgroep)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Instance(models.Model):
    """One library organisation: the tenant boundary, and the owner of its policy."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    group = models.ForeignKey(
        CooperationGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="instances"
    )
    # R1
    renewal_base = models.CharField(
        max_length=12,
        choices=[(base.value, base.value) for base in RenewalBase],
        default=RenewalBase.COMBINATION.value,
    )
    renewal_grace_days = models.PositiveIntegerField(default=0)
    # R6, in months after the month of booking
    reminder_after_months = models.PositiveSmallIntegerField(default=1)
    unpaid_after_months = models.PositiveSmallIntegerField(default=6)
    write_off_after_months = models.PositiveSmallIntegerField(default=8)
    # R4
    notice_max_delay_days = models.PositiveSmallIntegerField(default=7)
    sender_email = models.EmailField(blank=True)
    iban = models.CharField(max_length=34, blank=True)
    # What notices tell the borrower (placeholders {{ instance_address }} …).
    sender_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    reply_to_email = models.CharField(max_length=254, blank=True, default="", db_default="")
    address = models.TextField(blank=True, default="", db_default="")
    opening_hours = models.TextField(blank=True, default="", db_default="")
    portal_url = models.CharField(max_length=200, blank=True, default="", db_default="")
    bic = models.CharField(max_length=11, blank=True, default="", db_default="")
    # Which notices go out. R4's CAE and the two stage notices are on by default: a
    # borrower reaching "reminder" or "unpaid" is blocked and must be told (R6). A
    # library may still switch them off; the settings page then warns.
    notice_end_of_contribution = models.BooleanField(default=True, db_default=True)
    notice_reminder = models.BooleanField(default=True, db_default=True)
    notice_unpaid = models.BooleanField(default=True, db_default=True)
    notice_renewal = models.BooleanField(default=False, db_default=False)
    # Mijn Bibliotheek: may borrowers renew online, and from how many months before the
    # end (1 = from the 1st of the month the membership ends)?
    portal_renewal = models.BooleanField(default=True, db_default=True)
    portal_renewal_window_months = models.PositiveSmallIntegerField(default=1, db_default=1)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="instance_dunning_delays_grow",
                condition=Q(reminder_after_months__gte=1)
                & Q(unpaid_after_months__gt=models.F("reminder_after_months"))
                & Q(write_off_after_months__gt=models.F("unpaid_after_months")),
            ),
            models.CheckConstraint(
                name="instance_renewal_base_known",
                condition=Q(renewal_base__in=[base.value for base in RenewalBase]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def dunning_policy(self) -> DunningPolicy:
        return DunningPolicy(
            reminder_months=self.reminder_after_months,
            unpaid_months=self.unpaid_after_months,
            write_off_months=self.write_off_after_months,
        )
