"""JSON endpoints for selections and sets, and the downloads of reports and sets.

Every endpoint acts for the logged-in staff member: what they may see is their
scope (their libraries and those libraries' cooperation groups)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from lidgeld.api.downloads import table_download
from lidgeld.clock import clock
from lidgeld.domain.actors import staff_actor
from lidgeld.domain.moment import Moment
from lidgeld.errors import InvalidInput, LidgeldError, Refused
from lidgeld.exports.table import Table
from lidgeld.reports.services import report_export_audit
from lidgeld.scope import Scope
from lidgeld.selections.fields import RuleError
from lidgeld.selections.rule_json import to_json
from lidgeld.selections.rule_text import to_text
from lidgeld.selections.selectors import (
    export_fields,
    saved_selection_get,
    set_get,
    set_table,
    sets_visible,
)
from lidgeld.selections.services import rule_from_json, rule_from_text, set_export_audit
from lidgeld.selections.services import selection_run as run_selection
from lidgeld.selections.services import set_combine as combine_sets
from lidgeld.staff.selectors import scope_for_user
from lidgeld.text_input import unstorable
from lidgeld.web.params import Params, report_from_params

View = Callable[..., HttpResponseBase]


def _error(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _described(error: LidgeldError) -> dict[str, Any]:
    """What a program needs besides the English sentence: the code, the values in the
    sentence, and the sentence in the request's language (Accept-Language, else Dutch)."""
    return {"code": error.code, "params": error.api_params(), "localized": error.localized()}


