from __future__ import annotations

from django.db import models
from django.db.models import Q

from lidgeld.libraries.models import Instance

CHARSETS = [("utf-8", "UTF-8"), ("cp850", "CP850"), ("latin-1", "Latin-1")]


class Terminal(models.Model):
    """A self-checkout kiosk's SIP2 account (login CN / password CO).

    It sees the borrowers of its instance and of that instance's cooperation group.
    """

    login = models.CharField(max_length=60, unique=True)
    # Django password hash; the password itself is never stored or logged.
    password_hash = models.CharField(max_length=128)
    instance = models.ForeignKey(Instance, on_delete=models.PROTECT, related_name="terminals")
    location = models.CharField(max_length=60, blank=True, default="")
    charset = models.CharField(max_length=10, choices=CHARSETS, default="utf-8")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["login"]
        constraints = [
            models.CheckConstraint(
                name="terminal_charset_known",
                condition=Q(charset__in=["utf-8", "cp850", "latin-1"]),
            ),
            models.CheckConstraint(name="terminal_login_not_blank", condition=~Q(login="")),
        ]

    def __str__(self) -> str:
        return f"{self.login} ({self.instance_id}{'/' + self.location if self.location else ''})"
