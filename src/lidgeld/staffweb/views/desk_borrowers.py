"""Finding a borrower and the borrower page: everything the desk needs about one person."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lidgeld.domain.blocks import Channel, format_amount
from lidgeld.staff.models import Role
from lidgeld.staffweb.access import StaffRequest, may, staff_page, visible_borrower
from lidgeld.staffweb.selectors import SEARCH_LIMIT, borrower_page, borrower_search
from lidgeld.staffweb.views import desk_common as words
from lidgeld.staffweb.views.desk_cards import cards_context
from lidgeld.staffweb.views.desk_notes import notes_context


def _changes(values: Any) -> str:
    """An audit event's before/after as staff read it: "status: open, balance: 12.00"."""
    if not values:
        return ""
    if isinstance(values, dict):
        return ", ".join(f"{key}: {value}" for key, value in values.items())
    return str(values)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@staff_page()
@require_GET
def search(request: StaffRequest) -> HttpResponseBase:
    result = borrower_search(scope=request.scope, query=request.GET.get("q", ""))
    exact = (
        len(result.borrowers) == 1
        and result.kind == "card"
        and result.borrowers[0].card_number.upper() == result.query.upper()
    )
    if exact and not is_htmx(request):
        # A scanned card opens the borrower at once: that is what the desk wants.
        found = result.borrowers[0]
        if not found.card_reported:
            return redirect("staffweb:borrower", borrower_id=found.pk)
        return _opened_by_card(found.pk, found.card_number)  # "this card was reported lost"
    old = result.old_card
    if old is not None and len(result.borrowers) == 1 and not is_htmx(request):
        # An old card too, and the page says which card it was.
        return _opened_by_card(old.borrower_id, old.number)
    context = {"result": result, "limit": SEARCH_LIMIT, "title": _("Borrowers")}
    template = (
        "staffweb/desk/_search_results.html" if is_htmx(request) else "staffweb/desk/search.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _opened_by_card(borrower_id: int, card: str) -> HttpResponseBase:
    address = reverse("staffweb:borrower", kwargs={"borrower_id": borrower_id})
    return redirect(f"{address}?{urlencode({'card': card})}")


@staff_page()
@require_GET
def borrower(request: StaffRequest, borrower_id: int) -> HttpResponse:
    person = visible_borrower(request.scope, borrower_id)
    page = borrower_page(borrower=person, today=request.moment.today)
    status = page.status
    language = words.staff_language()
    view = status.membership
    context: dict[str, Any] = {
        "borrower": person,
        "language_name": words.label(words.LANGUAGE_NAMES, person.language),
        "page": page,
        "status": status,
        "today": status.today,
        "membership_state": words.label(words.MEMBERSHIP_STATES, view.state),
        "membership_active": view.state.value == "active",
        "member_until": view.valid_until or (view.latest.end if view.latest else None),
        "blocks": [
            {
                "code": channel.value,
                "channel": words.label(words.CHANNEL_LABELS, channel),
                "allowed": block.allowed,
                "warning": block.warning,
                "reason": block.reason.value,
                "sentence": block.message(language),
            }
            for channel, block in ((c, status.blocks[c]) for c in Channel)
        ],
        # "open" is said by the amount; a later stage is worth its own word.
        "stage": "" if status.stage in (None, "open") else words.label(words.STAGES, status.stage),
        "memberships": [
            (m, words.label(words.PERIOD_STATUSES, m.status), words.label(words.ORIGINS, m.origin))
            for m in page.memberships
        ],
        "postings": [
            (
                p,
                words.label(words.POSTING_STATUSES, p.status),
                words.label(words.STAGES, p.stage),
            )
            for p in page.postings
        ],
        "messages_sent": [
            (
                m,
                words.label(words.MESSAGE_KINDS, m.kind),
                words.label(words.MESSAGE_STATUSES, m.status),
                words.label(words.MESSAGE_CHANNELS, m.channel),
            )
            for m in reversed(status.messages)
        ],
        "reservations": [
            (r, words.label(words.RESERVATION_STATUSES, r.status)) for r in status.reservations
        ],
        "audit": [(e, _changes(e.before), _changes(e.after)) for e in page.audit],
        "amount_prefill": format_amount(status.open_amount, "nl") if status.open_amount else "",
        "payment_key": words.one_time_key(),  # a second POST of this form books nothing
        "may_write_off": may(request.role, Role.COORDINATOR),
        "title": person.full_name,
        **notes_context(page.notes),
        # ?card=: the card the desk scanned, said in a banner when it is an old one
        **cards_context(person, page.cards, request.GET.get("card", "")),
    }
    return render(request, "staffweb/desk/borrower.html", context)
