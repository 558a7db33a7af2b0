from __future__ import annotations

from django.contrib import admin

from lidgeld.admin_base import ReadOnlyAdmin
from lidgeld.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """R10: the audit trail, to read; nobody edits history."""

    list_display = (
        "at",
        "business_date",
        "actor",
        "action",
        "object_type",
        "object_id",
        "borrower",
        "instance",
    )
    list_filter = ("action", "object_type", "instance")
    list_select_related = ("borrower", "instance")
    search_fields = ("actor", "action", "borrower__card_number")
    date_hierarchy = "business_date"
    fields = (
        "at",
        "business_date",
        "actor",
        "action",
        "object_type",
        "object_id",
        "borrower",
        "instance",
        "before",
        "after",
    )
