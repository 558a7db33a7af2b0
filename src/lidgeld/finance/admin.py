from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from lidgeld.admin_base import ReadOnlyAdmin, ReadOnlyTabularInline, request_moment, staff_actor
from lidgeld.errors import LidgeldError
from lidgeld.finance.models import BankTransaction, Payment, PaymentRequest, Posting, WriteOff
from lidgeld.finance.services import posting_write_off


class PaymentInline(ReadOnlyTabularInline):
    model = Payment
    fields = ("paid_on", "amount", "channel", "recorded_by")
    show_change_link = False


class WriteOffInline(ReadOnlyTabularInline):
    model = WriteOff
    fields = ("written_off_on", "amount", "reason", "recorded_by")
    show_change_link = False


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    """Open items (openstaande posten) and their history; paid and written off by action."""

    list_display = (
        "booked_on",
        "card_number",
        "borrower_name",
        "booking_code",
        "description",
        "amount",
        "balance",
        "status",
        "stage",
        "closed_on",
        "instance",
    )
    list_display_links = ("booked_on",)
    list_filter = ("status", "stage", "instance", "booking_code")
    list_select_related = ("borrower", "instance")
    search_fields = ("borrower__card_number",)
    date_hierarchy = "booked_on"
    ordering = ("-booked_on", "-id")
    fields = (
        "borrower",
        "instance",
        "membership",
        "booking_code",
        "description",
        "amount",
        "balance",
        "booked_on",
        "stage",
        "status",
        "closed_on",
    )
    inlines = (PaymentInline, WriteOffInline)
    actions = ("write_off",)

    @admin.display(description="kaartnummer", ordering="borrower__card_number")
    def card_number(self, posting: Posting) -> str:
        return posting.borrower.card_number

    @admin.display(description="lener", ordering="borrower__last_name")
    def borrower_name(self, posting: Posting) -> str:
        return posting.borrower.full_name

    def has_write_off_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("finance.add_writeoff")

    @admin.action(description="Afboeken", permissions=["write_off"])
    def write_off(self, request: HttpRequest, queryset: QuerySet[Posting]) -> None:
        today = request_moment(request).today
        actor = staff_actor(request)
        reason = f"afgeboekt door {request.user.get_username()}"
        for posting in queryset.select_related("borrower"):
            label = f"{posting.borrower.card_number}, {posting.booking_code} € {posting.amount}"
            try:
                written_off = posting_write_off(
                    posting=posting,
                    today=today,
                    now=request_moment(request).now,
                    actor=actor,
                    reason=reason,
                )
            except LidgeldError as error:
                self.message_user(request, f"{label}: {error.localized()}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{label}: € {written_off.amount} afgeboekt", messages.SUCCESS
                )


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("paid_on", "card_number", "posting", "amount", "channel", "recorded_by")
    list_display_links = ("paid_on",)
    list_filter = ("channel", "posting__instance")
    list_select_related = ("posting__borrower",)
    search_fields = ("posting__borrower__card_number", "recorded_by")
    date_hierarchy = "paid_on"
    ordering = ("-paid_on", "-id")

    @admin.display(description="kaartnummer", ordering="posting__borrower__card_number")
    def card_number(self, payment: Payment) -> str:
        return payment.posting.borrower.card_number


@admin.register(WriteOff)
class WriteOffAdmin(ReadOnlyAdmin):
    list_display = (
        "written_off_on",
        "card_number",
        "posting",
        "amount",
        "reason",
        "recorded_by",
    )
    list_display_links = ("written_off_on",)
    list_filter = ("posting__instance",)
    list_select_related = ("posting__borrower",)
    search_fields = ("posting__borrower__card_number", "recorded_by", "reason")
    date_hierarchy = "written_off_on"
    ordering = ("-written_off_on", "-id")

    @admin.display(description="kaartnummer", ordering="posting__borrower__card_number")
    def card_number(self, write_off: WriteOff) -> str:
        return write_off.posting.borrower.card_number


@admin.register(BankTransaction)
class BankTransactionAdmin(ReadOnlyAdmin):
    """Every line of every imported bank statement, with what was done with it."""

    list_display = (
        "booked_on",
        "transaction_id",
        "amount",
        "outcome",
        "debtor_name",
        "reference",
        "reason",
        "posting",
        "statement_id",
    )
    list_display_links = ("transaction_id",)
    list_filter = ("outcome", "statement_id")
    list_select_related = ("posting",)
    search_fields = ("transaction_id", "reference", "debtor_name", "statement_id")
    date_hierarchy = "booked_on"
    ordering = ("-booked_on", "-id")


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnlyAdmin):
    """Requests that paid, once per one-time key: why a repeated form booked nothing."""

    list_display = ("made_on", "card_number", "channel", "purpose", "asked", "outcome")
    list_display_links = ("made_on",)
    list_filter = ("channel", "purpose")
    list_select_related = ("borrower",)
    search_fields = ("borrower__card_number", "key")
    date_hierarchy = "made_on"
    ordering = ("-made_on", "-id")

    @admin.display(description="kaartnummer", ordering="borrower__card_number")
    def card_number(self, request_row: PaymentRequest) -> str:
        return request_row.borrower.card_number
