"""``lidgeld select`` / ``set`` / ``selection``: selections (R9), sets and their export."""

from __future__ import annotations

import argparse
from typing import Any

from lidgeld.cli.base import add_json, emit
from lidgeld.cli.scope_args import add_scope_args, scope_from_args
from lidgeld.cli.setup_cmds import cli_moment
from lidgeld.libraries.selectors import instance_ids_from_codes

RULE_HELP = (
    "a rule such as 'B.date = 2026-04-01 AND B.kind = CAE'; field groups A (lener), "
    "B (berichten), C (contributies), D (abonnementen), E (reserveringen); "
    "'lidgeld selection fields' lists the fields"
)


def register(commands: Any) -> None:
    select = commands.add_parser(
        "select",
        help="run a selection: the borrowers a rule finds become a temporary set",
        description=(
            "Conditions on the same field group joined by AND hold for the same record: "
            "'B.date = 2026-04-01 AND B.kind = CAE' is one message that is a CAE of that day."
        ),
    )
    source = select.add_mutually_exclusive_group(required=True)
    source.add_argument("rule", nargs="?", metavar="RULE", help=RULE_HELP)
    source.add_argument("--saved", metavar="NAME", help="run one of your saved selections")
    select.add_argument(
        "--instance",
        metavar="CODE[,CODE]",
        help="only borrowers (and their records) of these libraries",
    )
    add_scope_args(select)
    add_json(select)
    select.set_defaults(handler=cmd_select)

    sets = commands.add_parser("set", help="temporary sets: list, combine, export, purge")
    set_commands = sets.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = set_commands.add_parser("list", help="your sets, newest first")
    add_scope_args(listing)
    add_json(listing)
    listing.set_defaults(handler=cmd_set_list)

    combine = set_commands.add_parser("combine", help="a new set from two sets")
    combine.add_argument("operation", choices=["union", "intersection", "difference"])
    combine.add_argument("left", type=int, metavar="SET")
    combine.add_argument("right", type=int, metavar="SET")
    add_scope_args(combine)
    add_json(combine)
    combine.set_defaults(handler=cmd_set_combine)

    export = set_commands.add_parser(
        "export", help="write a set's borrowers with chosen fields (audited)"
    )
    export.add_argument("set_id", type=int, metavar="SET")
    export.add_argument(
        "--fields",
        default="card,first_name,last_name,email",
        help="comma-separated; 'lidgeld selection fields' lists them (default: %(default)s)",
    )
    export.add_argument("--format", default="csv", help="csv, xlsx or pdf (default: csv)")
    export.add_argument(
        "--excel", action="store_true", help="CSV for Belgian Excel: ';', decimal comma, BOM"
    )
    export.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="'-' for stdout (csv)"
    )
    add_scope_args(export)
    add_json(export)
    export.set_defaults(handler=cmd_set_export)

    purge = set_commands.add_parser("purge", help="delete sets whose time is up")
    add_json(purge)
    purge.set_defaults(handler=cmd_set_purge)

    selection = commands.add_parser("selection", help="saved selections and the field list")
    selection_commands = selection.add_subparsers(dest="action", metavar="ACTION", required=True)
    save = selection_commands.add_parser("save", help="keep a rule under a name")
    save.add_argument("name", metavar="NAME")
    save.add_argument("rule", metavar="RULE", help=RULE_HELP)
    add_scope_args(save)
    add_json(save)
    save.set_defaults(handler=cmd_selection_save)
    saved_list = selection_commands.add_parser("list", help="your saved selections")
    add_scope_args(saved_list)
    add_json(saved_list)
    saved_list.set_defaults(handler=cmd_selection_list)
    fields = selection_commands.add_parser("fields", help="the field groups, fields and operators")
    add_json(fields)
    fields.set_defaults(handler=cmd_selection_fields)


def _rule(text: str) -> Any:
    from lidgeld.errors import InvalidInput
    from lidgeld.selections.fields import RuleError
    from lidgeld.selections.services import rule_from_text

    try:
        return rule_from_text(text)
    except RuleError as error:
        pointer = error.pointer(text) if error.position is not None else text
        # The rule's error as a param, so it is said in LIDGELD_LANGUAGE like the rest.
        raise InvalidInput(
            "%(error)s\n%(pointer)s", code=error.code, params={"error": error, "pointer": pointer}
        ) from None


def _set_dict(borrower_set: Any) -> dict[str, Any]:
    return {
        "set": borrower_set.pk,
        "size": borrower_set.size,
        "owner": borrower_set.owner,
        "origin": borrower_set.origin,
        "rule": borrower_set.rule,
        "created_at": borrower_set.created_at.isoformat(timespec="seconds"),
        "expires_on": borrower_set.expires_on,
    }


