from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lidgeld.admin_base import ReadOnlyAdmin
from lidgeld.memberships.models import Membership, MembershipEnding, MembershipType


class MembershipTypeFilter(admin.RelatedFieldListFilter):
    """The type filter, naming each type with its instance in one query."""

    def field_choices(
        self, field: Any, request: HttpRequest, model_admin: Any
    ) -> list[tuple[str, Any]]:
        types = MembershipType.objects.select_related("instance")
        return [(str(membership_type.pk), str(membership_type)) for membership_type in types]


@admin.register(MembershipType)
class MembershipTypeAdmin(ReadOnlyAdmin):
    list_display = (
        "code", "name", "instance", "kind", "fee", "months", "booking_code",
        "min_age", "max_age", "next_type",
    )  # fmt: skip
    list_filter = ("instance", "kind")
    list_select_related = ("instance", "next_type__instance")
    search_fields = ("code", "name")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = (
        "card_number",
        "borrower_name",
        "type",
        "start",
        "end",
        "status",
        "origin",
        "created_on",
    )
    list_display_links = ("card_number",)
    list_filter = ("status", "origin", "instance", "type__kind", ("type", MembershipTypeFilter))
    list_select_related = ("borrower", "type__instance", "instance")
    search_fields = ("borrower__card_number",)
    date_hierarchy = "end"
    ordering = ("-end", "-id")
    fields = (
        "borrower",
        "instance",
        "type",
        "start",
        "end",
        "status",
        "origin",
        "created_on",
        "invalidated_on",
    )

    @admin.display(description="kaartnummer", ordering="borrower__card_number")
    def card_number(self, membership: Membership) -> str:
        return membership.borrower.card_number

    @admin.display(description="lener", ordering="borrower__last_name")
    def borrower_name(self, membership: Membership) -> str:
        return membership.borrower.full_name


@admin.register(MembershipEnding)
class MembershipEndingAdmin(ReadOnlyAdmin):
    """R12: memberships ended early, and their undoing (operations.ending)."""

    list_display = ("borrower", "reason", "effective", "ended_on", "ended_by", "reversed_at")
    list_filter = ("reason",)
    list_select_related = ("borrower",)
    search_fields = ("borrower__card_number",)
    date_hierarchy = "ended_on"
    ordering = ("-ended_at", "-id")
