"""Brieven: the day's letters, their PDF and "printed" (issue 11, item 14).

Desk staff and up print their *own* libraries' letters: a letter carries its
library's letterhead and the library posts it, so the other libraries of a
cooperation group (which share borrowers, R11) do not print or confirm it. Making a
batch, downloading its PDF (audited: names and addresses leave the building) and
confirming it printed all go through ``notices.letter_batches``; a letter is "te
printen" until its batch is confirmed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from lidgeld.errors import InvalidInput
from lidgeld.notices.letter_batches import (
    letter_batch_confirm,
    letter_batch_export_audit,
    letter_batch_get,
    letter_batch_make,
    letter_batch_pdf,
    letter_batches,
    letters_of_day,
)
from lidgeld.notices.models import LetterBatch
from lidgeld.notices.selectors import NoticeState, notice_state
from lidgeld.staff.models import Role
from lidgeld.staffweb.access import StaffRequest, staff_page
from lidgeld.staffweb.views.desk_common import MESSAGE_KINDS, actor

LETTER_STATES = {
    NoticeState.TO_PRINT: gettext_lazy("to print"),
    NoticeState.SENT: gettext_lazy("printed"),
    NoticeState.FAILED: gettext_lazy("failed"),
    NoticeState.SKIPPED: gettext_lazy("skipped"),
}


def _own_instance_ids(request: HttpRequest) -> list[int] | None:
    """The libraries of the account itself (not its cooperation groups); None for a
    superuser, who is an administrator of every library."""
    user: Any = request.user
    if user.is_superuser:
        return None
    account = getattr(user, "staff_account", None)
    if account is None:
        return []
    return sorted(account.instances.values_list("id", flat=True))


def _day(text: str, today: date) -> date:
    if not text.strip():
        return today
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            _("'%(text)s' is not a date; choose a day, e.g. %(example)s")
            % {"text": text.strip()[:20], "example": today.isoformat()}
        ) from None


def _page_url(day: date) -> str:
    return f"{reverse('staffweb:letters')}?{urlencode({'date': day.isoformat()})}"


def _batch_or_404(request: HttpRequest, batch_id: int) -> LetterBatch:
    try:
        return letter_batch_get(batch_id=batch_id, instance_ids=_own_instance_ids(request))
    except InvalidInput:
        raise Http404("no such letter batch") from None


@staff_page(Role.DESK)
@require_GET
def letters(request: StaffRequest) -> HttpResponse:
    today = request.moment.today
    status = 200
    try:
        day = _day(request.GET.get("date", ""), today)
    except InvalidInput as error:
        messages.error(request, error.localized())
        day, status = today, 400
    own = _own_instance_ids(request)
    rows = []
    new = 0
    for message in letters_of_day(day=day, instance_ids=own):
        state = notice_state(message.status, message.channel)
        new += state is NoticeState.TO_PRINT and message.letter_batch_id is None
        rows.append(
            {
                "message": message,
                "kind": MESSAGE_KINDS.get(message.kind, message.kind),
                "state": state.value,
                "state_label": LETTER_STATES.get(state, message.status),
            }
        )
    context = {
        "day": day,
        "day_value": day.isoformat(),
        "previous_day": (day - timedelta(days=1)).isoformat(),
        "next_day": (day + timedelta(days=1)).isoformat(),
        "rows": rows,
        "new": new,
        "batches": list(letter_batches(instance_ids=own, day=day)),
    }
    return render(request, "staffweb/desk/letters.html", context, status=status)


@require_POST
@staff_page(Role.DESK)
def batch_new(request: StaffRequest) -> HttpResponseBase:
    today, now = request.moment.today, request.moment.now
    try:
        day = _day(request.POST.get("date", ""), today)
    except InvalidInput as error:
        messages.error(request, error.localized())
        return redirect("staffweb:letters")
    made = letter_batch_make(
        day=day, instance_ids=_own_instance_ids(request), now=now, today=today, actor=actor(request)
    )
    for failure in made.failures:
        messages.warning(
            request,
            _("The letter for card %(card)s (%(library)s) cannot be printed: %(reason)s")
            % {"card": failure.card_number, "library": failure.instance, "reason": failure.reason},
        )
    if made.batch is None:
        messages.info(request, _("There are no new letters to print for this day."))
    else:
        messages.success(
            request,
            _(
                "Batch %(batch)s with %(count)s letters is ready: download the PDF, print it, "
                "then confirm it is printed."
            )
            % {"batch": made.batch.pk, "count": made.batch.letters},
        )
    return redirect(_page_url(day))


@staff_page(Role.DESK)
@require_GET
def batch_pdf(request: StaffRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    result = letter_batch_pdf(batch=batch)
    letter_batch_export_audit(
        batch=batch,
        result=result,
        actor=actor(request),
        today=request.moment.today,
        now=request.moment.now,
        download=True,
    )
    response = HttpResponse(result.pdf, content_type="application/pdf")
    name = f"brieven-{batch.day.isoformat()}-batch-{batch.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@staff_page(Role.DESK)
def batch_confirm(request: StaffRequest, batch_id: int) -> HttpResponseBase:
    batch = _batch_or_404(request, batch_id)
    done = letter_batch_confirm(
        batch=batch, now=request.moment.now, today=request.moment.today, actor=actor(request)
    )
    if done.already and done.batch.printed_at is not None:
        messages.info(
            request,
            _("Batch %(batch)s was confirmed printed already, on %(when)s by %(who)s.")
            % {
                "batch": batch.pk,
                "when": f"{timezone.localtime(done.batch.printed_at):%d/%m/%Y %H:%M}",
                "who": done.batch.printed_by,
            },
        )
    else:
        messages.success(
            request,
            _("Batch %(batch)s is printed: %(count)s letters count as sent.")
            % {"batch": batch.pk, "count": done.marked},
        )
    return redirect(_page_url(batch.day))
