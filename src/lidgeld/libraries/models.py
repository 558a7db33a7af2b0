from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lidgeld.domain.dunning import DunningPolicy
from lidgeld.domain.renewal import RenewalBase


class CooperationGroup(models.Model):
    """Instances that share borrowers and memberships (samenwerkingsgroep)."""

    code = models.CharField(max_length=20, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=200, verbose_name=_("name"))

    class Meta:
        verbose_name = _("cooperation group")
        verbose_name_plural = _("cooperation groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Instance(models.Model):
    """One library organisation: the tenant boundary, and the owner of its policy."""

    code = models.CharField(max_length=20, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    group = models.ForeignKey(
        CooperationGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instances",
        verbose_name=_("cooperation group"),
    )
    # R1
    renewal_base = models.CharField(
        max_length=12,
        choices=[(base.value, base.value) for base in RenewalBase],
        default=RenewalBase.COMBINATION.value,
        verbose_name=_("renewal base"),
    )
    renewal_grace_days = models.PositiveIntegerField(default=0, verbose_name=_("grace (days)"))
    # R6, in months after the month of booking
    reminder_after_months = models.PositiveSmallIntegerField(
        default=1, verbose_name=_("reminder after (months)")
    )
    unpaid_after_months = models.PositiveSmallIntegerField(
        default=6, verbose_name=_("unpaid after (months)")
    )
    write_off_after_months = models.PositiveSmallIntegerField(
        default=8, verbose_name=_("written off after (months)")
    )
    # R4
    notice_max_delay_days = models.PositiveSmallIntegerField(
        default=7, verbose_name=_("maximum notice delay (days)")
    )
    sender_email = models.EmailField(blank=True, verbose_name=_("sender e-mail address"))
    iban = models.CharField(max_length=34, blank=True, verbose_name=_("IBAN"))
    # What notices tell the borrower (placeholders {{ instance_address }} …).
    sender_name = models.CharField(
        max_length=200, blank=True, default="", db_default="", verbose_name=_("sender name")
    )
    reply_to_email = models.CharField(
        max_length=254, blank=True, default="", db_default="", verbose_name=_("reply-to address")
    )
    address = models.TextField(blank=True, default="", db_default="", verbose_name=_("address"))
    opening_hours = models.TextField(
        blank=True, default="", db_default="", verbose_name=_("opening hours")
    )
    portal_url = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",
        verbose_name=_("address of Mijn Bibliotheek"),
    )
    bic = models.CharField(
        max_length=11, blank=True, default="", db_default="", verbose_name=_("BIC")
    )
    # Which notices go out. R4's CAE and the two stage notices are on by default: a
    # borrower reaching "reminder" or "unpaid" is blocked and must be told (R6). A
    # library may still switch them off; the settings page then warns.
    notice_end_of_contribution = models.BooleanField(
        default=True, db_default=True, verbose_name=_("send end-of-contribution notices (CAE)")
    )
    notice_reminder = models.BooleanField(
        default=True, db_default=True, verbose_name=_("send reminder notices (CHR)")
    )
    notice_unpaid = models.BooleanField(
        default=True, db_default=True, verbose_name=_("send unpaid notices (CNB)")
    )
    notice_renewal = models.BooleanField(
        default=False, db_default=False, verbose_name=_("send renewal confirmations (CVL)")
    )
    # Mijn Bibliotheek: may borrowers renew online, and from how many months before the
    # end (1 = from the 1st of the month the membership ends)?
    portal_renewal = models.BooleanField(
        default=True, db_default=True, verbose_name=_("borrowers may renew online")
    )
    portal_renewal_window_months = models.PositiveSmallIntegerField(
        default=1, db_default=1, verbose_name=_("online renewal opens (months before the end)")
    )
    # The desk: what a new card costs when one is replaced (0 = free), booked under a
    # code of its own outside the contributions' 1000-1999, so a card fee never moves
    # the membership's dunning clock.
    card_fee = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("2.50"),
        db_default=Decimal("2.50"),
        verbose_name=_("replacement card fee"),
    )
    card_fee_booking_code = models.PositiveSmallIntegerField(
        default=2100, db_default=2100, verbose_name=_("booking code of the card fee")
    )
    # Whether a changed e-mail address is told at the old address too (some libraries
    # want that against someone taking an account over).
    notice_old_email = models.BooleanField(
        default=False, db_default=False, verbose_name=_("tell the old address of an e-mail change")
    )

    class Meta:
        verbose_name = _("instance")
        verbose_name_plural = _("instances")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="instance_dunning_delays_grow",
                condition=Q(reminder_after_months__gte=1)
                & Q(unpaid_after_months__gt=models.F("reminder_after_months"))
                & Q(write_off_after_months__gt=models.F("unpaid_after_months")),
            ),
            models.CheckConstraint(
                name="instance_card_fee_outside_contributions",
                condition=(Q(card_fee_booking_code__lt=1000) | Q(card_fee_booking_code__gt=1999))
                & Q(card_fee_booking_code__gte=1)
                & Q(card_fee_booking_code__lte=9999)
                & Q(card_fee__gte=0),
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
