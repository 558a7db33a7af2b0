from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lidgeld.borrowers.models import Borrower
from lidgeld.libraries.models import Instance


class Item(models.Model):
    """A copy on the shelf; just enough for loans and reservations."""

    instance = models.ForeignKey(
        Instance, on_delete=models.PROTECT, related_name="items", verbose_name=_("instance")
    )
    barcode = models.CharField(max_length=32, unique=True, verbose_name=_("barcode"))
    title = models.CharField(max_length=300, verbose_name=_("title"))

    class Meta:
        verbose_name = _("copy")
        verbose_name_plural = _("copies")

    def __str__(self) -> str:
        return f"{self.barcode} — {self.title}"


class Loan(models.Model):
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="loans", verbose_name=_("copy")
    )
    borrower = models.ForeignKey(
        Borrower, on_delete=models.PROTECT, related_name="loans", verbose_name=_("borrower")
    )
    out_on = models.DateField(verbose_name=_("lent on"))
    due_on = models.DateField(verbose_name=_("due on"))
    returned_on = models.DateField(null=True, blank=True, verbose_name=_("returned on"))

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.CheckConstraint(name="loan_due_after_out", condition=Q(due_on__gte=F("out_on"))),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(returned_on__isnull=True),
                name="loan_one_open_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.borrower_id} ({self.out_on} – {self.due_on})"


class ReservationStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")
    # R3: keeps its place, skipped while the membership is not valid
    HELD = "held", pgettext_lazy("reservation status", "held (membership not valid)")
    READY = "ready", _("ready for pick-up")
    FULFILLED = "fulfilled", _("picked up")
    CANCELLED = "cancelled", _("cancelled")


QUEUED_STATUSES = (ReservationStatus.WAITING, ReservationStatus.HELD)


class Reservation(models.Model):
    borrower = models.ForeignKey(
        Borrower, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("borrower")
    )
    instance = models.ForeignKey(
        Instance, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("instance")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("copy")
    )
    placed_on = models.DateField(verbose_name=_("placed on"))
    status = models.CharField(
        max_length=10,
        choices=ReservationStatus.choices,
        default=ReservationStatus.WAITING,
        verbose_name=_("status"),
    )
    held_since = models.DateField(null=True, blank=True, verbose_name=_("held since"))
    closed_on = models.DateField(null=True, blank=True, verbose_name=_("closed on"))

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["placed_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="reservation_status_known", condition=Q(status__in=ReservationStatus.values)
            ),
            models.CheckConstraint(
                name="reservation_held_has_date",
                condition=Q(status=ReservationStatus.HELD, held_since__isnull=False)
                | (~Q(status=ReservationStatus.HELD) & Q(held_since__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["borrower", "item"],
                condition=Q(status__in=["waiting", "held", "ready"]),
                name="reservation_one_live_per_borrower_item",
            ),
        ]
        indexes = [models.Index(fields=["instance", "status"], name="reservation_status_idx")]

    def __str__(self) -> str:
        return f"{self.item_id} for {self.borrower_id} ({self.status})"
