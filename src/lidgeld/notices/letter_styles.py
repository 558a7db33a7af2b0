"""The letters' typography: the embedded fonts and the paragraph styles.

The text is set in DejaVu Sans when the system has it, otherwise in Bitstream
Vera (shipped with ReportLab); both are embedded and cover é, ë, ç and €.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

GREY = colors.Color(0.35, 0.35, 0.35)

FONT = "LetterSans"
FONT_BOLD = "LetterSans-Bold"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdfmetrics.registerFont(TTFont(FONT, str(regular)))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
    else:  # Bitstream Vera ships with ReportLab
        pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, "VeraBd.ttf"))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    subject: ParagraphStyle
    head_name: ParagraphStyle
    head: ParagraphStyle
    head_label: ParagraphStyle
    return_address: ParagraphStyle
    address: ParagraphStyle
    box_title: ParagraphStyle
    box: ParagraphStyle
    box_reference: ParagraphStyle
    caption: ParagraphStyle


def letter_styles() -> Styles:
    base = ParagraphStyle("letter", fontName=FONT, fontSize=10, leading=14, alignment=TA_LEFT)
    return Styles(
        body=ParagraphStyle("body", parent=base, spaceAfter=3 * mm),
        subject=ParagraphStyle(
            "subject", parent=base, fontName=FONT_BOLD, fontSize=11, leading=15, spaceAfter=5 * mm
        ),
        head_name=ParagraphStyle(
            "head_name", parent=base, fontName=FONT_BOLD, fontSize=12, leading=15, spaceAfter=1 * mm
        ),
        head=ParagraphStyle("head", parent=base, fontSize=8.5, leading=11, spaceAfter=1.5 * mm),
        head_label=ParagraphStyle(
            "head_label", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10
        ),
        return_address=ParagraphStyle(
            "return_address",
            parent=base,
            fontSize=6.5,
            leading=8,
            textColor=GREY,
            spaceAfter=2 * mm,
        ),
        address=ParagraphStyle("address", parent=base, fontSize=10.5, leading=13.5),
        box_title=ParagraphStyle(
            "box_title", parent=base, fontName=FONT_BOLD, fontSize=10.5, spaceAfter=1.5 * mm
        ),
        box=ParagraphStyle("box", parent=base, fontSize=9.5, leading=13),
        box_reference=ParagraphStyle(
            "box_reference", parent=base, fontName=FONT_BOLD, fontSize=12, leading=16
        ),
        caption=ParagraphStyle(
            "caption", parent=base, fontSize=7, leading=9, textColor=GREY, alignment=1
        ),
    )
