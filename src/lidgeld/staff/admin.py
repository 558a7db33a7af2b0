from __future__ import annotations

from typing import Any

from django.contrib import admin

from lidgeld.admin_base import ReadOnlyAdmin
from lidgeld.staff.models import StaffAccount


@admin.register(StaffAccount)
class StaffAccountAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "libraries")
    list_filter = ("role",)
    list_select_related = ("user",)
    search_fields = ("user__username",)

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).prefetch_related("instances")

    @admin.display(description="instanties")
    def libraries(self, account: StaffAccount) -> str:
        return ", ".join(instance.code for instance in account.instances.all())
