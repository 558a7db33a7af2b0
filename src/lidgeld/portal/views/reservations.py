"""Reservations: the queue, a simple search of the library's catalogue, placing and
cancelling."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lidgeld.circulation.models import ReservationStatus
from lidgeld.circulation.services import reservation_cancel
from lidgeld.domain.blocks import Channel
from lidgeld.errors import LidgeldError
from lidgeld.operations.reservations import reservation_place
from lidgeld.portal.forms import SearchForm
from lidgeld.portal.selectors import (
    SEARCH_LIMIT,
    catalogue_item,
    catalogue_search,
    live_reservations,
    own_reservation,
    situation,
)
from lidgeld.portal.session import PortalRequest, portal_page
from lidgeld.portal.views.common import refusal_text, render_page

CANCELLABLE = (ReservationStatus.WAITING, ReservationStatus.HELD, ReservationStatus.READY)


@portal_page
def reservations_view(request: PortalRequest) -> HttpResponse:
    borrower = request.borrower
    standing = situation(borrower=borrower, today=request.today)
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = catalogue_search(borrower=borrower, query=query) if query else []
    return render_page(
        request,
        "portal/reservations.html",
        {
            "reservations": live_reservations(standing.status),
            "form": form,
            "query": query,
            "results": results,
            "more_results": len(results) >= SEARCH_LIMIT,
        },
        section="reservations",
        standing=standing,
    )


@portal_page
@require_POST
def reservation_place_view(request: PortalRequest) -> HttpResponse:
    borrower = request.borrower
    try:
        item_id = int(request.POST.get("item", ""))
    except ValueError:
        raise Http404("no such item") from None
    item = catalogue_item(borrower, item_id)
    if item is None:
        raise Http404("no such item")
    try:
        reservation_place(
            borrower=borrower,
            item=item,
            today=request.today,
            now=request.now,
            actor=request.actor,
            channel=Channel.PORTAL,
        )
    except LidgeldError as refusal:
        messages.error(
            request,
            _("%(title)s: not reserved. %(reason)s")
            % {"title": item.title, "reason": refusal_text(refusal)},
        )
    else:
        messages.success(request, _("%(title)s is reserved for you.") % {"title": item.title})
    return redirect("portal:reservations")


@portal_page
@require_POST
def reservation_cancel_view(request: PortalRequest, reservation_id: int) -> HttpResponse:
    """Cancelling is always possible, blocked or not: it gives something up."""
    reservation = own_reservation(request.borrower, reservation_id)
    if reservation is None or reservation.status not in CANCELLABLE:
        raise Http404("no such reservation")
    try:
        reservation_cancel(
            reservation=reservation,
            today=request.today,
            now=request.now,
            actor=request.actor,
        )
    except LidgeldError as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(
            request,
            _("Your reservation of %(title)s is cancelled.") % {"title": reservation.item.title},
        )
    return redirect("portal:reservations")
