from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    """The job ledger: one row per (instance, step, business day) that is done.

    The row is written in the same transaction as the step's changes, so a
    crash leaves either both or neither, and the unique constraint makes a
    second run of the same day harmless.
    """

    instance = models.ForeignKey(
        "libraries.Instance", on_delete=models.PROTECT, related_name="job_runs"
    )
    step = models.CharField(max_length=40)
    day = models.DateField()
    run_on = models.DateField()
    rows = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()

    class Meta:
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

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=200)
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder}"
