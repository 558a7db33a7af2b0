from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lidgeld.libraries.models import Instance

CHARSETS = [("utf-8", "UTF-8"), ("cp850", "CP850"), ("latin-1", "Latin-1")]
# How answers end: as the kiosk's own request did (auto), or always CR or CRLF for a
# kiosk that needs one whatever it sends.
TERMINATORS = [("auto", "auto"), ("cr", "CR"), ("crlf", "CRLF")]


class Terminal(models.Model):
    """A self-checkout kiosk's SIP2 account (login CN / password CO).

    It sees the borrowers of its instance and of that instance's cooperation group.
    """

    login = models.CharField(max_length=60, unique=True, verbose_name=_("login (CN)"))
    # Django password hash; the password itself is never stored or logged.
    password_hash = models.CharField(max_length=128, verbose_name=_("password hash"))
    instance = models.ForeignKey(
        Instance, on_delete=models.PROTECT, related_name="terminals", verbose_name=_("instance")
    )
    location = models.CharField(max_length=60, blank=True, default="", verbose_name=_("location"))
    charset = models.CharField(
        max_length=10, choices=CHARSETS, default="utf-8", verbose_name=_("character set")
    )
    terminator = models.CharField(
        max_length=4, choices=TERMINATORS, default="auto", verbose_name=_("line end")
    )
    enabled = models.BooleanField(default=True, verbose_name=_("may log in"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("self-checkout kiosk")
        verbose_name_plural = _("self-checkout kiosks")
        ordering = ["login"]
        constraints = [
            models.CheckConstraint(
                name="terminal_charset_known",
                condition=Q(charset__in=["utf-8", "cp850", "latin-1"]),
            ),
            models.CheckConstraint(name="terminal_login_not_blank", condition=~Q(login="")),
            models.CheckConstraint(
                name="terminal_terminator_known",
                condition=Q(terminator__in=["auto", "cr", "crlf"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.login} ({self.instance_id}{'/' + self.location if self.location else ''})"


class KioskPayment(models.Model):
    """A fee paid at a kiosk (37) with a transaction id (BK), and the answer it got.

    A kiosk that lost the answer sends the same 37 again: the unique pair
    (terminal, transaction id) makes that second one book nothing, and it gets the
    stored answer. Written in the same transaction as the payment.
    """

    terminal = models.ForeignKey(
        Terminal,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("self-checkout kiosk"),
    )
    transaction_id = models.CharField(max_length=255, verbose_name=_("transaction id"))
    # What the request asked, so a transaction id reused for another payment is told apart.
    card_number = models.CharField(max_length=255, verbose_name=_("card number"))
    amount = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("amount"))
    # The 38 as first sent: {"fixed": {...}, "fields": [[id, value], ...]}.
    answer = models.JSONField(verbose_name=_("answer"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("kiosk payment")
        verbose_name_plural = _("kiosk payments")
        constraints = [
            models.UniqueConstraint(
                fields=["terminal", "transaction_id"], name="kiosk_payment_once_per_terminal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.terminal_id}/{self.transaction_id}"
