from __future__ import annotations

from django.contrib import admin

from lidgeld.admin_base import ReadOnlyAdmin
from lidgeld.borrowers.models import Card, Note


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ("number", "borrower", "issued_on", "reported", "reported_on", "replaced_on")
    list_filter = ("reported",)
    list_select_related = ("borrower",)
    search_fields = ("number", "borrower__card_number", "borrower__last_name")
    date_hierarchy = "issued_on"


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    list_display = ("written_at", "borrower", "written_by", "at_desk", "removed_at")
    list_filter = ("at_desk",)
    list_select_related = ("borrower",)
    search_fields = ("borrower__card_number", "text")
    date_hierarchy = "written_at"