def cmd_select(args: argparse.Namespace) -> int:
    from lidgeld.selections.selectors import saved_selection_get
    from lidgeld.selections.services import selection_run

    moment = cli_moment()
    scope = scope_from_args(args)
    saved = saved_selection_get(scope=scope, name=args.saved) if args.saved else None
    scope = scope.within(instance_ids_from_codes(args.instance))
    rule = _rule(saved.rule if saved else args.rule)
    borrower_set = selection_run(
        scope=scope, rule=rule, today=moment.today, now=moment.now, saved=saved
    )
    emit(
        args,
        _set_dict(borrower_set),
        f"set {borrower_set.pk}: {borrower_set.size} borrowers "
        f"(kept until {borrower_set.expires_on:%d/%m/%Y})",
    )
    return 0


def cmd_set_list(args: argparse.Namespace) -> int:
    from lidgeld.selections.selectors import sets_visible

    sets = [_set_dict(item) for item in sets_visible(scope=scope_from_args(args))[:200]]
    lines = [
        f"{item['set']:>6}  {item['size']:>8}  {item['created_at']}  {item['owner']:<12} {item['rule']}"
        for item in sets
    ]
    emit(args, sets, "\n".join(lines) if lines else "no sets")
    return 0


def cmd_set_combine(args: argparse.Namespace) -> int:
    from lidgeld.selections.services import set_combine

    moment = cli_moment()
    borrower_set = set_combine(
        scope=scope_from_args(args),
        left_id=args.left,
        right_id=args.right,
        origin=args.operation,
        today=moment.today,
        now=moment.now,
    )
    emit(args, _set_dict(borrower_set), f"set {borrower_set.pk}: {borrower_set.size} borrowers")
    return 0


def cmd_set_export(args: argparse.Namespace) -> int:
    from lidgeld.cli.export_output import write_file, write_stdout
    from lidgeld.exports.writers import parse_format
    from lidgeld.selections.selectors import export_fields, set_get, set_table
    from lidgeld.selections.services import set_export_audit

    scope = scope_from_args(args)
    fmt = parse_format(args.format)
    moment = cli_moment()
    today = moment.today
    borrower_set = set_get(scope=scope, set_id=args.set_id)
    fields = export_fields(args.fields.split(","))
    table = set_table(scope=scope, borrower_set=borrower_set, fields=fields)

    def record(rows: int) -> None:
        set_export_audit(
            scope=scope,
            borrower_set=borrower_set,
            fields=fields,
            fmt=fmt,
            rows=rows,
            today=today,
            now=moment.now,
        )

    if args.output == "-":
        record(write_stdout(table, fmt, excel=args.excel, today=today))
        return 0
    rows = write_file(table, args.output, fmt, excel=args.excel, today=today, record=record)
    emit(
        args,
        {"set": borrower_set.pk, "rows": rows, "file": args.output, "format": fmt.value},
        f"{rows} rows → {args.output}",
    )
    return 0


def cmd_set_purge(args: argparse.Namespace) -> int:
    from lidgeld.cli.setup_cmds import actor
    from lidgeld.selections.services import sets_purge

    moment = cli_moment()
    purged = sets_purge(today=moment.today, now=moment.now, actor=actor())
    emit(args, {"purged": purged}, f"{purged} sets purged")
    return 0


def cmd_selection_save(args: argparse.Namespace) -> int:
    from lidgeld.selections.services import selection_save

    moment = cli_moment()
    saved = selection_save(
        scope=scope_from_args(args),
        name=args.name,
        rule=_rule(args.rule),
        today=moment.today,
        now=moment.now,
    )
    emit(args, {"name": saved.name, "rule": saved.rule}, f"saved '{saved.name}': {saved.rule}")
    return 0


def cmd_selection_list(args: argparse.Namespace) -> int:
    from lidgeld.selections.models import SavedSelection

    scope = scope_from_args(args)
    saved = [
        {"name": item.name, "rule": item.rule}
        for item in SavedSelection.objects.filter(owner=scope.owner)
    ]
    emit(
        args,
        saved,
        "\n".join(f"{item['name']}: {item['rule']}" for item in saved) or "no saved selections",
    )
    return 0


def cmd_selection_fields(args: argparse.Namespace) -> int:
    from lidgeld.selections.fields import FIELDS, GROUPS, operators_for

    data = [
        {
            "field": ref,
            "group": GROUPS[field.group].name_nl,
            "label": field.label_nl,
            "type": field.type.value,
            "choices": list(field.choices),
            "operators": sorted(op.value for op in operators_for(field)),
        }
        for ref, field in FIELDS.items()
    ]
    lines = [
        f"{item['field']:<18} {item['label']:<26} {item['type']:<8} "
        + (f"({', '.join(item['choices'])})" if item["choices"] else "")
        for item in data
    ]
    emit(args, data, "\n".join(lines))
    return 0
