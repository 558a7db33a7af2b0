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
    postal_code = models.CharField(
        max_length=10, blank=True, default="", verbose_name=_("postal code")
    )
    city = models.CharField(
        max_length=100, blank=True, default="", db_default="", verbose_name=_("city")
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

    class Meta:
        verbose_name = _("borrower")
        verbose_name_plural = _("borrowers")
        ordering = ["last_name", "first_name", "card_number"]
        constraints = [
            models.CheckConstraint(
                name="borrower_language_known", condition=Q(language__in=["nl", "fr", "en"])
            ),
            models.CheckConstraint(name="borrower_card_not_blank", condition=~Q(card_number="")),
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