def staff_endpoint(view: Callable[..., HttpResponseBase]) -> View:
    """Logged-in staff only; user mistakes become 400/403 answers with the sentence."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user: Any = request.user
        if not user.is_authenticated:
            return _error("log in first", 401)
        if not user.is_superuser and not hasattr(user, "staff_account"):
            return _error("this login is not a staff account", 403)
        try:
            scope = scope_for_user(user=user)
            return view(
                request, scope, clock.moment(staff_actor(user.get_username())), *args, **kwargs
            )
        except RuleError as error:
            return _error(
                error.message, 400, position=error.position, path=error.path, **_described(error)
            )
        except Refused as error:
            return _error(error.message, 403, **_described(error))
        except LidgeldError as error:
            return _error(error.message, 400, **_described(error))

    return wrapper


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        # Decimal, not float: 1e400 stays what was written instead of becoming inf.
        data = json.loads(request.body or b"{}", parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(_("the request body is not JSON"), code="not_json") from None
    except RecursionError:
        raise InvalidInput(
            _("the request body is nested too deeply to read"), code="too_deep"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput(
            _('send a JSON object, e.g. {"text": "B.kind = CAE"}'), code="not_an_object"
        )
    _refuse_unstorable(data)
    return data


def _refuse_unstorable(data: Any) -> None:
    """Every key and string of the body can be stored: PostgreSQL fails on a JSON
    "\\u0000" (SQLite would store it) and no database takes a lone "\\ud800". Walked
    with a stack, not recursion, whatever the depth."""
    pending: list[tuple[str, Any]] = [("$", data)]
    while pending:
        path, value = pending.pop()
        problem: str | None = None
        if isinstance(value, str):
            problem = unstorable(value)
        elif isinstance(value, dict):
            bad_key = next((key for key in value if unstorable(key)), None)
            if bad_key is not None:
                problem, path = unstorable(bad_key), f"a key of {path}"
            else:
                pending.extend((f"{path}.{key}", item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        if problem is not None:
            raise InvalidInput(
                f"{path} contains {problem}, which cannot be stored; remove it",
                code="unstorable_text",
            )


def _rule_of(data: dict[str, Any]) -> Any:
    if "rule" in data:
        return rule_from_json(data["rule"])
    text = data.get("text")
    if not isinstance(text, str):
        raise InvalidInput(
            _('send the rule as "rule" (JSON form) or "text" (text form)'), code="rule_missing"
        )
    return rule_from_text(text)


@require_POST
@staff_endpoint
def rule_check(request: HttpRequest, scope: Scope, moment: Moment) -> HttpResponseBase:
    """Both forms of one rule: the builder shows the text form beside its rows."""
    rule = _rule_of(_body(request))
    return JsonResponse({"text": to_text(rule), "rule": to_json(rule)})


@require_POST
@staff_endpoint
def selection_run(request: HttpRequest, scope: Scope, moment: Moment) -> HttpResponseBase:
    data = _body(request)
    saved = saved_selection_get(scope=scope, name=str(data["saved"])) if "saved" in data else None
    scope = scope.within(Params({"instance": data.get("instance")}).instances())
    rule = _rule_of({"text": saved.rule} if saved else data)
    borrower_set = run_selection(
        scope=scope, rule=rule, today=moment.today, now=moment.now, saved=saved
    )
    return JsonResponse(_set_json(borrower_set), status=201)


def _set_json(borrower_set: Any) -> dict[str, Any]:
    return {
        "set": borrower_set.pk,
        "size": borrower_set.size,
        "origin": borrower_set.origin,
        "rule": borrower_set.rule,
        "owner": borrower_set.owner,
        "created_at": borrower_set.created_at.isoformat(timespec="seconds"),
        "expires_on": borrower_set.expires_on.isoformat(),
    }


@require_GET
@staff_endpoint
def set_list(request: HttpRequest, scope: Scope, moment: Moment) -> HttpResponseBase:
    return JsonResponse({"sets": [_set_json(item) for item in sets_visible(scope=scope)[:200]]})


@require_POST
@staff_endpoint
def set_combine(request: HttpRequest, scope: Scope, moment: Moment) -> HttpResponseBase:
    data = _body(request)
    params = Params({key: str(value) for key, value in data.items()})
    borrower_set = combine_sets(
        scope=scope,
        left_id=params.required_integer("left"),
        right_id=params.required_integer("right"),
        origin=params.text("operation", default=""),
        today=moment.today,
        now=moment.now,
    )
    return JsonResponse(_set_json(borrower_set), status=201)


@require_GET
@staff_endpoint
def set_export(request: HttpRequest, scope: Scope, moment: Moment, set_id: int) -> HttpResponseBase:
    params = Params(request.GET)
    fmt = params.export_format()
    borrower_set = set_get(scope=scope, set_id=set_id)
    fields = export_fields(
        params.text("fields", default="card,first_name,last_name,email").split(",")
    )
    table = set_table(scope=scope, borrower_set=borrower_set, fields=fields)

    def audit(rows: int, complete: bool) -> None:
        set_export_audit(
            scope=scope,
            borrower_set=borrower_set,
            fields=fields,
            fmt=fmt,
            rows=rows,
            today=moment.today,
            now=moment.now,
            complete=complete,
        )

    return table_download(
        table,
        fmt=fmt,
        filename=f"set-{borrower_set.pk}",
        excel_csv=params.flag("excel"),
        today=moment.today,
        audit=audit,
    )


@require_GET
@staff_endpoint
def report_download(
    request: HttpRequest, scope: Scope, moment: Moment, name: str
) -> HttpResponseBase:
    params = Params(request.GET)
    table, filters = report_from_params(name, params, scope=scope, today=moment.today)
    fmt = params.export_format(allow_json=True)
    if fmt is None:
        return _page_json(table, limit=params.integer("limit") or 500)

    def audit(rows: int, complete: bool) -> None:
        report_export_audit(
            scope=scope,
            report=name,
            fmt=fmt,
            rows=rows,
            filters=filters,
            today=moment.today,
            now=moment.now,
            complete=complete,
        )

    return table_download(
        table,
        fmt=fmt,
        filename=f"{name}-{moment.today.isoformat()}",
        excel_csv=params.flag("excel"),
        today=moment.today,
        audit=audit,
    )


def _page_json(table: Table, *, limit: int) -> JsonResponse:
    """The first rows for a page; a page that needs everything offers the download."""
    rows: list[list[Any]] = []
    truncated = False
    for row in table.rows:
        if len(rows) == limit:
            truncated = True
            break
        rows.append([_plain(value) for value in row.values] + [row.kind.value])
    return JsonResponse(
        {
            "title": table.title,
            "filters": list(table.filters),
            "columns": [
                {"key": column.key, "label": column.label, "type": column.type.value}
                for column in table.columns
            ],
            "rows": rows,
            "truncated": truncated,
        }
    )


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    return str(value)
