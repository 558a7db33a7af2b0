from __future__ import annotations

from django.contrib import admin

from lidgeld.admin_base import ReadOnlyAdmin
from lidgeld.selections.models import BorrowerSet, BorrowerSetMember, SavedSelection


@admin.register(SavedSelection)
class SavedSelectionAdmin(ReadOnlyAdmin):
    list_display = ("name", "owner", "rule", "updated_at")
    search_fields = ("name", "owner", "rule")


@admin.register(BorrowerSet)
class BorrowerSetAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "origin", "size", "rule", "created_at", "expires_on")
    list_filter = ("origin",)
    search_fields = ("owner", "rule")


@admin.register(BorrowerSetMember)
class BorrowerSetMemberAdmin(ReadOnlyAdmin):
    list_display = ("borrower_set", "borrower")
    list_select_related = ("borrower_set", "borrower")
    search_fields = ("borrower__card_number",)
