"""Request-wide rules: the staff pages' language, and no text no database stores.

The staff pages speak Dutch unless the staff member chose English.

Django's ``LocaleMiddleware`` follows the language cookie and, without one, the
browser's ``Accept-Language``. For the staff pages the browser's wish does not count:
a library's staff work in Dutch, whatever language the desk computer was installed
in. Only a choice made with the pages' own language switch (Django's ``set_language``,
which sets the language cookie) changes it, and only to a language the staff pages
offer. The portal (Mijn Bibliotheek) keeps its own rule: the borrower's language.

``StaffLanguageMiddleware`` is placed right after ``LocaleMiddleware``, which has
already activated a language that this middleware may replace; ``LocaleMiddleware`` then names the language that was
used in the answer's ``Content-Language``."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseBase, JsonResponse
from django.utils import translation
from django.utils.html import format_html

from lidgeld.text_input import unstorable

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


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _unstorable_field(request: HttpRequest) -> str | None:
    """The name of the first query or form field holding text no database stores
    ("" for the address itself), or None when all of it can be stored."""
    if unstorable(request.path_info):
        return ""
    fields = list(request.GET.lists())
    if request.method == "POST" and request.content_type in FORM_TYPES:
        fields += request.POST.lists()
    for name, values in fields:
        if unstorable(name) or any(unstorable(value) for value in values):
            return name.replace("\x00", "")
    return None


def _refusal(request: HttpRequest, field: str) -> HttpResponseBase:
    api = request.path_info.startswith("/api/")
    if api:
        language = "en"  # the API speaks English
    elif request.path_info.startswith(STAFF_PREFIX):
        language = staff_language_chosen(request) or STAFF_DEFAULT
    else:
        language = translation.get_language_from_request(request)
    with translation.override(language):
        if field:
            message = translation.gettext(
                "The field “%(field)s” contains a character that cannot be stored (such as "
                "a NUL, %%00). Remove it and try again."
            ) % {"field": field}
        else:
            message = translation.gettext(
                "The address contains a character that cannot be stored (such as a NUL, %00). "
                "Remove it and try again."
            )
        if api:
            return JsonResponse(
                {"error": message, "code": "unstorable_text", "field": field}, status=400
            )
        title = translation.gettext("This request cannot be handled")
        page = format_html(
            '<!DOCTYPE html>\n<html lang="{}">\n<head><meta charset="utf-8"><title>{}</title>'
            "</head>\n<body>\n<h1>{}</h1>\n<p>{}</p>\n</body>\n</html>\n",
            translation.get_language(),
            title,
            title,
            message,
        )
    return HttpResponseBadRequest(page)


class StorableInputMiddleware:
    """No NUL character (nor other text no database stores) reaches a view.

    A query string, form field or address holding one is refused with a 400 that names
    the field, in the language of the pages (Dutch on staff pages, the browser's on the
    portal, English for the API), whatever the database: PostgreSQL would fail with an
    error, SQLite would store it. Django already turns bytes that are not UTF-8 into
    U+FFFD, so a NUL is what gets this far. A cookie holding one is dropped instead,
    as a browser's garbage the visitor did not type: without it they have no session.

    Placed before ``SessionMiddleware``, which looks the session cookie up in the
    database; it works out the language itself, as the locale middleware has not run."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        cookies = request.COOKIES
        for name in [n for n, value in cookies.items() if unstorable(n) or unstorable(value)]:
            del cookies[name]
        field = _unstorable_field(request)
        if field is not None:
            return _refusal(request, field)
        return self.get_response(request)
