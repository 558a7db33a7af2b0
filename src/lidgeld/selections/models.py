from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lidgeld.borrowers.models import Borrower


class SavedSelection(models.Model):
    """A rule kept under a name so it can be run again (opgeslagen selectie)."""

    name = models.CharField(max_length=100, verbose_name=_("name"))
    owner = models.CharField(max_length=150, verbose_name=_("owner"))
    rule = models.TextField(verbose_name=_("rule"))  # canonical text form
    created_at = models.DateTimeField(verbose_name=_("created at"))
    updated_at = models.DateTimeField(verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("saved selection")
        verbose_name_plural = _("saved selections")
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

    owner = models.CharField(max_length=150, verbose_name=_("owner"))
    origin = models.CharField(max_length=12, choices=SetOrigin.choices, verbose_name=_("origin"))
    # The rule it came from, or how sets were combined.
    rule = models.TextField(verbose_name=_("rule"))
    saved_selection = models.ForeignKey(
        SavedSelection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sets",
        verbose_name=_("saved selection"),
    )
    # The instances the owner could see when it ran (null: all); exports stay within them.
    instance_ids = models.JSONField(null=True, blank=True, verbose_name=_("instances"))
    size = models.PositiveIntegerField(default=0, verbose_name=_("number of borrowers"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    expires_on = models.DateField(verbose_name=_("kept until"))

    class Meta:
        verbose_name = _("temporary set")
        verbose_name_plural = _("temporary sets")
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
        verbose_name=_("temporary set"),
    )
    borrower = models.ForeignKey(
        Borrower,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        verbose_name=_("borrower"),
    )

    class Meta:
        verbose_name = _("borrower in a set")
        verbose_name_plural = _("borrowers in a set")
        constraints = [
            models.UniqueConstraint(
                fields=["borrower_set", "borrower"], name="borrower_set_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.borrower_set_id} ∋ {self.borrower_id}"
