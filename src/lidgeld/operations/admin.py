from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from lidgeld.admin_base import ReadOnlyAdmin, ReadOnlyTabularInline, request_moment, staff_actor
from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.models import Reservation, ReservationStatus
from lidgeld.domain.blocks import MembershipState, format_amount, format_day
from lidgeld.errors import LidgeldError
from lidgeld.finance.models import STAGE_LABELS, Posting
from lidgeld.finance.selectors import open_contributions
from lidgeld.finance.services import parse_amount, payment_register
from lidgeld.memberships.models import Membership
from lidgeld.memberships.selectors import covering_day, memberships_expiring
from lidgeld.notices.models import Message
from lidgeld.operations.renewals import RenewalResult, memberships_renew
from lidgeld.standing.labels import CHANNEL_LABELS, MEMBERSHIP_STATE_LABELS
from lidgeld.standing.status import BorrowerStatus, borrower_status, borrowers_with_summary

LIVE_RESERVATION_STATUSES = (
    ReservationStatus.WAITING,
    ReservationStatus.HELD,
    ReservationStatus.READY,
)

_TODAY_ATTRIBUTE = "_admin_today"


def _euro(amount: Decimal) -> str:
    return f"€ {format_amount(amount, 'nl')}"


# -- inlines: the borrower's history, read-only ------------------------------------------


class MembershipInline(ReadOnlyTabularInline):
    model = Membership
    fields = ("start", "end", "type", "status", "origin", "created_on", "invalidated_on")
    ordering = ("-start", "-id")
    verbose_name = "lidmaatschap"
    verbose_name_plural = "lidmaatschappen"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("type__instance")


class PostingInline(ReadOnlyTabularInline):
    model = Posting
    fields = (
        "booked_on",
        "booking_code",
        "description",
        "amount",
        "balance",
        "status",
        "stage",
        "closed_on",
    )
    ordering = ("-booked_on", "-id")
    verbose_name = "boeking"
    verbose_name_plural = "boekingen"


class MessageInline(ReadOnlyTabularInline):
    model = Message
    fields = ("date", "type", "kind", "channel", "status", "to_address", "subject")
    ordering = ("-date", "-id")
    verbose_name = "bericht"
    verbose_name_plural = "berichten"


class ReservationInline(ReadOnlyTabularInline):
    model = Reservation
    fields = ("placed_on", "item", "status", "held_since", "closed_on")
    ordering = ("-placed_on", "-id")
    verbose_name = "reservering"
    verbose_name_plural = "reserveringen"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reservation]:
        return super().get_queryset(request).select_related("item")


# -- changelist filter ---------------------------------------------------------------


