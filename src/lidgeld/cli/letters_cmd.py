"""``lidgeld letters``: the day's letters as one PDF."""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from lidgeld.cli.base import add_json, emit, parse_date
from lidgeld.cli.setup_cmds import actor


def register(commands: Any) -> None:
    letters = commands.add_parser(
        "letters",
        help="print the day's letters (notices for borrowers without e-mail) as one PDF",
        description=(
            "Render the queued letters of one day as one A4 PDF for window envelopes. "
            "Once the file is written the letters count as sent; a second run for the "
            "same day finds none."
        ),
    )
    letters.add_argument(
        "--date", type=parse_date, help="the letters' business date (default: today)"
    )
    letters.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the PDF to write, e.g. letters.pdf"
    )
    letters.add_argument("--instance", help="only this instance's letters")
    add_json(letters)
    letters.set_defaults(handler=cmd_letters)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, so
    that ``path`` is either the old file or the whole new one, never half."""
    from lidgeld.errors import InvalidInput

    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(f"folder '{folder}' does not exist; create it or choose another -o")
    if path.is_dir():
        raise InvalidInput(f"'{path}' is a folder; give a file name, e.g. {path / 'letters.pdf'}")
    temporary = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False
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
            f"cannot write '{path}': {error.strerror or error}; nothing was marked sent"
        ) from None


def cmd_letters(args: argparse.Namespace) -> int:
    from lidgeld.clock import clock
    from lidgeld.libraries.services import instance_get
    from lidgeld.notices.letters import letters_mark_sent, letters_pdf

    day = args.date or clock.today()
    now = clock.now()
    instance_ids = [instance_get(args.instance).pk] if args.instance else None
    output = Path(args.output)
    result = letters_pdf(day=day, now=now, instance_ids=instance_ids)
    data = {
        "date": day.isoformat(),
        "file": None,
        "letters": result.count,
        "pages": result.pages,
        "message_ids": result.message_ids,
        "marked_sent": 0,
    }
    if not result.count:
        emit(args, data, f"no letters to print for {day.isoformat()}; no file written")
        return 0
    _write_atomically(output, result.pdf)
    marked = letters_mark_sent(message_ids=result.message_ids, now=now, actor=actor())
    data.update(file=str(output), marked_sent=marked)
    text = (
        f"{result.count} letter{'s' if result.count != 1 else ''} for {day.isoformat()} "
        f"written to {output} ({result.pages} page{'s' if result.pages != 1 else ''}); "
        f"{marked} marked sent"
    )
    if marked < result.count:
        text += (
            f"\nwarning: {result.count - marked} of them were no longer queued "
            "(sent by another run meanwhile?): check before posting them twice"
        )
    emit(args, data, text)
    return 0
