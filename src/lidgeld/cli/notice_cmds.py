"""``lidgeld notices …``: notice templates, kinds on/off, and previews."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.cli.base import add_json, emit, parse_date
from lidgeld.cli.setup_cmds import actor, cli_moment


def register(commands: Any) -> None:
    notices = commands.add_parser("notices", help="notice texts per library, kinds, previews")
    actions = notices.add_subparsers(dest="action", metavar="ACTION", required=True)

    preview = actions.add_parser("preview", help="exactly what a borrower would get")
    preview.add_argument("--kind", required=True, help="AE (CAE), HR, NB or VL")
    preview.add_argument("--card", required=True)
    preview.add_argument("--on", type=parse_date, help="the notice's date (default: today)")
    preview.add_argument(
        "--lang", choices=["nl", "fr", "en"], help="another language than the borrower's"
    )
    add_json(preview)
    preview.set_defaults(handler=cmd_preview)

    set_ = actions.add_parser("set", help="save a library's own text (or a dated override)")
    set_.add_argument("--instance", required=True)
    set_.add_argument("--kind", required=True)
    set_.add_argument("--lang", required=True, choices=["nl", "fr", "en"])
    set_.add_argument("--subject", required=True)
    set_.add_argument("--body-file", required=True, type=Path, help="plain-text body (UTF-8)")
    set_.add_argument("--html-file", type=Path, help="optional HTML body (UTF-8)")
    set_.add_argument("--from", dest="valid_from", type=parse_date, help="override: first day")
    set_.add_argument("--until", dest="valid_until", type=parse_date, help="override: last day")
    add_json(set_)
    set_.set_defaults(handler=cmd_set)

    listing = actions.add_parser("list", help="a library's own texts and which kinds are on")
    listing.add_argument("--instance", required=True)
    add_json(listing)
    listing.set_defaults(handler=cmd_list)

    kinds = actions.add_parser("kinds", help="switch notice kinds on or off")
    kinds.add_argument("--instance", required=True)
    kinds.add_argument("--on", default="", help="kinds to switch on, e.g. HR,NB")
    kinds.add_argument("--off", default="", help="kinds to switch off, e.g. VL")
    add_json(kinds)
    kinds.set_defaults(handler=cmd_kinds)

    placeholders = actions.add_parser("placeholders", help="the values a text can use")
    add_json(placeholders)
    placeholders.set_defaults(handler=cmd_placeholders)


def _read(path: Path) -> str:
    from lidgeld.errors import InvalidInput

    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(
            _("there is no file '%(path)s'"), code="file_missing", params={"path": str(path)}
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput(
            _("'%(path)s' is not UTF-8 text; save it as UTF-8"),
            code="file_not_utf8",
            params={"path": str(path)},
        ) from None
    except OSError as error:
        raise InvalidInput(
            _("cannot read '%(path)s': %(reason)s"),
            code="file_unreadable",
            params={"path": str(path), "reason": error.strerror or str(error)},
        ) from None


def cmd_preview(args: argparse.Namespace) -> int:
    from lidgeld.borrowers.selectors import borrower_get
    from lidgeld.notices.selectors import notice_preview

    borrower = borrower_get(args.card)
    rendered = notice_preview(
        borrower=borrower, kind=args.kind, on=cli_moment(on=args.on).today, language=args.lang
    )
    data = {
        "subject": rendered.subject,
        "body_text": rendered.body_text,
        "body_html": rendered.body_html,
    }
    text = f"Subject: {rendered.subject}\n\n{rendered.body_text}"
    if rendered.body_html:
        text += f"\n--- HTML ---\n{rendered.body_html}"
    emit(args, data, text.rstrip())
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from lidgeld.libraries.selectors import instance_get
    from lidgeld.notices.services import notice_template_save

    moment = cli_moment()
    template = notice_template_save(
        instance=instance_get(args.instance),
        kind=args.kind,
        language=args.lang,
        subject=args.subject,
        body_text=_read(args.body_file),
        body_html=_read(args.html_file) if args.html_file else "",
        valid_from=args.valid_from,
        valid_until=args.valid_until,
        today=moment.today,
        now=moment.now,
        actor=actor(),
    )
    window = (
        f" for notices dated {template.valid_from:%d/%m/%Y} to {template.valid_until:%d/%m/%Y}"
        if template.valid_from and template.valid_until
        else ""
    )
    emit(
        args,
        {
            "id": template.pk,
            "kind": template.kind,
            "language": template.language,
            "override": bool(window),
        },
        f"{args.instance.upper()} {template.kind} ({template.language}) saved{window}",
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from lidgeld.libraries.selectors import instance_get
    from lidgeld.notices.models import NoticeTemplate
    from lidgeld.notices.services import KIND_SWITCHES

    instance = instance_get(args.instance)
    kinds = {kind: getattr(instance, field) for kind, field in KIND_SWITCHES.items()}
    templates = [
        {
            "kind": t.kind,
            "language": t.language,
            "subject": t.subject,
            "valid_from": t.valid_from.isoformat() if t.valid_from else None,
            "valid_until": t.valid_until.isoformat() if t.valid_until else None,
        }
        for t in NoticeTemplate.objects.filter(instance=instance)
    ]
    lines = [f"{kind}: {'on' if on else 'off'}" for kind, on in kinds.items()]
    for t in templates:
        window = f" ({t['valid_from']} – {t['valid_until']})" if t["valid_from"] else ""
        lines.append(f"  {t['kind']} {t['language']}{window}: {t['subject']}")
    if not templates:
        lines.append("  (no texts of its own: the standard texts are used)")
    emit(
        args, {"instance": instance.code, "kinds": kinds, "templates": templates}, "\n".join(lines)
    )
    return 0


def cmd_kinds(args: argparse.Namespace) -> int:
    from lidgeld.errors import InvalidInput
    from lidgeld.libraries.selectors import instance_get
    from lidgeld.notices.services import KIND_SWITCHES, notice_kinds_set

    moment = cli_moment()
    switch_on = [kind for kind in args.on.split(",") if kind.strip()]
    switch_off = [kind for kind in args.off.split(",") if kind.strip()]
    if not switch_on and not switch_off:
        raise InvalidInput(
            _("say which kinds to switch: --on HR,NB and/or --off VL"), code="switch_missing"
        )
    enabled = dict.fromkeys(switch_on, True) | dict.fromkeys(switch_off, False)
    instance = notice_kinds_set(
        instance=instance_get(args.instance),
        enabled=enabled,
        today=moment.today,
        now=moment.now,
        actor=actor(),
    )
    kinds = {kind: getattr(instance, field) for kind, field in KIND_SWITCHES.items()}
    emit(
        args,
        {"instance": instance.code, "kinds": kinds},
        ", ".join(f"{k} {'on' if v else 'off'}" for k, v in kinds.items()),
    )
    return 0


def cmd_placeholders(args: argparse.Namespace) -> int:
    from lidgeld.notices.rendering import FILTERS, PLACEHOLDERS

    text = "\n".join(f"{{{{ {name} }}}}  {meaning}" for name, meaning in PLACEHOLDERS.items())
    text += f"\nfilters: {', '.join(FILTERS)}; conditions: {{% if open_amount %}}…{{% endif %}}"
    emit(args, {"placeholders": PLACEHOLDERS, "filters": list(FILTERS)}, text)
    return 0
