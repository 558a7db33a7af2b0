from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lidgeld.borrowers.models import Borrower
from lidgeld.domain.ages import AgeLimits
from lidgeld.domain.dunning import CONTRIBUTION_CODES
from lidgeld.domain.endings import EFFECTS, reversible_until
from lidgeld.libraries.models import Instance


class TypeKind(models.TextChoices):
    PAYING = "paying", _("paying")
    FREE = "free", _("free")
    FREE_AUTO = "free_auto", _("free, renewed automatically")


class MembershipType(models.Model):
    """Abonnementstype: what a period costs, how long it lasts, how it is booked."""

    instance = models.ForeignKey(
        Instance,
        on_delete=models.PROTECT,
        related_name="membership_types",
        verbose_name=_("instance"),
    )
    code = models.CharField(max_length=20, verbose_name=_("code"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    kind = models.CharField(max_length=10, choices=TypeKind.choices, verbose_name=_("kind"))
    fee = models.DecimalField(max_digits=8, decimal_places=2, default=0, verbose_name=_("fee"))
    months = models.PositiveSmallIntegerField(default=12, verbose_name=_("period (months)"))
    booking_code = models.PositiveSmallIntegerField(default=1000, verbose_name=_("booking code"))
    # R12: the ages (included) a type is for; None: no limit that side.
    min_age = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("minimum age"))
    max_age = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("maximum age"))
    next_type = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="previous_types",
        verbose_name=_("type that follows past the maximum age"),
        help_text=_("the paying type that follows past the maximum age, of the same library"),
    )

    class Meta:
        verbose_name = _("membership type")
        verbose_name_plural = _("membership types")
        ordering = ["instance__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "code"], name="membership_type_code_unique"
            ),
            models.CheckConstraint(
                name="membership_type_kind_known", condition=Q(kind__in=TypeKind.values)
            ),
            models.CheckConstraint(
                name="membership_type_months_positive", condition=Q(months__gte=1)
            ),
            models.CheckConstraint(
                name="membership_type_booking_code_is_contribution",
                condition=Q(booking_code__gte=CONTRIBUTION_CODES[0])
                & Q(booking_code__lte=CONTRIBUTION_CODES[1]),
            ),
            models.CheckConstraint(
                name="membership_type_fee_matches_kind",
                condition=(Q(kind=TypeKind.PAYING) & Q(fee__gt=0))
                | (Q(kind__in=[TypeKind.FREE, TypeKind.FREE_AUTO]) & Q(fee=0)),
            ),
            models.CheckConstraint(
                name="membership_type_age_limits_ordered",
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=F("max_age")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instance.code}/{self.code} — {self.name}"

    @property
    def age_limits(self) -> AgeLimits:
        return AgeLimits(self.name, self.min_age, self.max_age)


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("running")
    ENDED = "ended", _("ended")
    INVALIDATED = "invalidated", _("invalidated")


class Origin(models.TextChoices):
    REGISTRATION = "registration", _("registration")
    DESK = "desk", _("desk")
    PORTAL = "portal", _("Mijn Bibliotheek")
    AUTOMATIC = "automatic", _("automatic")


class Membership(models.Model):
    """One period of membership. Periods are never edited into each other: a
    renewal adds a row, so the history stays readable."""

    borrower = models.ForeignKey(
        Borrower, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("borrower")
    )
    instance = models.ForeignKey(
        Instance, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("instance")
    )
    type = models.ForeignKey(
        MembershipType,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("membership type"),
    )
    start = models.DateField(verbose_name=_("start date"))
    end = models.DateField(verbose_name=_("end date"))
    status = models.CharField(
        max_length=12,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
        verbose_name=_("status"),
    )
    origin = models.CharField(max_length=12, choices=Origin.choices, verbose_name=_("origin"))
    created_on = models.DateField(verbose_name=_("created on"))
    invalidated_on = models.DateField(null=True, blank=True, verbose_name=_("invalidated on"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["borrower_id", "start"]
        constraints = [
            models.CheckConstraint(
                name="membership_start_before_end", condition=Q(start__lte=F("end"))
            ),
            models.CheckConstraint(
                name="membership_status_known", condition=Q(status__in=MembershipStatus.values)
            ),
            models.CheckConstraint(
                name="membership_origin_known", condition=Q(origin__in=Origin.values)
            ),
            models.CheckConstraint(
                name="membership_invalidated_has_date",
                condition=Q(status=MembershipStatus.INVALIDATED, invalidated_on__isnull=False)
                | (~Q(status=MembershipStatus.INVALIDATED) & Q(invalidated_on__isnull=True)),
            ),
            # "end is a month end" and "no overlapping periods" are vendor SQL: see
            # migration 0002 (a trigger on SQLite, CHECK and EXCLUDE on PostgreSQL).
        ]
        indexes = [
            models.Index(fields=["instance", "status", "end"], name="membership_expiry_idx"),
            # "Does this borrower have a live period covering day D?" is asked for every
            # waiting reservation in the daily run: answer it from the index alone.
            models.Index(
                fields=["borrower", "end", "start"],
                condition=~Q(status="invalidated"),
                name="membership_live_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.borrower.card_number}: {self.start:%d/%m/%Y} – {self.end:%d/%m/%Y} ({self.status})"


# R12: why a membership was ended early; the codes, labels and effects are
# lidgeld.domain.endings' table (its labels are msgids marked there).
END_REASON_CHOICES = [(reason.value, _(effects.label)) for reason, effects in EFFECTS.items()]


class MembershipEnding(models.Model):
    """One early ending of a borrower's membership, and its undoing (R12).

    ``membership`` is the period that ran when it was ended (None: none ran, e.g. a
    borrower who died after their membership expired). ``periods`` keeps what the
    ending changed in the periods ({id, status, invalidated_on} before), so an undo
    within 30 days can put them back; ``done`` what it wrote off and cancelled, which
    an undo does not put back. An ending not undone (``reversed_at`` empty) is
    what the daily run's notice and dunning steps and the block decision look at."""

    borrower = models.ForeignKey(
        Borrower, on_delete=models.PROTECT, related_name="endings", verbose_name=_("borrower")
    )
    membership = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="endings",
        verbose_name=_("membership"),
    )
    reason = models.CharField(max_length=16, choices=END_REASON_CHOICES, verbose_name=_("reason"))
    effective = models.DateField(verbose_name=_("effective on"))
    ended_on = models.DateField(verbose_name=_("ended on"))
    ended_at = models.DateTimeField(verbose_name=_("ended at"))
    ended_by = models.CharField(max_length=150, verbose_name=_("ended by"))
    periods = models.JSONField(default=list, verbose_name=_("periods changed"))
    # What else it did, for the undo to say what it does not put back:
    # {"written_off": [posting ids], "reservations_cancelled": [ids], "notices_skipped": n}
    done = models.JSONField(default=dict, verbose_name=_("effects carried out"))
    reversed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("undone at"))
    reversed_by = models.CharField(
        max_length=150, blank=True, default="", verbose_name=_("undone by")
    )

    class Meta:
        verbose_name = _("membership ending")
        verbose_name_plural = _("membership endings")
        ordering = ["-ended_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="membership_ending_reason_known",
                condition=Q(reason__in=[reason.value for reason in EFFECTS]),
            ),
        ]
        indexes = [
            models.Index(
                fields=["borrower", "reason"],
                condition=Q(reversed_at__isnull=True),
                name="membership_ending_live_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.borrower_id}: {self.reason} {self.effective:%d/%m/%Y}"

    @property
    def reversible_until(self) -> date:
        """The last day a coordinator can undo it (R12)."""
        return reversible_until(self.ended_on)
