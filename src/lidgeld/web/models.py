from __future__ import annotations

from django.db import models


class LoginFailure(models.Model):
    """One failed login, counted per key ("user:balie", "card:123…", "ip:…") to slow
    down and then lock out guessing. Rows older than the window are ignored."""

    key = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="login_failure_key_idx")]

    def __str__(self) -> str:
        return f"{self.key} at {self.at:%Y-%m-%d %H:%M:%S}"
