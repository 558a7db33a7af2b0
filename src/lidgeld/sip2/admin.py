from __future__ import annotations

from django.contrib import admin

from lidgeld.admin_base import ReadOnlyAdmin
from lidgeld.sip2.models import Terminal


@admin.register(Terminal)
class TerminalAdmin(ReadOnlyAdmin):
    """Kiosk accounts; added with ``lidgeld terminal add`` (the password is hashed there)."""

    list_display = ("login", "instance", "location", "charset", "enabled", "created_at")
    list_filter = ("instance", "enabled", "charset")
    list_select_related = ("instance",)
    search_fields = ("login", "location")
    exclude = ("password_hash",)
