from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    """One failed login, counted per key ("user:balie", "card:123…", "ip:…") to slow
    down and then lock out guessing. Rows older than the window are ignored."""

    key = models.CharField(max_length=200, verbose_name=_("key"))
    at = models.DateTimeField(verbose_name=_("date and time"))

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [models.Index(fields=["key", "at"], name="login_failure_key_idx")]

    def __str__(self) -> str:
        return f"{self.key} at {self.at:%Y-%m-%d %H:%M:%S}"
