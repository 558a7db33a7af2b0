"""A printable list: A4 landscape, drawn a page at a time on a ReportLab canvas.

Not a platypus Table: that one lays out all rows before drawing the first, so a
long export would sit in memory as row objects. Here a row is drawn and dropped;
what stays is the page's drawing operators until ``save``.

Text is set in DejaVu Sans when the system has it (it covers far more than
Latin-1); otherwise in Helvetica, which shows WinAnsi only (€, é, ë, ç included).
A character the font cannot show becomes "?" rather than a missing glyph."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from lidgeld.exports.formatting import (
    column_width,
    format_date_be,
    format_datetime_be,
    format_money_be,
)
from lidgeld.exports.table import Column, ColumnType, Row, RowKind, Table

DEJAVU_REGULAR = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
FONT, FONT_BOLD = "ExportSans", "ExportSans-Bold"

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 12 * mm
TITLE_SIZE = 14
FILTER_SIZE = 9
BODY_SIZE = 8
FOOTER_SIZE = 7
ROW_HEIGHT = 11.5
BASELINE = 3.2  # from the bottom of a row, so descenders stay inside it
PADDING = 4  # left and right inside each cell, so an amount and a date do not touch
# Amounts shrink to this size before they are cut: a cut-off amount misleads.
SMALLEST_NUMBER_SIZE = 5.5
ELLIPSIS = "…"
GREY = Color(0.35, 0.35, 0.35)

_RIGHT_ALIGNED = {ColumnType.INTEGER, ColumnType.MONEY}
_RENDER: dict[ColumnType, Callable[[Any], str]] = {
    ColumnType.TEXT: str,
    ColumnType.INTEGER: str,
    ColumnType.MONEY: format_money_be,
    ColumnType.DATE: format_date_be,
    ColumnType.DATETIME: format_datetime_be,
}


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str
    shows: Callable[[str], bool]

    def clean(self, text: str) -> str:
        """One line of text the font can draw."""
        if text.isascii() and text.isprintable():
            return text
        shown = []
        for ch in text:
            if not ch.isprintable():
                shown.append(" ")  # a cell is one line: newlines and tabs become spaces
            elif self.shows(ch):
                shown.append(ch)
            else:
                shown.append("?")
        return "".join(shown)


def _in_win_ansi(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _fonts() -> _Fonts:
    if not (DEJAVU_REGULAR.is_file() and DEJAVU_BOLD.is_file()):
        return _Fonts("Helvetica", "Helvetica-Bold", _in_win_ansi)
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(DEJAVU_REGULAR)))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(DEJAVU_BOLD)))
    regular = pdfmetrics.getFont(FONT).face.charToGlyph
    bold = pdfmetrics.getFont(FONT_BOLD).face.charToGlyph
    # Only the BMP: for code points above U+FFFF ReportLab writes a malformed
    # ToUnicode entry, and readers then fail to copy or search that text.
    return _Fonts(
        FONT, FONT_BOLD, lambda ch: ord(ch) <= 0xFFFF and ord(ch) in regular and ord(ch) in bold
    )


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text``, cut with "…" where needed so that it is at most ``width`` wide."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with the ellipsis
    while low < high:
        middle = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:middle] + ELLIPSIS, font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS if low else ELLIPSIS


class _Sheet:
    """The running state of one document: where the next row goes, and on which page."""

    def __init__(
        self, canvas: Canvas, table: Table, fonts: _Fonts, generated_on: date | None
    ) -> None:
        self.canvas = canvas
        self.table = table
        self.fonts = fonts
        self.generated_on = generated_on
        self.columns: Sequence[Column] = list(table.columns)
        self.lefts, self.widths = _layout(self.columns)
        self.page = 0
        self.y = 0.0
        self.bottom = MARGIN + FOOTER_SIZE + 6

    def start_page(self) -> None:
        self.page += 1
        c = self.canvas
        self.y = PAGE_HEIGHT - MARGIN - TITLE_SIZE
        c.setFont(self.fonts.bold, TITLE_SIZE)
        c.drawString(MARGIN, self.y, self._fit(self.table.title, self.fonts.bold, TITLE_SIZE))
        self.y -= 6
        if self.page == 1:
            c.setFont(self.fonts.regular, FILTER_SIZE)
            for line in self.table.filters:
                self.y -= FILTER_SIZE + 3
                c.drawString(MARGIN, self.y, self._fit(line, self.fonts.regular, FILTER_SIZE))
        self.y -= 8
        self._draw_cells([c.label for c in self.columns], self.fonts.bold, header=True)
        c.setLineWidth(0.75)
        c.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y)

    def end_page(self) -> None:
        c = self.canvas
        c.setFont(self.fonts.regular, FOOTER_SIZE)
        c.setFillColor(GREY)
        if self.generated_on is not None:
            c.drawString(MARGIN, MARGIN, f"aangemaakt op {format_date_be(self.generated_on)}")
        c.drawRightString(PAGE_WIDTH - MARGIN, MARGIN, f"pagina {self.page}")
        c.setFillColorRGB(0, 0, 0)
        c.showPage()

    def draw_row(self, row: Row) -> None:
        if self.y - ROW_HEIGHT < self.bottom:
            self.end_page()
            self.start_page()
        if row.kind is RowKind.TOTAL:
            self.canvas.setLineWidth(0.75)
            self.canvas.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y)
        texts = [
            "" if value is None else _RENDER[column.type](value)
            for column, value in zip(self.columns, row.values, strict=True)
        ]
        font = self.fonts.regular if row.kind is RowKind.DATA else self.fonts.bold
        self._draw_cells(texts, font, header=False)

    def draw_note(self, text: str) -> None:
        self.y -= ROW_HEIGHT
        self.canvas.setFont(self.fonts.regular, BODY_SIZE)
        self.canvas.drawString(MARGIN + PADDING, self.y + BASELINE, text)

    def _draw_cells(self, texts: Sequence[str], font: str, *, header: bool) -> None:
        self.y -= ROW_HEIGHT
        baseline = self.y + BASELINE
        for column, left, width, text in zip(
            self.columns, self.lefts, self.widths, texts, strict=True
        ):
            if not text:
                continue
            room = width - 2 * PADDING
            size: float = BODY_SIZE
            line = self.fonts.clean(text)
            right = column.type in _RIGHT_ALIGNED
            if right and not header:
                while size > SMALLEST_NUMBER_SIZE and (
                    pdfmetrics.stringWidth(line, font, size) > room
                ):
                    size -= 0.5
            line = fit(line, font, size, room)
            self.canvas.setFont(font, size)
            if right:
                self.canvas.drawRightString(left + width - PADDING, baseline, line)
            else:
                self.canvas.drawString(left + PADDING, baseline, line)

    def _fit(self, text: str, font: str, size: float) -> str:
        return fit(self.fonts.clean(text), font, size, PAGE_WIDTH - 2 * MARGIN)


def _layout(columns: Sequence[Column]) -> tuple[list[float], list[float]]:
    """Left edges and widths, sharing the page width in proportion to the column widths."""
    wanted = [column_width(c) for c in columns]
    total = sum(wanted) or 1
    usable = PAGE_WIDTH - 2 * MARGIN
    widths = [usable * w / total for w in wanted]
    lefts, x = [], MARGIN
    for width in widths:
        lefts.append(x)
        x += width
    return lefts, widths


def write_pdf(table: Table, out: BinaryIO, *, generated_on: date | None = None) -> int:
    """Write the table as a PDF list to ``out``; returns the rows drawn (header not counted).

    ``generated_on`` is printed in the footer when given; the writer never reads the
    clock, so the same table gives the same bytes."""
    fonts = _fonts()
    # invariant: no creation date or random document id, so output is reproducible.
    canvas = Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1)
    canvas.setTitle(table.title)
    canvas.setCreator("lidgeld")
    sheet = _Sheet(canvas, table, fonts, generated_on)
    sheet.start_page()
    drawn = 0
    for row in table.rows:
        sheet.draw_row(row)
        drawn += 1
    if not drawn:
        sheet.draw_note("(geen gegevens)")
    sheet.end_page()
    canvas.save()
    return drawn
