"""Notice texts (coordinator and up): a library's own text per kind and language, dated
closure overrides, which kinds go out, and a live preview for a chosen borrower.
Only one's own libraries' texts are offered and reached (the manage scope, R11)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lidgeld.borrowers.models import Borrower
from lidgeld.errors import InvalidInput, LidgeldError
from lidgeld.libraries.models import Instance
from lidgeld.notices.defaults import DEFAULTS
from lidgeld.notices.models import NoticeTemplate
from lidgeld.notices.rendering import FILTERS, PLACEHOLDERS
from lidgeld.notices.selectors import notice_draft_preview
from lidgeld.notices.services import (
    KIND_SWITCHES,
    LANGUAGES,
    SHARED_SWITCHES,
    check_kind,
    check_language,
    kind_switch,
    notice_kinds_set,
    notice_override_delete,
    notice_template_save,
)
from lidgeld.staff.models import Role
from lidgeld.staffweb.access import StaffRequest, staff_page
from lidgeld.staffweb.forms import NoticeTemplateForm, PreviewForm
from lidgeld.staffweb.views.office_common import (
    KIND_LABELS,
    LANGUAGE_LABELS,
    actor_of,
    instance_chosen,
    instance_managed,
    instances_managed,
    manage_scope_of,
    scope_of,
)


def _index_url(instance: Instance) -> str:
    return f"{reverse('staffweb:templates')}?{urlencode({'instance': instance.code})}"


def _kind_or_404(kind: str) -> str:
    try:
        return check_kind(kind)
    except InvalidInput:
        raise Http404("no such notice kind") from None


def _language_or_404(language: str) -> str:
    try:
        return check_language(language)
    except InvalidInput:
        raise Http404("no such language") from None


def _override_or_404(request: StaffRequest, pk: int) -> NoticeTemplate:
    template = get_object_or_404(
        NoticeTemplate.objects.select_related("instance"), pk=pk, valid_from__isnull=False
    )
    if not manage_scope_of(request).allows(template.instance_id):
        raise Http404("no such override")
    return template


@require_http_methods(["GET"])
@staff_page(Role.COORDINATOR)
def templates(request: StaffRequest) -> HttpResponse:
    instance = instance_chosen(request)
    context: dict[str, Any] = {
        "title": _("Notice texts"),
        "instances": instances_managed(request),
        "instance": instance,
    }
    if instance is not None:
        own = list(NoticeTemplate.objects.filter(instance=instance).order_by("kind", "language"))
        standing = {(t.kind, t.language): t for t in own if t.valid_from is None}
        context["kinds"] = [
            {
                "code": kind,
                "full": f"C{kind}",
                "label": label,
                "on": getattr(instance, kind_switch(kind)),
                # a kind that goes out with another's switch has no checkbox of its own
                "switched_with": f"C{SHARED_SWITCHES[kind]}" if kind in SHARED_SWITCHES else "",
                "texts": [
                    {
                        "language": language,
                        "language_label": LANGUAGE_LABELS[language],
                        "own": standing.get((kind, language)),
                        "subject": (
                            standing.get((kind, language)) or DEFAULTS[kind][language]
                        ).subject,
                    }
                    for language in LANGUAGES
                ],
            }
            for kind, label in KIND_LABELS.items()
        ]
        context["overrides"] = [t for t in own if t.valid_from is not None]
    return render(request, "staffweb/office/templates.html", context)


@require_POST
@staff_page(Role.COORDINATOR)
def kinds_save(request: StaffRequest, code: str) -> HttpResponseBase:
    instance = instance_managed(request, code)
    wanted = {kind: request.POST.get(f"kind-{kind}") == "on" for kind in KIND_SWITCHES}
    changes = {
        kind: on for kind, on in wanted.items() if getattr(instance, KIND_SWITCHES[kind]) != on
    }
    if changes:
        notice_kinds_set(
            instance=instance,
            enabled=changes,
            within=manage_scope_of(request),
            today=request.moment.today,
            now=request.moment.now,
            actor=actor_of(request),
        )
        messages.success(request, _("Saved which notices go out."))
    else:
        messages.info(request, _("Nothing changed."))
    return redirect(_index_url(instance))


@require_http_methods(["GET", "POST"])
@staff_page(Role.COORDINATOR)
def template_edit(request: StaffRequest, code: str, kind: str, language: str) -> HttpResponse:
    """The standing text of a kind and language, or (``?override=new``) a new closure
    override that starts from it."""
    instance = instance_managed(request, code)
    kind, language = _kind_or_404(kind), _language_or_404(language)
    new_override = (request.POST if request.method == "POST" else request.GET).get(
        "override"
    ) == "new"
    standing = NoticeTemplate.objects.filter(
        instance=instance, kind=kind, language=language, valid_from__isnull=True
    ).first()
    return _edit(
        request,
        instance=instance,
        kind=kind,
        language=language,
        override=None,
        new_override=new_override,
        source=standing or DEFAULTS[kind][language],
        is_default=standing is None,
    )


@require_http_methods(["GET", "POST"])
@staff_page(Role.COORDINATOR)
def override_edit(request: StaffRequest, pk: int) -> HttpResponse:
    override = _override_or_404(request, pk)
    return _edit(
        request,
        instance=override.instance,
        kind=override.kind,
        language=override.language,
        override=override,
        new_override=False,
        source=override,
        is_default=False,
    )


def _edit(
    request: StaffRequest,
    *,
    instance: Instance,
    kind: str,
    language: str,
    override: NoticeTemplate | None,
    new_override: bool,
    source: Any,
    is_default: bool,
) -> HttpResponse:
    error = ""
    if request.method == "POST":
        form = NoticeTemplateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if override is not None:
                window = (override.valid_from, override.valid_until)
            elif new_override:
                window = (data["valid_from"], data["valid_until"])
            else:
                window = (None, None)
            try:
                if new_override and None in window:
                    raise InvalidInput(_("Give the first and the last day of the closure."))
                notice_template_save(
                    instance=instance,
                    kind=kind,
                    language=language,
                    subject=data["subject"],
                    body_text=data["body_text"],
                    body_html=data["body_html"],
                    valid_from=window[0],
                    valid_until=window[1],
                    within=manage_scope_of(request),
                    today=request.moment.today,
                    now=request.moment.now,
                    actor=actor_of(request),
                )
            except LidgeldError as problem:
                error = problem.localized()
            else:
                messages.success(request, _("The text is saved."))
                return redirect(_index_url(instance))
    else:
        form = NoticeTemplateForm(initial=NoticeTemplateForm.initial_from(source, override))
    values = form.data if form.is_bound else form.initial
    on = (override.valid_from if override else None) or request.moment.today
    context = {
        "title": _("Notice text"),
        "form": form,
        "error": error,
        "instance": instance,
        "kind": kind,
        "full_kind": f"C{kind}",
        "kind_label": KIND_LABELS[kind],
        "language": language,
        "language_label": LANGUAGE_LABELS[language],
        "override": override,
        "new_override": new_override,
        "is_default": is_default,
        "placeholders": PLACEHOLDERS,
        "filters": FILTERS,
        "preview_on": on,
        **_preview(
            request,
            instance=instance,
            language=language,
            subject=str(values.get("subject", "")),
            body_text=str(values.get("body_text", "")),
            body_html=str(values.get("body_html", "") or ""),
            card="",
            on=on,
        ),
    }
    return render(
        request, "staffweb/office/template_edit.html", context, status=400 if error else 200
    )


@require_POST
@staff_page(Role.COORDINATOR)
def override_delete(request: StaffRequest, pk: int) -> HttpResponseBase:
    override = _override_or_404(request, pk)
    instance = override.instance
    try:
        notice_override_delete(
            template=override,
            within=manage_scope_of(request),
            today=request.moment.today,
            now=request.moment.now,
            actor=actor_of(request),
        )
    except LidgeldError as error:
        messages.error(request, error.localized())
    else:
        messages.success(request, _("The closure text is deleted."))
    return redirect(_index_url(instance))


@require_POST
@staff_page(Role.COORDINATOR)
def preview(request: StaffRequest, code: str, language: str) -> HttpResponse:
    """The live preview: the text as typed so far, rendered for the chosen borrower."""
    instance = instance_managed(request, code)
    language = _language_or_404(language)
    form = PreviewForm(request.POST)
    form.is_valid()  # every field is optional; a date that is not one counts as empty
    data = form.cleaned_data
    context = _preview(
        request,
        instance=instance,
        language=language,
        subject=data.get("subject") or "",
        body_text=data.get("body_text") or "",
        body_html=data.get("body_html") or "",
        card=data.get("card") or "",
        on=data.get("on") or data.get("valid_from") or request.moment.today,
    )
    return render(request, "staffweb/office/_preview.html", context)


def _preview(
    request: StaffRequest,
    *,
    instance: Instance,
    language: str,
    subject: str,
    body_text: str,
    body_html: str,
    card: str,
    on: date,
) -> dict[str, Any]:
    borrowers = scope_of(request).limit(
        Borrower.objects.select_related("home_instance"), "home_instance_id"
    )
    if card.strip():
        borrower = borrowers.filter(card_number=card.strip()).first()
        missing = _("No borrower of your libraries has card number %(card)s.") % {
            "card": card.strip()
        }
    else:
        borrower = borrowers.filter(home_instance=instance).order_by("pk").first()
        missing = _("This library has no borrowers yet: give a card number to preview.")
    if borrower is None:
        return {"preview_missing": missing, "preview_on": on}
    draft = notice_draft_preview(
        instance=instance,
        borrower=borrower,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        on=on,
    )
    return {
        "preview_borrower": borrower,
        "preview_problems": [problem.localized() for problem in draft.problems],
        "preview": draft.rendered,
        "preview_on": on,
    }
