from __future__ import annotations

from django.contrib import admin

from lidgeld.admin_base import ReadOnlyAdmin
from lidgeld.circulation.models import Item, Loan, Reservation


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("barcode", "title", "instance")
    list_filter = ("instance",)
    list_select_related = ("instance",)
    search_fields = ("barcode", "title")


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ("item", "borrower", "out_on", "due_on", "returned_on")
    list_filter = ("item__instance",)
    list_select_related = ("item", "borrower")
    search_fields = ("borrower__card_number", "item__barcode", "item__title")
    date_hierarchy = "out_on"


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = (
        "placed_on",
        "borrower",
        "item",
        "instance",
        "status",
        "held_since",
        "closed_on",
    )
    list_filter = ("status", "instance")
    list_select_related = ("borrower", "item", "instance")
    search_fields = ("borrower__card_number", "item__barcode", "item__title")
    date_hierarchy = "placed_on"
