"""R8's report on notices: Berichten › Overzichten › Overzicht berichten."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from lidgeld.errors import InvalidInput
from lidgeld.exports.table import Column, ColumnType, Row, RowKind, Table
from lidgeld.notices.models import (
    KIND_NAMES,
    TYPE_CONTRIBUTION,
    Channel,
    Message,
    MessageStatus,
)
from lidgeld.reports.common import (
    CHUNK,
    full_name,
    in_language,
    instances_line,
    label_of,
    labels_now,
    period_line,
)
from lidgeld.scope import Scope

MESSAGE_TYPES = {TYPE_CONTRIBUTION: pgettext_lazy("message type", "Contribution")}

_CHANNELS = dict(Channel.choices)
_STATUSES = dict(MessageStatus.choices)


def _message_type_and_kind(
    message_type: str | None, kind: str | None
) -> tuple[str | None, str | None]:
    """Staff know a kind by its code with the type in front ("CAE"); the database keeps
    the two apart. Both spellings are accepted, and a type the code contradicts is not."""
    wanted_type = message_type.strip().upper() if message_type else None
    if wanted_type is not None and wanted_type not in MESSAGE_TYPES:
        known = ", ".join(f"{code} ({name.lower()})" for code, name in MESSAGE_TYPES.items())
        raise InvalidInput(
            gettext_lazy("message type '%(type)s' is unknown; choose %(known)s"),
            code="message_type_unknown",
            params={"type": message_type, "known": known},
        )
    if not kind or not kind.strip():
        return wanted_type, None
    code = kind.strip().upper()
    if code in KIND_NAMES:
        return wanted_type, code
    if code[:1] in MESSAGE_TYPES and code[1:] in KIND_NAMES:
        if wanted_type is not None and wanted_type != code[:1]:
            raise InvalidInput(
                gettext_lazy(
                    "message kind '%(kind)s' is of type %(type)s, not %(wanted)s; "
                    "leave out the type or write the kind as %(short)s"
                ),
                code="message_kind_other_type",
                params={"kind": kind, "type": code[:1], "wanted": wanted_type, "short": code[1:]},
            )
        return code[:1], code[1:]
    known = ", ".join(f"{TYPE_CONTRIBUTION}{code} ({name})" for code, name in KIND_NAMES.items())
    raise InvalidInput(
        gettext_lazy("message kind '%(kind)s' is unknown; choose one of %(known)s"),
        code="message_kind_unknown",
        params={"kind": kind, "known": known},
    )


def message_overview(
    *,
    scope: Scope,
    instance_ids: list[int] | None,
    message_type: str | None = TYPE_CONTRIBUTION,
    kind: str | None = None,
    date_from: date,
    date_to: date,
    detail: bool = True,
    for_export: bool = True,
) -> Table:
    """Berichten › Overzichten › Overzicht berichten: which notices went out, to whom, how."""
    if date_from > date_to:
        raise InvalidInput(
            gettext_lazy(
                "the period starts after it ends: %(start)s is after %(end)s; give the earliest day first"
            ),
            code="period_reversed",
            params={"start": date_from, "end": date_to},
        )
    message_type, kind = _message_type_and_kind(message_type, kind)
    ids = scope.narrow(instance_ids)
    messages = Message.objects.filter(date__range=(date_from, date_to))
    if ids is not None:
        messages = messages.filter(instance_id__in=sorted(ids))
    if message_type is not None:
        messages = messages.filter(type=message_type)
    if kind is not None:
        messages = messages.filter(kind=kind)

    filters = [
        instances_line(ids),
        _("Message type: %(type)s")
        % {
            "type": f"{message_type} – {MESSAGE_TYPES[message_type]}"
            if message_type
            else _("all types")
        },
        _("Message kind: %(kind)s")
        % {"kind": f"{message_type or ''}{kind} – {KIND_NAMES[kind]}" if kind else _("all kinds")},
        _("Period: %(period)s") % {"period": period_line(date_from, date_to)},
        _("Kind of overview: %(kind)s") % {"kind": _("detail") if detail else _("summary")},
    ]
    if detail:
        if for_export:
            scope.require_export(messages, "borrower__home_instance")
        return Table(
            title=_("Notice overview"),
            columns=[
                Column("date", _("Date"), ColumnType.DATE),
                Column("instance", _("Instance")),
                Column("kind", _("Message kind")),
                Column("channel", _("Channel")),
                Column("status", _("Status")),
                Column("name", _("Name")),
                Column("card", _("Borrower card")),
                Column("email", _("E-mail address"), width=32),
            ],
            rows=in_language(_message_rows(messages)),
            filters=filters,
        )
    return Table(
        title=_("Notice overview"),
        columns=[
            Column("date", _("Date"), ColumnType.DATE),
            Column("kind", _("Message kind")),
            Column("channel", _("Channel")),
            Column("status", _("Status")),
            Column("count", _("Number"), ColumnType.INTEGER),
        ],
        rows=in_language(_message_summary_rows(messages)),
        filters=filters,
    )


def _message_rows(messages: QuerySet[Message]) -> Iterator[Row]:
    rows = messages.order_by(
        "date",
        "instance__code",
        "borrower__last_name",
        "borrower__first_name",
        "borrower__card_number",
        "id",
    ).values_list(
        "date",
        "instance__code",
        "type",
        "kind",
        "channel",
        "status",
        "borrower__first_name",
        "borrower__last_name",
        "borrower__card_number",
        "to_address",
        "borrower__email",
    )
    channels, statuses = labels_now(_CHANNELS), labels_now(_STATUSES)
    for day, instance, type_, kind, channel, status, first, last, card, to, email in rows.iterator(
        chunk_size=CHUNK
    ):
        yield Row(
            [
                day,
                instance,
                f"{type_}{kind}",
                label_of(channels, channel),
                label_of(statuses, status),
                full_name(first, last),
                card,
                to or email,
            ]
        )


def _message_summary_rows(messages: QuerySet[Message]) -> Iterator[Row]:
    groups = (
        messages.order_by()
        .values_list("date", "type", "kind", "channel", "status")
        .annotate(count=Count("id"))
        .order_by("date", "type", "kind", "channel", "status")
    )
    total = 0
    channels, statuses = labels_now(_CHANNELS), labels_now(_STATUSES)
    for day, type_, kind, channel, status, count in groups.iterator(chunk_size=CHUNK):
        total += count
        yield Row(
            [
                day,
                f"{type_}{kind}",
                label_of(channels, channel),
                label_of(statuses, status),
                count,
            ]
        )
    yield Row([None, _("Total"), None, None, total], RowKind.TOTAL)
