"""Membership types of a library (administrator): their age limits and the type that
follows past the maximum age (R12). Each change goes through the type's service,
audited; only one's own libraries' types are offered and reached (the manage scope,
R11): another library's type is 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lidgeld.errors import LidgeldError
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import MembershipType
from lidgeld.memberships.selectors import types_of
from lidgeld.memberships.services import membership_type_limits_set
from lidgeld.staff.models import Role
from lidgeld.staffweb.access import StaffRequest, staff_page
from lidgeld.staffweb.forms import TypeLimitsForm
from lidgeld.staffweb.views.office_common import (
    actor_of,
    instance_chosen,
    instances_managed,
    manage_scope_of,
)


def _url(instance: Instance) -> str:
    return f"{reverse('staffweb:settings-types')}?{urlencode({'instance': instance.code})}"


def _form(membership_type: MembershipType, types: list[MembershipType], data: Any = None) -> Any:
    others = [(t.pk, t.name) for t in types if t.pk != membership_type.pk]
    initial = {
        "min_age": membership_type.min_age,
        "max_age": membership_type.max_age,
        "next_type": membership_type.next_type_id,
    }
    return TypeLimitsForm(
        data, initial=initial, choices=others, prefix=f"type-{membership_type.pk}"
    )


def _page(
    request: StaffRequest,
    instance: Instance | None,
    *,
    failed: MembershipType | None = None,
    failed_form: Any = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    types = list(types_of(instance.pk)) if instance else []
    rows = [
        (t, failed_form if failed is not None and t.pk == failed.pk else _form(t, types))
        for t in types
    ]
    context = {
        "title": _("Membership types"),
        "tab": "types",
        "instances": instances_managed(request),
        "instance": instance,
        "rows": rows,
        "failed": failed.pk if failed is not None else None,
        "error": error,
    }
    return render(request, "staffweb/office/types.html", context, status=status)


@require_GET
@staff_page(Role.ADMINISTRATOR)
def types(request: StaffRequest) -> HttpResponse:
    return _page(request, instance_chosen(request))


@require_POST
@staff_page(Role.ADMINISTRATOR)
def type_limits(request: StaffRequest, pk: int) -> HttpResponseBase:
    membership_type = get_object_or_404(
        MembershipType.objects.select_related("instance", "next_type"), pk=pk
    )
    if not manage_scope_of(request).allows(membership_type.instance_id):
        raise Http404("no such membership type")
    instance = membership_type.instance
    siblings = list(types_of(instance.pk))
    form = _form(membership_type, siblings, request.POST)
    if not form.is_valid():
        return _page(
            request, instance, failed=membership_type, failed_form=form,
            error=_("Some values need fixing; see below."), status=400,
        )  # fmt: skip
    chosen = form.cleaned_data["next_type"]
    try:
        membership_type_limits_set(
            membership_type=membership_type,
            min_age=form.cleaned_data["min_age"],
            max_age=form.cleaned_data["max_age"],
            next_type=next((t for t in siblings if t.pk == chosen), None),
            today=request.moment.today,
            now=request.moment.now,
            actor=actor_of(request),
        )
    except LidgeldError as error:
        return _page(
            request, instance, failed=membership_type, failed_form=form,
            error=error.localized(), status=400,
        )  # fmt: skip
    messages.success(
        request, _("The age limits of %(type)s are saved.") % {"type": membership_type.name}
    )
    return redirect(_url(instance))
