"""What the back-office pages share: the libraries a person may manage, and errors
shown in the page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lidgeld.libraries.models import Instance
from lidgeld.notices.models import (
    KIND_END_OF_CONTRIBUTION,
    KIND_REMINDER,
    KIND_RENEWAL,
    KIND_UNPAID,
)
from lidgeld.staff.scope import Scope
from lidgeld.staffweb.views.desk_common import LANGUAGE_NAMES

# The notice kinds by the code staff know (type C in front), with what each means.
KIND_LABELS = {
    KIND_END_OF_CONTRIBUTION: _("end of contribution"),
    KIND_REMINDER: _("contribution reminder"),
    KIND_UNPAID: _("contribution unpaid"),
    KIND_RENEWAL: _("renewal confirmation"),
}
LANGUAGE_LABELS = LANGUAGE_NAMES


def english() -> bool:
    return (get_language() or "nl").startswith("en")


def scope_of(request: HttpRequest) -> Scope:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    return scope


def instances_visible(request: HttpRequest) -> QuerySet[Instance]:
    """The libraries whose settings, texts and kiosks this person may see."""
    return scope_of(request).limit(Instance.objects.order_by("code"), "id")


def instance_visible(request: HttpRequest, code: str) -> Instance:
    """The library with this code if it is within the person's scope; otherwise 404, the
    same answer as for a code that does not exist."""
    instance = instances_visible(request).filter(code=code.strip().upper()).first()
    if instance is None:
        raise Http404("no such library")
    return instance


def instance_chosen(request: HttpRequest) -> Instance | None:
    """The library named by ``?instance=``, else the first of the person's own ones."""
    code = request.GET.get("instance", "").strip()
    if code:
        return instance_visible(request, code)
    account: Any = getattr(request.user, "staff_account", None)
    own = account.instances.order_by("code").first() if account is not None else None
    return own or instances_visible(request).first()


def actor_of(request: HttpRequest) -> str:
    return str(request.user.get_username())
