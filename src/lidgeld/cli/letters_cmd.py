"""``lidgeld letters``: the day's letters as one PDF, and confirming them printed."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.cli.base import add_json, emit, parse_date
from lidgeld.cli.setup_cmds import actor, cli_moment


def register(commands: Any) -> None:
    letters = commands.add_parser(
        "letters",
        help="print the day's letters (notices for borrowers without e-mail) as one PDF",
        description=(
            "Render the day's new letters as one A4 PDF for window envelopes, as a batch. "
            "Nothing is marked sent yet: once the batch came out of the printer, confirm it "
            "with --confirm BATCH and its letters count as sent. A second run for the same "
            "day prints only the letters that are new since; --batch writes a batch again."
        ),
    )
    letters.add_argument(
        "--date", type=parse_date, help="the letters' business date (default: today)"
    )
    letters.add_argument(
        "-o", "--output", metavar="FILE", help="the PDF to write, e.g. letters.pdf"
    )
    letters.add_argument("--instance", help="only this instance's letters")
    letters.add_argument(
        "--batch", type=int, metavar="BATCH", help="write this batch's PDF again (with -o)"
    )
    letters.add_argument(
        "--confirm",
        type=int,
        metavar="BATCH",
        help="this batch is printed: its letters count as sent (once; again changes nothing)",
    )
    add_json(letters)
    letters.set_defaults(handler=cmd_letters)


def _check_output(path: Path) -> None:
    from lidgeld.errors import InvalidInput

    if not path.parent.is_dir():
        raise InvalidInput(
            _("folder '%(folder)s' does not exist; create it or choose another -o"),
            code="folder_missing",
            params={"folder": str(path.parent)},
        )
    if path.is_dir():
        raise InvalidInput(
            _("'%(path)s' is a folder; give a file name, e.g. %(example)s"),
            code="output_is_folder",
            params={"path": str(path), "example": str(path / "letters.pdf")},
        )


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, so
    that ``path`` is either the old file or the whole new one, never half."""
    from lidgeld.errors import InvalidInput

    _check_output(path)
    temporary = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as handle:
            temporary = Path(handle.name)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()
        raise InvalidInput(
            _("cannot write '%(path)s': %(reason)s"),
            code="file_unwritable",
            params={"path": str(path), "reason": error.strerror or str(error)},
        ) from None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def cmd_letters(args: argparse.Namespace) -> int:
    from lidgeld.errors import InvalidInput

    if args.confirm is not None:
        if args.output or args.batch is not None or args.date or args.instance:
            raise InvalidInput(
                _("--confirm takes only the batch number, e.g. --confirm 7"), code="confirm_alone"
            )
        return _confirm(args)
    if not args.output:
        raise InvalidInput(_("say where the PDF goes: -o letters.pdf"), code="output_missing")
    output = Path(args.output)
    _check_output(output)
    if args.batch is not None:
        if args.date or args.instance:
            raise InvalidInput(
                _("--batch takes no --date or --instance: the batch has its own"),
                code="batch_alone",
            )
        return _write_again(args, output)
    return _make(args, output)


def _make(args: argparse.Namespace, output: Path) -> int:
    from lidgeld.libraries.selectors import instance_get
    from lidgeld.notices.letter_batches import (
        letter_batch_export_audit,
        letter_batch_make,
        letter_batch_pdf,
        letter_batches,
    )

    moment = cli_moment()
    today, now = moment.today, moment.now
    day = args.date or today
    instance_ids = [instance_get(args.instance).pk] if args.instance else None
    made = letter_batch_make(
        day=day, instance_ids=instance_ids, now=now, today=today, actor=actor()
    )
    for failure in made.failures:
        sys.stderr.write(
            f"lidgeld letters: warning: letter {failure.message_id} ({failure.instance}, card "
            f"{failure.card_number}, {failure.kind}) not printed and marked failed: "
            f"{failure.reason}\n"
        )
    data: dict[str, Any] = {
        "date": day.isoformat(),
        "batch": None,
        "file": None,
        "letters": 0,
        "pages": 0,
        "message_ids": [],
        "marked_sent": 0,
        "failed": [failure.as_dict() for failure in made.failures],
    }
    if made.batch is None:
        waiting = letter_batches(instance_ids=instance_ids, day=day).filter(printed_at__isnull=True)
        text = f"no new letters to print for {day.isoformat()}; no file written"
        for batch in waiting:
            text += (
                f"\nbatch {batch.pk} ({_plural(batch.letters, 'letter')}) is not confirmed yet: "
                f"'lidgeld letters --batch {batch.pk} -o FILE' writes it again, "
                f"'lidgeld letters --confirm {batch.pk}' once it is printed"
            )
        data["waiting"] = [batch.pk for batch in waiting]
        emit(args, data, text)
        return 0
    batch = made.batch
    result = letter_batch_pdf(batch=batch)
    _write_atomically(output, result.pdf)
    letter_batch_export_audit(
        batch=batch, result=result, actor=actor(), today=today, now=moment.now, file=str(output)
    )
    data.update(
        batch=batch.pk,
        file=str(output),
        letters=result.count,
        pages=result.pages,
        message_ids=result.message_ids,
    )
    emit(
        args,
        data,
        f"{_plural(result.count, 'letter')} for {day.isoformat()} written to {output} "
        f"({_plural(result.pages, 'page')}) as batch {batch.pk}; none is marked sent yet: "
        f"once printed, confirm with 'lidgeld letters --confirm {batch.pk}'",
    )
    return 0


def _write_again(args: argparse.Namespace, output: Path) -> int:
    from lidgeld.notices.letter_batches import (
        letter_batch_export_audit,
        letter_batch_get,
        letter_batch_pdf,
    )

    moment = cli_moment()
    batch = letter_batch_get(batch_id=args.batch, instance_ids=None)
    result = letter_batch_pdf(batch=batch)
    _write_atomically(output, result.pdf)
    letter_batch_export_audit(
        batch=batch,
        result=result,
        actor=actor(),
        today=moment.today,
        now=moment.now,
        file=str(output),
    )
    state = "printed" if batch.printed_at else "not confirmed yet"
    emit(
        args,
        {"batch": batch.pk, "file": str(output), "letters": result.count, "pages": result.pages},
        f"batch {batch.pk} ({_plural(result.count, 'letter')}, {state}) written to {output}",
    )
    return 0


def _confirm(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from lidgeld.notices.letter_batches import letter_batch_confirm, letter_batch_get

    batch = letter_batch_get(batch_id=args.confirm, instance_ids=None)
    moment = cli_moment()
    done = letter_batch_confirm(batch=batch, now=moment.now, today=moment.today, actor=actor())
    printed = done.batch.printed_at
    assert printed is not None
    if done.already:
        text = (
            f"batch {batch.pk} was confirmed already on "
            f"{timezone.localtime(printed):%Y-%m-%d %H:%M} by {done.batch.printed_by}; "
            "nothing changed"
        )
    else:
        text = f"batch {batch.pk}: {_plural(done.marked, 'letter')} marked printed (sent)"
    emit(
        args,
        {"batch": batch.pk, "marked_sent": done.marked, "already_confirmed": done.already},
        text,
    )
    return 0
