from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """The job ledger: one row per (instance, step, business day) that is done.

    The row is written in the same transaction as the step's changes, so a
    crash leaves either both or neither, and the unique constraint makes a
    second run of the same day harmless.
    """

    instance = models.ForeignKey(
        "libraries.Instance",
        on_delete=models.PROTECT,
        related_name="job_runs",
        verbose_name=_("instance"),
    )
    step = models.CharField(max_length=40, verbose_name=_("step"))
    day = models.DateField(verbose_name=_("day"))
    run_on = models.DateField(verbose_name=_("run on"))
    rows = models.PositiveIntegerField(default=0, verbose_name=_("rows"))
    started_at = models.DateTimeField(verbose_name=_("started at"))
    finished_at = models.DateTimeField(verbose_name=_("finished at"))

    class Meta:
        verbose_name = _("daily run step")
        verbose_name_plural = _("daily run steps")
        ordering = ["day", "instance_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "step", "day"], name="job_run_once_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.instance_id} {self.step}: {self.rows}"


class JobLock(models.Model):
    """A lease that keeps two daily runs from working at the same time on SQLite.
    PostgreSQL uses an advisory lock instead, which dies with its session."""

    name = models.CharField(max_length=40, primary_key=True, verbose_name=_("name"))
    holder = models.CharField(max_length=200, verbose_name=_("holder"))
    acquired_at = models.DateTimeField(verbose_name=_("acquired at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))

    class Meta:
        verbose_name = _("daily run lock")
        verbose_name_plural = _("daily run locks")

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder}"
