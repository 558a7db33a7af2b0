from __future__ import annotations

from django.contrib import admin

from lidgeld.admin_base import ReadOnlyAdmin
from lidgeld.libraries.models import CooperationGroup, Instance


@admin.register(CooperationGroup)
class CooperationGroupAdmin(ReadOnlyAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Instance)
class InstanceAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "name",
        "group",
        "renewal_base",
        "renewal_grace_days",
        "reminder_after_months",
        "unpaid_after_months",
        "write_off_after_months",
        "notice_max_delay_days",
    )
    list_filter = ("group", "renewal_base")
    list_select_related = ("group",)
    search_fields = ("code", "name")
    fieldsets = (
        (None, {"fields": ("code", "name", "group")}),
        ("Verlengen (R1)", {"fields": ("renewal_base", "renewal_grace_days")}),
        (
            "Opvolging onbetaald lidgeld (R6), in maanden na de maand van boeking",
            {"fields": ("reminder_after_months", "unpaid_after_months", "write_off_after_months")},
        ),
        (
            "Berichten (R4)",
            {"fields": ("notice_max_delay_days", "sender_email", "iban")},
        ),
    )
