"""The staff pages speak Dutch unless the staff member chose English.

Django's ``LocaleMiddleware`` follows the language cookie and, without one, the
browser's ``Accept-Language``. For the staff pages the browser's wish does not count:
a library's staff work in Dutch, whatever language the desk computer was installed
in. Only a choice made with the pages' own language switch (Django's ``set_language``,
which sets the language cookie) changes it, and only to a language the staff pages
offer. The portal (Mijn Bibliotheek) keeps its own rule: the borrower's language.

Placed right after ``LocaleMiddleware``, which has already activated a language that
this middleware may replace; ``LocaleMiddleware`` then names the language that was
used in the answer's ``Content-Language``."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation

STAFF_PREFIX = "/staff/"
STAFF_DEFAULT = "nl"
STAFF_LANGUAGES = frozenset({"nl", "en"})


def staff_language_chosen(request: HttpRequest) -> str | None:
    """The language chosen with the switch, if the staff pages speak it."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    try:
        language = translation.get_supported_language_variant(cookie)
    except LookupError:
        return None
    return language if language.split("-")[0] in STAFF_LANGUAGES else None


class StaffLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(STAFF_PREFIX):
            language = staff_language_chosen(request) or STAFF_DEFAULT
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
