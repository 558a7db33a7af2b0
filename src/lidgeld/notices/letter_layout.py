"""The A4 page of a letter: where everything sits, and the drawing of letters into one PDF.

Page layout (A4, 210 × 297 mm, all positions from the top-left corner):

* letterhead, top left: x 20 mm, from 15 mm down, 75 mm wide, at most 80 mm
  high (instance name, address, opening hours, e-mail, portal);
* the address window, right: x 100–190 mm, y 45–90 mm (90 × 45 mm). That is
  the window of the usual European DL (110 × 220 mm) and C5/6 (114 × 229 mm)
  envelopes with the window on the right, into which an A4 sheet folded in
  three (folds at 99 and 198 mm) slides with its top third facing the window.
  The text stays 4 mm inside the window on every side (x 104–186 mm, y
  49–86 mm) so that a sheet shifting a few millimetres in the envelope still
  shows the whole address. First a one-line return address in small type (as
  the post office likes it), then the borrower's address;
* fold marks at 99 and 198 mm and a punch mark at 148.5 mm, 5 mm long, on the
  left edge;
* card number (left) and place and date (right) on the line at 103 mm;
* the subject in bold from 110 mm, then the body, then, when the borrower has
  an open contribution, a payment box (amount, IBAN, BIC, beneficiary,
  structured communication and the EPC "scan to pay" QR code, 32 mm);
* a footer line 12 mm above the bottom edge (instance name, e-mail, portal).

Continuation pages have a one-line running head (instance, borrower, card)
instead of the letterhead and window.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from django.utils import formats, translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepInFrame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from lidgeld.domain.blocks import format_amount
from lidgeld.libraries.models import Instance
from lidgeld.notices.letter_content import Letter, borrower_address_lines, labels_for
from lidgeld.notices.letter_styles import FONT, GREY, Styles, letter_styles, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = 20 * mm
MARGIN_RIGHT = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 170 mm

LETTERHEAD_TOP = 15 * mm
LETTERHEAD_WIDTH = 75 * mm
LETTERHEAD_HEIGHT = 80 * mm

WINDOW_LEFT = 100 * mm
WINDOW_TOP = 45 * mm
WINDOW_WIDTH = 90 * mm
WINDOW_HEIGHT = 45 * mm
WINDOW_MARGIN = 4 * mm

FOLD_MARKS = (99 * mm, 198 * mm)
PUNCH_MARK = PAGE_HEIGHT / 2
MARK_LENGTH = 5 * mm

REFERENCE_LINE = 103 * mm
BODY_TOP = 110 * mm
BODY_BOTTOM = 20 * mm  # above the footer
FOOTER_LINE = 12 * mm
RUNNING_HEAD = 12 * mm
CONTINUATION_TOP = 20 * mm
QR_SIZE = 32 * mm


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _place(instance: Instance) -> str:
    """The town of the library: the last address line without its postal code."""
    lines = _lines(instance.address)
    if not lines:
        return ""
    return re.sub(r"^(?:[A-Z]{1,2}[- ])?\d{4,5}\s+", "", lines[-1])


def _long_date(day: date, language: str) -> str:
    with translation.override(language):
        return str(formats.date_format(day, "j F Y"))


def _markup(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _from_top(distance: float) -> float:
    return PAGE_HEIGHT - distance


def _place_in_box(
    canvas: Any, flowables: list[Flowable], *, x: float, top: float, width: float, height: float
) -> None:
    """Set ``flowables`` in a fixed box, shrunk to fit when they are too long."""
    box = Frame(
        x,
        _from_top(top + height),
        width,
        height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        showBoundary=0,
    )
    box.addFromList([KeepInFrame(width, height, flowables, mode="shrink")], canvas)


def _letterhead(letter: Letter, styles: Styles) -> list[Flowable]:
    instance, labels = letter.instance, labels_for(letter.language)
    parts: list[Flowable] = [Paragraph(_markup(instance.name), styles.head_name)]
    if _lines(instance.address):
        parts.append(Paragraph(_markup("\n".join(_lines(instance.address))), styles.head))
    if _lines(instance.opening_hours):
        parts.append(Paragraph(escape(labels["opening_hours"]), styles.head_label))
        parts.append(Paragraph(_markup("\n".join(_lines(instance.opening_hours))), styles.head))
    contact = [
        value
        for value in (instance.reply_to_email or instance.sender_email, instance.portal_url)
        if value
    ]
    if contact:
        parts.append(Paragraph(_markup("\n".join(contact)), styles.head))
    return parts


def _draw_first_page(canvas: Any, letter: Letter, styles: Styles) -> None:
    instance, labels = letter.instance, labels_for(letter.language)
    canvas.saveState()
    _place_in_box(
        canvas,
        _letterhead(letter, styles),
        x=MARGIN_LEFT,
        top=LETTERHEAD_TOP,
        width=LETTERHEAD_WIDTH,
        height=LETTERHEAD_HEIGHT,
    )
    sender = " · ".join([instance.name, *_lines(instance.address)])
    _place_in_box(
        canvas,
        [
            Paragraph(_markup(sender), styles.return_address),
            Paragraph(_markup("\n".join(borrower_address_lines(letter.borrower))), styles.address),
        ],
        x=WINDOW_LEFT + WINDOW_MARGIN,
        top=WINDOW_TOP + WINDOW_MARGIN,
        width=WINDOW_WIDTH - 2 * WINDOW_MARGIN,
        height=WINDOW_HEIGHT - 2 * WINDOW_MARGIN,
    )
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.3)
    for mark in (*FOLD_MARKS, PUNCH_MARK):
        canvas.line(0, _from_top(mark), MARK_LENGTH, _from_top(mark))
    canvas.setFont(FONT, 9)
    canvas.setFillColor(colors.black)
    canvas.drawString(
        MARGIN_LEFT, _from_top(REFERENCE_LINE), f"{labels['card']}: {letter.borrower.card_number}"
    )
    dated = _long_date(letter.message.date, letter.language)
    place = _place(instance)
    canvas.drawRightString(
        PAGE_WIDTH - MARGIN_RIGHT,
        _from_top(REFERENCE_LINE),
        f"{place}, {dated}" if place else dated,
    )
    canvas.restoreState()


def _draw_footer(canvas: Any, letter: Letter | None) -> None:
    if letter is None:
        return
    instance = letter.instance
    parts = [instance.name, instance.reply_to_email or instance.sender_email, instance.portal_url]
    canvas.saveState()
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.3)
    canvas.line(
        MARGIN_LEFT, FOOTER_LINE + 3.5 * mm, PAGE_WIDTH - MARGIN_RIGHT, FOOTER_LINE + 3.5 * mm
    )
    canvas.setFont(FONT, 7)
    canvas.setFillColor(GREY)
    canvas.drawCentredString(PAGE_WIDTH / 2, FOOTER_LINE, " · ".join(p for p in parts if p))
    canvas.restoreState()


def _draw_running_head(canvas: Any, letter: Letter | None) -> None:
    if letter is None:
        return
    labels = labels_for(letter.language)
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.setFillColor(GREY)
    canvas.drawString(
        MARGIN_LEFT,
        _from_top(RUNNING_HEAD),
        f"{letter.instance.name} · {letter.borrower.full_name} · "
        f"{labels['card']} {letter.borrower.card_number} · {labels['continued']}",
    )
    canvas.restoreState()


class _Current:
    """The letter being set, for what the page templates draw around it."""

    def __init__(self) -> None:
        self.letter: Letter | None = None


class _FirstPage(Flowable):
    """Zero-size, first in a letter: draws the letterhead, the window address, the
    reference line and the footer at their fixed places on the page it lands on
    (always a fresh page: each letter starts after a page break)."""

    def __init__(self, letter: Letter, styles: Styles, current: _Current) -> None:
        super().__init__()
        self.letter, self.styles, self.current = letter, styles, current

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return (0, 0)

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        # Drawn here rather than by the page template: a template draws when
        # the page begins, before it knows which letter lands on it.
        self.current.letter = self.letter
        _draw_first_page(canvas, self.letter, self.styles)
        _draw_footer(canvas, self.letter)

    def draw(self) -> None:
        pass


def _payment_box(letter: Letter, styles: Styles) -> Flowable:
    payment = letter.payment
    assert payment is not None
    labels = labels_for(letter.language)
    rows = [
        Paragraph(escape(labels["payment"]), styles.box_title),
        Paragraph(
            f"{escape(labels['amount'])}: <b>€ {format_amount(payment.amount, letter.language)}</b>",
            styles.box,
        ),
    ]
    if payment.iban:
        rows.append(Paragraph(f"{escape(labels['iban'])}: {escape(payment.iban)}", styles.box))
    if payment.bic:
        rows.append(Paragraph(f"{escape(labels['bic'])}: {escape(payment.bic)}", styles.box))
    if payment.beneficiary:
        rows.append(
            Paragraph(f"{escape(labels['beneficiary'])}: {escape(payment.beneficiary)}", styles.box)
        )
    if payment.reference:
        rows.append(Spacer(1, 1.5 * mm))
        rows.append(Paragraph(f"{escape(labels['reference'])}:", styles.box))
        rows.append(Paragraph(escape(payment.reference), styles.box_reference))
    qr: list[Flowable] = []
    if payment.qr_png:
        qr = [
            Image(io.BytesIO(payment.qr_png), width=QR_SIZE, height=QR_SIZE),
            Paragraph(escape(labels["scan"]), styles.caption),
        ]
    qr_width = QR_SIZE + 8 * mm if qr else 0
    table = Table(
        [[rows, qr]] if qr else [[rows]],
        colWidths=[TEXT_WIDTH - qr_width, qr_width] if qr else [TEXT_WIDTH],
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return KeepTogether([Spacer(1, 4 * mm), table])


def _story(letter: Letter, styles: Styles, current: _Current) -> list[Flowable]:
    message = letter.message
    story: list[Flowable] = [_FirstPage(letter, styles, current)]
    if message.subject.strip():
        story.append(Paragraph(_markup(message.subject.strip()), styles.subject))
    paragraphs = re.split(r"\n\s*\n", message.body.replace("\r\n", "\n").strip())
    story.extend(Paragraph(_markup(p.strip("\n")), styles.body) for p in paragraphs if p.strip())
    if letter.payment is not None:
        story.append(_payment_box(letter, styles))
    return story


def letters_pdf(letters: Sequence[Letter], *, title: str) -> tuple[bytes, int]:
    register_fonts()
    styles = letter_styles()
    current = _Current()
    buffer = io.BytesIO()

    def on_later(canvas: Any, doc: Any) -> None:
        _draw_running_head(canvas, current.letter)
        _draw_footer(canvas, current.letter)

    def frame(top: float, frame_id: str) -> Frame:
        return Frame(
            MARGIN_LEFT,
            BODY_BOTTOM,
            TEXT_WIDTH,
            PAGE_HEIGHT - top - BODY_BOTTOM,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id=frame_id,
        )

    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="lidgeld",
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=CONTINUATION_TOP,
        bottomMargin=BODY_BOTTOM,
    )
    doc.addPageTemplates(
        [
            PageTemplate(
                id="first",
                frames=[frame(BODY_TOP, "body")],
                autoNextPageTemplate="later",
            ),
            PageTemplate(id="later", frames=[frame(CONTINUATION_TOP, "more")], onPage=on_later),
        ]
    )
    story: list[Flowable] = []
    for index, letter in enumerate(letters):
        if index:
            story.extend([NextPageTemplate("first"), PageBreak()])
        story.extend(_story(letter, styles, current))
    doc.build(story)
    return buffer.getvalue(), doc.page
