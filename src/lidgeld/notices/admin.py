from __future__ import annotations

from django.contrib import admin

from lidgeld.admin_base import ReadOnlyAdmin
from lidgeld.notices.models import Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """Notices and the outbox (status *queued*)."""

    list_display = (
        "date",
        "borrower",
        "code",
        "channel",
        "status",
        "to_address",
        "subject",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "channel", "type", "kind", "instance")
    list_select_related = ("borrower", "instance")
    search_fields = ("borrower__card_number", "to_address", "subject")
    date_hierarchy = "date"
    fields = (
        "borrower",
        "instance",
        "membership",
        "type",
        "kind",
        "date",
        "channel",
        "status",
        "language",
        "to_address",
        "subject",
        "body",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    )

    @admin.display(description="bericht", ordering="kind")
    def code(self, message: Message) -> str:
        return message.code
