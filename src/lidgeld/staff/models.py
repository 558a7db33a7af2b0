from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lidgeld.libraries.models import Instance


class Role(models.TextChoices):
    DESK = "desk", _("desk")
    COORDINATOR = "coordinator", _("coordinator")
    ADMINISTRATOR = "administrator", _("administrator")


class StaffAccount(models.Model):
    """What a staff login may do (role) and for which libraries (instances).

    A member of staff sees the borrowers of these instances and of the other
    instances of their cooperation groups, which share borrowers."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_account",
        verbose_name=_("user"),
    )
    role = models.CharField(max_length=16, choices=Role.choices, verbose_name=_("role"))
    instances = models.ManyToManyField(
        Instance, related_name="staff_accounts", verbose_name=_("instances")
    )

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")
        constraints = [
            models.CheckConstraint(name="staff_role_known", condition=Q(role__in=Role.values))
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"
