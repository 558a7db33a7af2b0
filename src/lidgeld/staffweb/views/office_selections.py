"""Selections (R9) in the browser: the rule builder, running a rule into a set, one's
sets and saved selections, combining sets, and the export with a choice of fields."""

from __future__ import annotations

from itertools import islice
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import localize
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from lidgeld.errors import InvalidInput, LidgeldError
from lidgeld.exports.writers import parse_format
from lidgeld.selections.fields import EXPORT_FIELDS, RuleError
from lidgeld.selections.models import BorrowerSet, SavedSelection, SetOrigin
from lidgeld.selections.selectors import (
    DEFAULT_EXPORT_FIELDS,
    export_fields,
    saved_selection_get,
    set_get,
    set_table,
    sets_visible,
)
from lidgeld.selections.services import (
    TooBroad,
    rule_from_text,
    selection_run,
    selection_save,
    set_combine,
)
from lidgeld.staff.models import Role
from lidgeld.staffweb.access import StaffRequest, staff_page
from lidgeld.staffweb.views.office_catalogue import builder_catalogue
from lidgeld.staffweb.views.office_common import english, instances_visible, scope_of
from lidgeld.staffweb.views.office_reports import FORMATS
from lidgeld.web.params import Params

SET_PREVIEW_ROWS = 25
COMBINATIONS = (
    (SetOrigin.UNION, "∪"),
    (SetOrigin.INTERSECTION, "∩"),
    (SetOrigin.DIFFERENCE, "∖"),
)


def _made(borrower_set: BorrowerSet) -> str:
    return ngettext(
        "Set %(set)s made: %(size)s borrower.",
        "Set %(set)s made: %(size)s borrowers.",
        borrower_set.size,
    ) % {"set": borrower_set.pk, "size": borrower_set.size}


def _page(request: StaffRequest, *, text: str, status: int = 200, **extra: Any) -> HttpResponse:
    scope = scope_of(request)
    context = {
        "title": _("Selections"),
        "text": text,
        "catalogue": builder_catalogue(),
        "instances": instances_visible(request),
        "sets": list(sets_visible(scope=scope)[:50]),
        "saved": SavedSelection.objects.filter(owner=scope.owner).order_by("name"),
        "combinations": COMBINATIONS,
        **extra,
    }
    return render(request, "staffweb/office/selections.html", context, status=status)


@require_GET
@staff_page(Role.DESK)
def selections(request: StaffRequest) -> HttpResponse:
    text = request.GET.get("text", "")
    saved_name = request.GET.get("saved", "")
    if saved_name:
        try:
            text = saved_selection_get(scope=scope_of(request), name=saved_name).rule
        except InvalidInput as error:
            return _page(request, text="", error=error.localized(), status=404)
    return _page(request, text=text, save_as=saved_name)


@require_POST
@staff_page(Role.DESK)
def run(request: StaffRequest) -> HttpResponseBase:
    """Run the rule (as text; the builder keeps the text form up to date) into a new set."""
    scope = scope_of(request)
    today = request.moment.today
    text = request.POST.get("text", "")
    saved_name = request.POST.get("saved", "").strip()
    save_as = request.POST.get("save_as", "").strip()
    instance = request.POST.get("instance", "")
    try:
        saved = saved_selection_get(scope=scope, name=saved_name) if saved_name else None
        if saved is not None:
            text = saved.rule
        rule = rule_from_text(text)
        narrowed = scope.within(Params({"instance": instance}).instances())
        # Saved and run together: a rule is not kept when its run is refused.
        with transaction.atomic():
            if save_as and saved is None:
                saved = selection_save(
                    scope=scope, name=save_as, rule=rule, today=today, now=request.moment.now
                )
            borrower_set = selection_run(
                scope=narrowed, rule=rule, today=today, now=request.moment.now, saved=saved
            )
    except RuleError as error:
        return _page(
            request,
            text=text,
            status=400,
            error=error.localized(),
            pointer=error.pointer(text) if error.position is not None else "",
            position=error.position + 1 if error.position is not None else None,
            instance=instance,
            save_as=save_as,
        )
    except TooBroad as error:
        # The database stopped the run; said in the page's language with what to do.
        message = _("Too broad: make the rule narrower (stopped after %(seconds)s s).") % {
            "seconds": localize(error.seconds)
        }
        return _page(
            request, text=text, status=400, error=message, instance=instance, save_as=save_as
        )
    except LidgeldError as error:
        return _page(
            request,
            text=text,
            status=400,
            error=error.localized(),
            instance=instance,
            save_as=save_as,
        )
    messages.success(request, _made(borrower_set))
    return redirect("staffweb:selections-set", set_id=borrower_set.pk)


@require_GET
@staff_page(Role.DESK)
def set_detail(request: StaffRequest, set_id: int) -> HttpResponse:
    scope = scope_of(request)
    try:
        borrower_set = set_get(scope=scope, set_id=set_id)
    except InvalidInput as error:
        return _page(request, text="", error=error.localized(), status=404)
    preview = set_table(
        scope=scope, borrower_set=borrower_set, fields=DEFAULT_EXPORT_FIELDS, for_export=False
    )
    en = english()
    context = {
        "title": _("Set %(set)s") % {"set": borrower_set.pk},
        "set": borrower_set,
        "from_rule": borrower_set.origin == SetOrigin.SELECTION,
        "builder_link": f"{reverse('staffweb:selections')}?{urlencode({'text': borrower_set.rule})}",
        "columns": [column.label for column in preview.columns],
        "rows": [row.values for row in islice(iter(preview.rows), SET_PREVIEW_ROWS)],
        "preview_rows": SET_PREVIEW_ROWS,
        "export_fields": [
            (key, spec.label_en if en else spec.label_nl, key in DEFAULT_EXPORT_FIELDS)
            for key, spec in EXPORT_FIELDS.items()
        ],
        "formats": FORMATS,
    }
    return render(request, "staffweb/office/set.html", context)


@require_GET
@staff_page(Role.DESK)
def set_export(request: StaffRequest, set_id: int) -> HttpResponseBase:
    """Check the export dialog's choices, then hand over to the audited API download
    (one place streams and audits every export of personal data)."""
    scope = scope_of(request)
    try:
        borrower_set = set_get(scope=scope, set_id=set_id)
        # Ticked boxes arrive one by one; a link may name them as "card,email".
        chosen = [name for value in request.GET.getlist("fields") for name in value.split(",")]
        fields = export_fields(chosen or [""])
        fmt = parse_format(request.GET.get("format") or "csv")
        set_table(scope=scope, borrower_set=borrower_set, fields=fields)  # may it leave? (R11)
    except LidgeldError as error:
        messages.error(request, error.localized())
        return redirect("staffweb:selections-set", set_id=set_id)
    query = {"fields": ",".join(fields), "format": fmt.value}
    if request.GET.get("excel"):
        query["excel"] = "1"
    return redirect(f"{reverse('api:set-export', args=[borrower_set.pk])}?{urlencode(query)}")


@require_POST
@staff_page(Role.DESK)
def sets_combine(request: StaffRequest) -> HttpResponseBase:
    params = Params(request.POST)
    try:
        borrower_set = set_combine(
            scope=scope_of(request),
            left_id=params.required_integer("left"),
            right_id=params.required_integer("right"),
            origin=params.text("operation", default=""),
            today=request.moment.today,
            now=request.moment.now,
        )
    except LidgeldError as error:
        messages.error(request, error.localized())
        return redirect("staffweb:selections")
    messages.success(request, _made(borrower_set))
    return redirect("staffweb:selections-set", set_id=borrower_set.pk)
