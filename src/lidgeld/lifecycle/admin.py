from __future__ import annotations

from django.contrib import admin

from lidgeld.admin_base import ReadOnlyAdmin
from lidgeld.lifecycle.models import JobLock, JobRun


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    """The job ledger of the daily run: which (instance, step, day) is done."""

    list_display = ("day", "instance", "step", "rows", "run_on", "started_at", "finished_at")
    list_filter = ("step", "instance")
    list_select_related = ("instance",)
    search_fields = ("step", "instance__code")
    date_hierarchy = "day"


@admin.register(JobLock)
class JobLockAdmin(ReadOnlyAdmin):
    list_display = ("name", "holder", "acquired_at", "expires_at")
    search_fields = ("name", "holder")