class MembershipSituationFilter(admin.SimpleListFilter):
    """The lists staff work from: who expires this month, who is not covered, who owes."""

    title = "situatie"
    parameter_name = "situation"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("expiring", "lidmaatschap loopt af deze maand"),
            ("not_covered", "zonder geldig lidmaatschap vandaag"),
            ("fee_open", "lidgeld open"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = request_moment(request).today
        if self.value() == "expiring":
            expiring = memberships_expiring(month=today).order_by().values("borrower_id")
            return queryset.filter(pk__in=expiring)
        if self.value() == "not_covered":
            return queryset.exclude(pk__in=covering_day(today).values("borrower_id"))
        if self.value() == "fee_open":
            return queryset.filter(open_fee__gt=0)
        return queryset


# -- the payment form of the "Betaling registreren" action ------------------------------


class PaymentForm(forms.Form):
    amount = forms.CharField(
        label="Bedrag (€)",
        max_length=20,
        help_text="In euro, bijvoorbeeld 12,00 of 12.00.",
    )


# -- the borrower ------------------------------------------------------------------


@admin.register(Borrower)
class BorrowerAdmin(ReadOnlyAdmin):
    list_display = (
        "card_number",
        "last_name",
        "first_name",
        "email",
        "home_instance",
        "membership_end",
        "open_fee_display",
    )
    list_display_links = ("card_number",)
    list_filter = (MembershipSituationFilter, "home_instance", "language")
    list_select_related = ("home_instance",)
    search_fields = ("card_number", "first_name", "last_name", "email")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("card_number", "home_instance"),
                    ("first_name", "last_name"),
                    ("birth_date", "language"),
                    ("email", "postal_code"),
                    "registered_on",
                )
            },
        ),
        ("Situatie vandaag", {"fields": ("situation",)}),
    )
    readonly_fields = ("situation",)
    inlines = (MembershipInline, PostingInline, MessageInline, ReservationInline)
    actions = ("renew_paid", "renew_unpaid", "register_payment")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Borrower]:
        return borrowers_with_summary(super().get_queryset(request))

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Borrower | None:
        borrower = super().get_object(request, object_id, from_field)
        if borrower is not None:
            # A read-only field sees the object, not the request: hand it the day.
            setattr(borrower, _TODAY_ATTRIBUTE, request_moment(request).today)
        return borrower

    # -- columns and fields ------------------------------------------------------------

    @admin.display(description="lid tot", ordering="member_until")
    def membership_end(self, borrower: Borrower) -> date | None:
        return getattr(borrower, "member_until", None)

    @admin.display(description="open lidgeld", ordering="open_fee")
    def open_fee_display(self, borrower: Borrower) -> str:
        amount = getattr(borrower, "open_fee", None) or Decimal("0.00")
        return _euro(amount) if amount else "–"

    @admin.display(description="situatie")
    def situation(self, borrower: Borrower) -> SafeString:
        today = getattr(borrower, _TODAY_ATTRIBUTE, None)
        if today is None:
            return format_html("–")
        return render_situation(borrower_status(borrower=borrower, today=today))

    # -- actions -------------------------------------------------------------------------

    def has_renew_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("memberships.add_membership")

    def has_payment_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("finance.add_payment")

    @admin.action(description="Verlengen — lidgeld betaald", permissions=["renew"])
    def renew_paid(self, request: HttpRequest, queryset: QuerySet[Borrower]) -> None:
        self._renew(request, queryset, paid=True)

    @admin.action(description="Verlengen — lidgeld open", permissions=["renew"])
    def renew_unpaid(self, request: HttpRequest, queryset: QuerySet[Borrower]) -> None:
        self._renew(request, queryset, paid=False)

    def _renew(self, request: HttpRequest, queryset: QuerySet[Borrower], *, paid: bool) -> None:
        results = memberships_renew(
            card_numbers=list(queryset.values_list("card_number", flat=True)),
            paid=paid,
            today=request_moment(request).today,
            now=request_moment(request).now,
            actor=staff_actor(request),
        )
        for result in results:
            if result.renewed:
                self.message_user(request, _renewed_sentence(result), messages.SUCCESS)
            else:
                self.message_user(
                    request,
                    f"{result.card_number}: niet verlengd — {result.reason}",
                    messages.WARNING,
                )

    @admin.action(description="Betaling registreren", permissions=["payment"])
    def register_payment(
        self, request: HttpRequest, queryset: QuerySet[Borrower]
    ) -> HttpResponse | None:
        chosen = list(queryset.select_related("home_instance")[:2])
        if len(chosen) != 1:
            self.message_user(
                request,
                "Kies precies één lener om een betaling te registreren.",
                messages.WARNING,
            )
            return None
        borrower = chosen[0]
        if "apply" in request.POST:
            form = PaymentForm(request.POST)
            if form.is_valid():
                try:
                    amount = parse_amount(form.cleaned_data["amount"])
                    result = payment_register(
                        borrower=borrower,
                        amount=amount,
                        today=request_moment(request).today,
                        now=request_moment(request).now,
                        actor=staff_actor(request),
                    )
                except LidgeldError as error:
                    self.message_user(request, error.localized(), messages.ERROR)
                else:
                    rest = (
                        f"nog open: {_euro(result.still_open)}"
                        if result.still_open
                        else "het lidgeld is volledig betaald"
                    )
                    self.message_user(
                        request,
                        f"{borrower.card_number}: betaling van {_euro(result.paid)} "
                        f"geregistreerd; {rest}.",
                        messages.SUCCESS,
                    )
                    return None
        else:
            total = sum(
                (posting.balance for posting in open_contributions(borrower.pk)), Decimal("0")
            )
            form = PaymentForm(initial={"amount": format_amount(total, "nl") if total else ""})
        return self._payment_page(request, borrower, form)

    def _payment_page(
        self, request: HttpRequest, borrower: Borrower, form: PaymentForm
    ) -> TemplateResponse:
        open_items = list(open_contributions(borrower.pk))
        context = {
            **self.admin_site.each_context(request),
            "title": "Betaling registreren",
            "opts": self.model._meta,
            "borrower": borrower,
            "open_items": open_items,
            "open_total": _euro(sum((p.balance for p in open_items), Decimal("0.00"))),
            "form": form,
            "action_name": "register_payment",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/borrowers/borrower/payment_register.html", context)


def _renewed_sentence(result: RenewalResult) -> str:
    sentence = f"{result.card_number}: verlengd"
    if result.membership is not None:
        membership = result.membership
        sentence += f" van {format_day(membership.start)} tot {format_day(membership.end)}"
    if result.posting is not None:
        posting = result.posting
        state = "betaald" if posting.balance == 0 else "open"
        sentence += f", lidgeld {_euro(posting.amount)} {state}"
    return sentence + "."


def render_situation(status: BorrowerStatus) -> SafeString:
    """The borrower's situation today (R7), as the desk reads it."""
    view = status.membership
    state = MEMBERSHIP_STATE_LABELS.get(view.state, view.state.value)
    end = view.valid_until or (view.latest.end if view.latest else None)
    if view.state is MembershipState.ACTIVE:
        membership = format_html("{} tot {}", state, format_day(end))
    elif end is not None:
        membership = format_html("{} (laatste einddatum {})", state, format_day(end))
    else:
        membership = format_html("{}", state)
    if view.latest is not None:
        membership = format_html("{}, type {}", membership, view.latest.type.name)
    if status.open_amount > 0:
        contribution = format_html("{} open", _euro(status.open_amount))
        if status.stage:
            stage = STAGE_LABELS.get(status.stage, status.stage)
            contribution = format_html("{}, stadium: {}", contribution, stage)
    else:
        contribution = format_html("niets open")
    language = status.borrower.language
    blocks = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                CHANNEL_LABELS.get(channel, channel.value),
                _block_verdict(block.allowed, block.warning),
                block.reason.value,
                block.message(language),
            )
            for channel, block in status.blocks.items()
        ),
    )
    reservations = format_html_join(
        "",
        "<li>{} — {}: {}{}</li>",
        (
            (
                reservation.item.barcode,
                reservation.item.title,
                ReservationStatus(reservation.status).label,
                f", plaats {reservation.position} in de wachtrij"
                if getattr(reservation, "position", None)
                else "",
            )
            for reservation in status.reservations
            if reservation.status in LIVE_RESERVATION_STATUSES
        ),
    )
    return format_html(
        '<div class="lidgeld-situation">'
        "<p>Op {}:</p>"
        "<p><strong>Lidmaatschap:</strong> {}</p>"
        "<p><strong>Lidgeld:</strong> {}</p>"
        "<table><thead><tr><th>kanaal</th><th>toegelaten</th><th>reden</th>"
        "<th>boodschap</th></tr></thead><tbody>{}</tbody></table>"
        "{}"
        "</div>",
        format_day(status.today),
        membership,
        contribution,
        blocks,
        format_html("<p><strong>Lopende reserveringen:</strong></p><ul>{}</ul>", reservations)
        if reservations
        else "",
    )


def _block_verdict(allowed: bool, warning: bool) -> str:
    if not allowed:
        return "geblokkeerd"
    return "toegelaten, met waarschuwing" if warning else "toegelaten"
