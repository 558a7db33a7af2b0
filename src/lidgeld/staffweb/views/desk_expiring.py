"""The memberships that end this month (R8), with "renew selected" (R5).

The list the seed's staff had to ask the service desk for. Staff tick the borrowers
they decide to renew; one POST renews them through the bulk service (each borrower in
a transaction of its own) and the page shows one result per borrower above the list,
which then holds only the borrowers still to decide on."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lidgeld.borrowers.models import Borrower
from lidgeld.domain.months import add_months, first_of_month
from lidgeld.errors import LidgeldError, Refused
from lidgeld.notices.selectors import NoticeState, notice_state
from lidgeld.operations.renewals import memberships_renew
from lidgeld.reports.filters import parse_report_month
from lidgeld.scope import Scope
from lidgeld.staffweb.access import StaffRequest, staff_page
from lidgeld.staffweb.selectors import expiring_rows, instances_in
from lidgeld.staffweb.views.desk_common import actor, renewal_outcome
from lidgeld.web.params import Params, report_from_params

# Only a CAE that reached the borrower's side is "yes" (issue 11, item 14).
CAE_WORDS = {
    NoticeState.SENT: gettext_lazy("yes"),
    NoticeState.QUEUED: gettext_lazy("waiting to be sent"),
    NoticeState.TO_PRINT: gettext_lazy("no: letter to print"),
    NoticeState.FAILED: gettext_lazy("no: failed"),
    NoticeState.SKIPPED: gettext_lazy("no: skipped (too late)"),
    NoticeState.NONE: gettext_lazy("no"),
}
PAGE_SIZE = 100


def _month(text: str, today: date) -> date:
    return parse_report_month(text) if text.strip() else first_of_month(today)


def _instance_filter(scope: Scope, code: str) -> tuple[frozenset[int] | None, Any]:
    """The libraries to list: all of the scope, or the one chosen (within it)."""
    if not code:
        return scope.instance_ids, None
    chosen = next((i for i in instances_in(scope) if i.code == code), None)
    if chosen is None:
        raise LidgeldError(_("Choose one of your own libraries."))
    return frozenset({chosen.pk}), chosen


@staff_page()
@require_http_methods(["GET", "POST"])
def expiring(request: StaffRequest) -> HttpResponse:
    scope: Scope = request.scope
    today = request.moment.today
    data = request.POST if request.method == "POST" else request.GET
    status = 200
    try:
        month = _month(data.get("month", ""), today)
        instance_ids, chosen = _instance_filter(scope, data.get("instance", "").strip().upper())
    except LidgeldError as error:
        messages.error(request, error.localized())
        month, instance_ids, chosen, status = first_of_month(today), scope.instance_ids, None, 400
    results = None
    if request.method == "POST" and status == 200:
        results = _renew_selected(request, scope, today)
    # A large library has tens of thousands a month: shown a page at a time (the
    # downloads hold them all).
    shown = Paginator(expiring_rows(instance_ids=instance_ids, month=month), PAGE_SIZE)
    page = shown.get_page(data.get("page"))
    context = {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "month_name": dateformat.format(month, "F Y"),
        "previous_month": f"{add_months(month, -1):%Y-%m}",
        "next_month": f"{add_months(month, 1):%Y-%m}",
        "instances": instances_in(scope),
        "chosen": chosen,
        "rows": [
            (m, CAE_WORDS[notice_state(m.cae_status, m.cae_channel)]) for m in page.object_list
        ],
        "page": page,
        "total": shown.count,
        "results": results,
        "download_refused": _download_refused(scope, month, chosen, today),
    }
    return render(request, "staffweb/desk/expiring.html", context, status=status)


def _download_refused(scope: Scope, month: date, chosen: Any, today: date) -> str:
    """Why the list may not be downloaded (R11: borrowers of other libraries need the
    coordinator role), asked of the report the links lead to; empty when it may."""
    query = {"month": f"{month:%Y-%m}", **({"instance": chosen.code} if chosen else {})}
    try:
        report_from_params("expiring", Params(query), scope=scope, today=today)
    except Refused as refusal:
        return refusal.localized()
    return ""


def _renew_selected(request: StaffRequest, scope: Scope, today: date) -> list[dict[str, Any]]:
    cards = [card.strip() for card in request.POST.getlist("card") if card.strip()]
    if not cards:
        messages.warning(request, _("Tick the borrowers to renew first."))
        return []
    paid = request.POST.get("fee") == "paid"
    renewed = memberships_renew(
        card_numbers=cards,
        paid=paid,
        today=today,
        now=request.moment.now,
        actor=actor(request),
        instance_ids=sorted(scope.instance_ids) if scope.instance_ids is not None else None,
    )
    people = {
        b.card_number: b
        for b in scope.limit(Borrower.objects.filter(card_number__in=cards), "home_instance_id")
    }
    return [
        {
            "card": result.card_number,
            "borrower": people.get(result.card_number),
            "renewed": result.renewed,
            "outcome": renewal_outcome(result),
        }
        for result in renewed
    ]
