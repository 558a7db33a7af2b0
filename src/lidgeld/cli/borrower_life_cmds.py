"""Ending a membership and merging two records from the command line (issue 13,
R12). The command line is the operator's: it may do what a coordinator may."""

from __future__ import annotations

import argparse
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.cli.base import add_json, emit, parse_date
from lidgeld.cli.borrower_desk_cmds import borrower_of, say
from lidgeld.cli.setup_cmds import actor, cli_moment
from lidgeld.domain.endings import Effective, EndReason


def register(actions: Any) -> None:
    """``borrower end``, ``borrower end-undo`` and ``borrower merge`` (``actions``: the
    subparsers of ``borrower``)."""
    end = actions.add_parser("end", help="end a membership with its reason (R12)")
    end.add_argument("card", metavar="CARD")
    end.add_argument("--reason", required=True, choices=[r.value for r in EndReason])
    end.add_argument(
        "--effective",
        choices=[e.value for e in Effective],
        default=Effective.TODAY.value,
        help="today (default) or when the current period ends",
    )
    end.add_argument(
        "--even-with-loans",
        action="store_true",
        help="at request: end it although items are still out (they must still come back)",
    )
    end.add_argument("--on", type=parse_date, help="the day of the ending (default: today)")
    add_json(end)
    end.set_defaults(handler=cmd_borrower_end)

    undo = actions.add_parser("end-undo", help="undo the latest ending, within 30 days")
    undo.add_argument("card", metavar="CARD")
    undo.add_argument("--on", type=parse_date, help="the day of the undo (default: today)")
    add_json(undo)
    undo.set_defaults(handler=cmd_borrower_end_undo)

    merge = actions.add_parser(
        "merge", help="merge a duplicate record into the one kept (everything moves)"
    )
    merge.add_argument("kept", metavar="KEPT", help="card of the record kept")
    merge.add_argument("duplicate", metavar="DUPLICATE", help="card of the duplicate")
    merge.add_argument(
        "--preview", action="store_true", help="only say what would move; change nothing"
    )
    merge.add_argument("--on", type=parse_date, help="the day of the merge (default: today)")
    add_json(merge)
    merge.set_defaults(handler=cmd_borrower_merge)


def cmd_borrower_end(args: argparse.Namespace) -> int:
    from lidgeld.operations.ending import membership_end

    borrower = borrower_of(args.card)
    moment = cli_moment(on=args.on)
    result = membership_end(
        borrower=borrower,
        reason=args.reason,
        effective=args.effective,
        confirm=args.even_with_loans,
        today=moment.today,
        now=moment.now,
        actor=actor(),
    )
    ending = result.ending
    lines = [
        say(
            _("membership of %(name)s (%(card)s) ended: %(reason)s, from %(day)s"),
            name=borrower.full_name,
            card=borrower.card_number,
            reason=ending.get_reason_display(),
            day=ending.effective,
        )
    ]
    if result.written_off:
        lines.append(
            say(_("%(count)s open contribution(s) written off"), count=len(result.written_off))
        )
    if result.reservations_cancelled:
        lines.append(
            say(_("%(count)s reservation(s) cancelled"), count=result.reservations_cancelled)
        )
    if result.open_loans:
        lines.append(
            say(_("%(count)s item(s) still out: they must come back"), count=result.open_loans)
        )
    emit(
        args,
        {
            "card": borrower.card_number,
            "ending": ending.pk,
            "reason": ending.reason,
            "effective": ending.effective,
            "periods_ended": result.periods,
            "written_off": len(result.written_off),
            "reservations_cancelled": result.reservations_cancelled,
            "notices_skipped": result.notices_skipped,
            "open_loans": result.open_loans,
        },
        "\n".join(lines),
    )
    return 0


def cmd_borrower_end_undo(args: argparse.Namespace) -> int:
    from lidgeld.errors import Refused
    from lidgeld.memberships.selectors import endings_in_force
    from lidgeld.operations.ending import membership_end_reverse

    borrower = borrower_of(args.card)
    ending = endings_in_force().filter(borrower=borrower).order_by("-ended_at", "-id").first()
    if ending is None:
        raise Refused(
            _("%(card)s has no ending to undo"),
            code="no_ending",
            params={"card": borrower.card_number},
        )
    moment = cli_moment(on=args.on)
    result = membership_end_reverse(
        ending=ending, today=moment.today, now=moment.now, actor=actor()
    )
    emit(
        args,
        {
            "card": borrower.card_number,
            "ending": ending.pk,
            "periods_valid_again": result.periods,
            "kept_written_off": result.kept_written_off,
            "kept_cancelled": result.kept_cancelled,
        },
        say(
            _(
                "ending of %(card)s undone; written-off contributions and cancelled "
                "reservations stay as they are"
            ),
            card=borrower.card_number,
        ),
    )
    return 0


def cmd_borrower_merge(args: argparse.Namespace) -> int:
    from lidgeld.operations.merge import borrower_merge, merge_preview

    kept = borrower_of(args.kept, current_only=True)
    duplicate = borrower_of(args.duplicate, current_only=True)
    if args.preview:
        preview = merge_preview(kept=kept, duplicate=duplicate)
        problem = preview.problem.localized() if preview.problem else None
        emit(
            args,
            {
                "kept": kept.card_number,
                "duplicate": duplicate.card_number,
                "moves": preview.counts,
                "problem": problem,
            },
            "\n".join(
                [
                    say(
                        _("%(duplicate)s into %(kept)s would move:"),
                        duplicate=duplicate.card_number,
                        kept=kept.card_number,
                    ),
                    *(f"  {what}: {count}" for what, count in preview.counts.items()),
                    *([problem] if problem else []),
                ]
            ),
        )
        return 0
    moment = cli_moment(on=args.on)
    result = borrower_merge(
        kept=kept, duplicate=duplicate, today=moment.today, now=moment.now, actor=actor()
    )
    emit(
        args,
        {"kept": kept.card_number, "duplicate": result.duplicate_card, "moved": result.moved},
        say(
            _("%(duplicate)s merged into %(kept)s; its card now finds %(kept)s as an old card"),
            duplicate=result.duplicate_card,
            kept=kept.card_number,
        ),
    )
    return 0
