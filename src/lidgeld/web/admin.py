from __future__ import annotations

from django.contrib import admin

from lidgeld.admin_base import ReadOnlyAdmin
from lidgeld.web.models import LoginFailure


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    list_display = ("key", "at")
    search_fields = ("key",)
    date_hierarchy = "at"
