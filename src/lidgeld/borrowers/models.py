from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lidgeld.libraries.models import Instance

LANGUAGE_CHOICES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))]


class Borrower(models.Model):
    """A card holder (lener). The home instance decides who may see them."""

    card_number = models.CharField(max_length=32, unique=True, verbose_name=_("card number"))
    first_name = models.CharField(max_length=100, verbose_name=_("first name"))
    last_name = models.CharField(max_length=100, verbose_name=_("last name"))
    birth_date = models.DateField(null=True, blank=True, verbose_name=_("date of birth"))
    email = models.CharField(
        max_length=254, blank=True, default="", verbose_name=_("e-mail address")
    )
    street = models.CharField(
        max_length=200, blank=True, default="", db_default="", verbose_name=_("street")
    )
    house_number = models.CharField(
        max_length=10, blank=True, default="", db_default="", verbose_name=_("house number")
    )
    box = models.CharField(
        max_length=10, blank=True, default="", db_default="", verbose_name=_("box")
    )
    postal_code = models.CharField(
        max_length=10, blank=True, default="", verbose_name=_("postal code")
    )
    city = models.CharField(
        max_length=100, blank=True, default="", db_default="", verbose_name=_("city")
    )
    country = models.CharField(
        max_length=2, default="BE", db_default="BE", verbose_name=_("country")
    )
    # E.164 (+3292661000) when the number parses, else as it was typed.
    phone = models.CharField(
        max_length=32, blank=True, default="", db_default="", verbose_name=_("phone")
    )
    language = models.CharField(
        max_length=2, choices=LANGUAGE_CHOICES, default="nl", verbose_name=_("language")
    )
    home_instance = models.ForeignKey(
        Instance, on_delete=models.PROTECT, related_name="borrowers", verbose_name=_("home library")
    )
    # Salted hash from Django's password hashers; the PIN itself is never stored.
    pin_hash = models.CharField(max_length=128, blank=True, default="", verbose_name=_("PIN hash"))
    registered_on = models.DateField(verbose_name=_("registered on"))
    # The current card's report (CardReport), copied from its Card row so a kiosk's
    # one-row lookup by card number knows it without a join.
    card_reported = models.CharField(
        max_length=6, blank=True, default="", db_default="", verbose_name=_("card reported")
    )
    # domain.names.search_key of the names, written with them; the desk's name search
    # reads these through indexes (borrowers/migrations/0006).
    search_first = models.CharField(
        max_length=100,
        default="",
        db_default="",
        editable=False,
        verbose_name=_("first name as searched"),
    )
    search_last = models.CharField(
        max_length=100,
        default="",
        db_default="",
        editable=False,
        verbose_name=_("last name as searched"),
    )

    class Meta:
        verbose_name = _("borrower")
        verbose_name_plural = _("borrowers")
        ordering = ["last_name", "first_name", "card_number"]
        constraints = [
            models.CheckConstraint(
                name="borrower_language_known", condition=Q(language__in=["nl", "fr", "en"])
            ),
            models.CheckConstraint(name="borrower_card_not_blank", condition=~Q(card_number="")),
            models.CheckConstraint(
                name="borrower_card_reported_known",
                condition=Q(card_reported__in=["", "lost", "stolen"]),
            ),
        ]
        indexes = [
            models.Index(fields=["home_instance", "last_name"]),
            models.Index(fields=["email"]),
        ]

    def __str__(self) -> str:
        return f"{self.card_number} — {self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class CardReport(models.TextChoices):
    LOST = "lost", _("lost")
    STOLEN = "stolen", _("stolen")


class Card(models.Model):
    """Every card number ever given out, so none is given to someone else (R12).

    A borrower's current card is the one not replaced (at most one, by constraint,
    and it is ``Borrower.card_number``); a replaced card stays here and still finds
    its borrower at the desk, but no kiosk or portal accepts it."""

    number = models.CharField(max_length=32, unique=True, verbose_name=_("card number"))
    borrower = models.ForeignKey(
        Borrower, on_delete=models.PROTECT, related_name="cards", verbose_name=_("borrower")
    )
    issued_on = models.DateField(verbose_name=_("issued on"))
    reported = models.CharField(
        max_length=6,
        choices=CardReport.choices,
        blank=True,
        default="",
        verbose_name=_("reported"),
    )
    reported_on = models.DateField(null=True, blank=True, verbose_name=_("reported on"))
    replaced_on = models.DateField(null=True, blank=True, verbose_name=_("replaced on"))

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["borrower"],
                condition=Q(replaced_on__isnull=True),
                name="card_one_current_per_borrower",
            ),
            models.CheckConstraint(
                name="card_reported_known", condition=Q(reported__in=["", "lost", "stolen"])
            ),
            models.CheckConstraint(name="card_number_not_blank", condition=~Q(number="")),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def current(self) -> bool:
        return self.replaced_on is None


class Note(models.Model):
    """A staff-only note on a borrower; one marked ``at_desk`` is a banner on the
    borrower page. Notes are removed, not deleted: the audit keeps who did."""

    borrower = models.ForeignKey(
        Borrower, on_delete=models.PROTECT, related_name="notes", verbose_name=_("borrower")
    )
    text = models.TextField(max_length=2000, verbose_name=_("text"))
    at_desk = models.BooleanField(default=False, verbose_name=_("show at the desk"))
    written_at = models.DateTimeField(verbose_name=_("written at"))
    written_by = models.CharField(max_length=150, verbose_name=_("written by"))
    removed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("removed at"))
    removed_by = models.CharField(
        max_length=150, blank=True, default="", verbose_name=_("removed by")
    )

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["borrower", "removed_at"])]

    def __str__(self) -> str:
        return self.text[:40]
