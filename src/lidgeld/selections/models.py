from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lidgeld.borrowers.models import Borrower


class SavedSelection(models.Model):
    """A rule kept under a name so it can be run again (opgeslagen selectie)."""

    name = models.CharField(max_length=100)
    owner = models.CharField(max_length=150)
    rule = models.TextField()  # canonical text form
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["owner", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_selection_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner})"


class SetOrigin(models.TextChoices):
    SELECTION = "selection", _("selection")
    UNION = "union", _("union")
    INTERSECTION = "intersection", _("intersection")
    DIFFERENCE = "difference", _("difference")


class BorrowerSet(models.Model):
    """A temporary set (tijdelijke set): the borrowers a selection found, frozen at the
    moment it ran, so an export later lists exactly what was counted."""

    owner = models.CharField(max_length=150)
    origin = models.CharField(max_length=12, choices=SetOrigin.choices)
    rule = models.TextField()  # the rule it came from, or how sets were combined
    saved_selection = models.ForeignKey(
        SavedSelection, null=True, blank=True, on_delete=models.SET_NULL, related_name="sets"
    )
    # The instances the owner could see when it ran (null: all); exports stay within them.
    instance_ids = models.JSONField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_on = models.DateField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="borrower_set_origin_known", condition=Q(origin__in=SetOrigin.values)
            )
        ]
        indexes = [models.Index(fields=["expires_on"], name="borrower_set_expiry_idx")]

    def __str__(self) -> str:
        return f"set {self.pk}: {self.size} leners ({self.owner})"


class BorrowerSetMember(models.Model):
    # No foreign-key constraints in the database: members are only ever written by one
    # INSERT … SELECT from the borrowers, in the transaction that creates their set,
    # and checking 77,000 rows twice at COMMIT was half the time of the seed's
    # selection on a million borrowers. Deleting a set or a borrower still cascades
    # (Django does it); the unique index serves lookups by set.
    borrower_set = models.ForeignKey(
        BorrowerSet,
        on_delete=models.CASCADE,
        related_name="members",
        db_constraint=False,
        db_index=False,
    )
    borrower = models.ForeignKey(
        Borrower, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["borrower_set", "borrower"], name="borrower_set_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.borrower_set_id} ∋ {self.borrower_id}"
