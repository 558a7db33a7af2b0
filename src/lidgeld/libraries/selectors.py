"""Reads of libraries: one instance by its code, the instances a list of codes names."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import Instance


def instance_get(code: str) -> Instance:
    instance = Instance.objects.filter(code=code.strip().upper()).first()
    if instance is None:
        known = ", ".join(Instance.objects.values_list("code", flat=True))
        if known:
            raise InvalidInput(
                _("no instance '%(code)s' (known: %(known)s)"),
                code="instance_unknown",
                params={"code": code, "known": known},
            )
        raise InvalidInput(
            _("no instance '%(code)s' (known: none yet; add one with lidgeld instance add)"),
            code="instance_unknown",
            params={"code": code},
        )
    return instance


def instance_ids_from_codes(text: str | None) -> list[int] | None:
    """``GENT,LEUVEN`` → their ids; None (no filter) when not given."""
    if not text:
        return None
    codes = [code.strip().upper() for code in text.split(",") if code.strip()]
    found = dict(Instance.objects.filter(code__in=codes).values_list("code", "id"))
    missing = [code for code in codes if code not in found]
    if missing:
        raise InvalidInput(
            _("there is no library with code %(codes)s"),
            code="library_unknown",
            params={"codes": ", ".join(missing)},
        )
    return [found[code] for code in codes]
