"""The export writers: CSV in two dialects, typed XLSX, a printable PDF; all streaming."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lidgeld.errors import InvalidInput
from lidgeld.exports import pdf_writer, xlsx_writer
from lidgeld.exports.formatting import brussels, format_date_be, format_money_be
from lidgeld.exports.table import Column, ColumnType, Row, RowKind, Table
from lidgeld.exports.writers import (
    ExportFormat,
    iter_csv,
    parse_format,
    write_csv,
    write_pdf,
    write_table,
    write_xlsx,
)

T = ColumnType
COLUMNS = [
    Column("card", "Kaart", width=8),
    Column("name", "Naam"),
    Column("count", "Aantal", T.INTEGER),
    Column("amount", "Bedrag", T.MONEY),
    Column("due", "Vervaldag", T.DATE),
    Column("paid", "Betaald op", T.DATETIME),
]
# Summer (UTC+2) and winter (UTC+1), the second one past midnight in Brussels.
SUMMER = datetime(2026, 4, 1, 12, 5, 30, 123456, tzinfo=UTC)
WINTER = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
ROWS = [
    Row(["0012", "=1+1", 2, Decimal("1234.5"), date(2026, 4, 1), SUMMER]),
    Row(["a,b", 'Peeters; "Jan"\nlijn 2', None, Decimal("-0.10"), date(2026, 1, 16), WINTER]),
    Row(["Subtotaal", None, 2, Decimal("1234.40"), None, None], RowKind.SUBTOTAL),
    Row(["0100", "Zoë Françoise", 1, Decimal("-5.05"), None, None]),
    Row(["Totaal", None, 3, Decimal("1229.35"), None, None], RowKind.TOTAL),
]
# What each cell holds once read back, dates and times as Brussels wall-clock time.
SUMMER_LOCAL, WINTER_LOCAL = datetime(2026, 4, 1, 14, 5, 30), datetime(2026, 1, 16, 0, 30)
EXPECTED = [
    ["0012", "=1+1", 2, Decimal("1234.50"), datetime(2026, 4, 1), SUMMER_LOCAL],
    ["a,b", ROWS[1].values[1], None, Decimal("-0.10"), datetime(2026, 1, 16), WINTER_LOCAL],
    ["Subtotaal", None, 2, Decimal("1234.40"), None, None],
    ["0100", "Zoë Françoise", 1, Decimal("-5.05"), None, None],
    ["Totaal", None, 3, Decimal("1229.35"), None, None],
]


def small_table() -> Table:
    return Table("Openstaande posten", COLUMNS, iter(ROWS), ["Instantie: GENT"])


def counted_table(count: int, pulled: list[int]) -> Table:
    """A table whose rows come from a generator that tallies how many were taken."""

    def rows() -> Iterator[Row]:
        for i in range(count):
            pulled[0] += 1
            yield Row([f"{i:06d}", f"Lid {i}", i, Decimal(i) / 100, date(2026, 4, 1), SUMMER])

    return Table("Veel rijen", COLUMNS, rows())


# --- formats and formatting ---------------------------------------------------


@pytest.mark.parametrize(("text", "fmt"), [("csv", "csv"), (" XLSX ", "xlsx"), ("pdf", "pdf")])
def test_parse_format_accepts_known_names(text, fmt):
    assert parse_format(text) is ExportFormat(fmt)


def test_parse_format_names_the_choices():
    with pytest.raises(InvalidInput) as caught:
        parse_format("docx")
    assert caught.value.message == "format 'docx' is not known; choose csv, xlsx or pdf"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1234.5"), "€ 1.234,50"),
        (Decimal("0"), "€ 0,00"),
        (Decimal("-1234567.891"), "€ -1.234.567,89"),
        (Decimal("999.995"), "€ 1.000,00"),
    ],
)
def test_money_is_written_the_belgian_way(amount, shown):
    assert format_money_be(amount) == shown


def test_dates_are_written_the_belgian_way():
    assert format_date_be(date(2026, 4, 1)) == "01/04/2026"
    assert format_date_be(WINTER) == "16/01/2026"  # the Brussels day, not the UTC one


def test_a_naive_datetime_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="no time zone"):
        brussels(datetime(2026, 4, 1, 12, 0))


# --- CSV -----------------------------------------------------------------------


def test_csv_default_is_neutral():
    out = io.BytesIO()
    assert write_csv(small_table(), out) == 5
    assert (
        out.getvalue()
        == (
            "Kaart,Naam,Aantal,Bedrag,Vervaldag,Betaald op\n"
            "0012,'=1+1,2,1234.50,2026-04-01,2026-04-01T14:05:30+02:00\n"
            '"a,b","Peeters; ""Jan""\nlijn 2",,-0.10,2026-01-16,2026-01-16T00:30:00+01:00\n'
            "Subtotaal,,2,1234.40,,\n"
            "0100,Zoë Françoise,1,-5.05,,\n"
            "Totaal,,3,1229.35,,\n"
        ).encode()
    )
    assert not out.getvalue().startswith(b"\xef\xbb\xbf")
    assert "Zoë Françoise".encode() == b"Zo\xc3\xab Fran\xc3\xa7oise"


def test_csv_for_belgian_excel():
    out = io.BytesIO()
    assert write_csv(small_table(), out, excel=True) == 5
    assert (
        out.getvalue()
        == b"\xef\xbb\xbf"
        + (
            "Kaart;Naam;Aantal;Bedrag;Vervaldag;Betaald op\r\n"
            "0012;'=1+1;2;1234,50;01/04/2026;01/04/2026 14:05\r\n"
            'a,b;"Peeters; ""Jan""\nlijn 2";;-0,10;16/01/2026;16/01/2026 00:30\r\n'
            "Subtotaal;;2;1234,40;;\r\n"
            "0100;Zoë Françoise;1;-5,05;;\r\n"
            "Totaal;;3;1229,35;;\r\n"
        ).encode()
    )


# Text a spreadsheet would run as a formula (OWASP "CSV injection"): the usual four
# starts, tab and CR (Excel), and a NUL, which LibreOffice drops before it looks.
FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(1;1)", "\t=1+1", "\r=1+1", "\x00=1+1"]
FORMULA_COLUMNS = [
    Column("name", "Naam"),
    Column("count", "Aantal", T.INTEGER),
    Column("amount", "Bedrag", T.MONEY),
    Column("due", "Vervaldag", T.DATE),
]


def formula_table() -> Table:
    rows = [Row([text, -3, Decimal("-5.05"), date(2026, 4, 1)]) for text in FORMULAS]
    return Table("Formules", FORMULA_COLUMNS, iter(rows))


@pytest.mark.parametrize("excel", [False, True], ids=["neutral", "belgian-excel"])
def test_csv_text_a_spreadsheet_would_run_gets_an_apostrophe(excel):
    # given text cells that start like a formula, beside numbers and dates of ours
    out = io.BytesIO()
    write_csv(formula_table(), out, excel=excel)
    # when the file is read back as CSV
    text = out.getvalue().decode("utf-8-sig")
    header, *body = csv.reader(io.StringIO(text, newline=""), delimiter=";" if excel else ",")
    # then each such text is prefixed with ' and the numbers and dates are as before
    assert header == ["Naam", "Aantal", "Bedrag", "Vervaldag"]
    assert [row[0] for row in body] == ["'" + formula for formula in FORMULAS]
    ours = ("-3", "-5,05", "01/04/2026") if excel else ("-3", "-5.05", "2026-04-01")
    assert {tuple(row[1:]) for row in body} == {ours}


def test_csv_leaves_text_alone_that_no_spreadsheet_runs():
    rows = [Row(["Jan-Pieter", " =1", "a=b", "'al", "0012"])]
    columns = [Column(f"c{i}", f"K{i}") for i in range(5)]
    out = io.BytesIO()
    write_csv(Table("Gewoon", columns, iter(rows)), out)
    assert out.getvalue().decode().splitlines()[1] == "Jan-Pieter, =1,a=b,'al,0012"


def test_csv_of_no_rows_is_the_header():
    out = io.BytesIO()
    assert write_csv(Table("Leeg", COLUMNS, iter([])), out) == 0
    assert out.getvalue() == b"Kaart,Naam,Aantal,Bedrag,Vervaldag,Betaald op\n"


def test_csv_streams_a_generator_once_and_lazily():
    pulled = [0]
    chunks = iter_csv(counted_table(5000, pulled))
    assert pulled[0] == 0  # nothing is read before the first chunk is asked for
    first = next(chunks)
    assert pulled[0] < 2000
    assert first.startswith(b"Kaart,Naam")
    rest = list(chunks)
    assert len(rest) >= 2
    assert pulled[0] == 5000
    lines = b"".join([first, *rest]).decode().splitlines()
    assert len(lines) == 5001
    assert lines[-1] == "004999,Lid 4999,4999,49.99,2026-04-01,2026-04-01T14:05:30+02:00"


# --- XLSX ----------------------------------------------------------------------


def test_xlsx_cells_are_typed_and_formatted():
    out = io.BytesIO()
    assert write_xlsx(small_table(), out) == 5
    book = load_workbook(io.BytesIO(out.getvalue()), read_only=False)
    assert book.properties.title == "Openstaande posten"
    sheet = book["Openstaande posten"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F5"  # the grand total stays out of sorting
    assert sheet.column_dimensions["A"].width == pytest.approx(8, abs=1)

    header = next(sheet.iter_rows(min_row=1, max_row=1))
    assert [c.value for c in header] == [c.label for c in COLUMNS]
    assert all(c.font.b and c.border.bottom.style == "thin" for c in header)

    body = list(sheet.iter_rows(min_row=2))
    assert len(body) == len(EXPECTED)
    for cells, expected, row in zip(body, EXPECTED, ROWS, strict=True):
        for cell, want, column in zip(cells, expected, COLUMNS, strict=True):
            if want is None:
                assert cell.value is None, cell.coordinate
            elif column.type is T.MONEY:
                assert cell.data_type == "n", cell.coordinate
                assert Decimal(str(cell.value)) == want, cell.coordinate
                assert cell.number_format == "#,##0.00"
            elif column.type is T.DATE:
                assert cell.value == want, cell.coordinate
                assert cell.number_format == "dd/mm/yyyy"
            elif column.type is T.DATETIME:
                assert cell.value == want, cell.coordinate
                assert cell.number_format == "dd/mm/yyyy hh:mm"
            else:
                assert cell.value == want, cell.coordinate
                kind = "s" if column.type is T.TEXT else "n"
                assert cell.data_type == kind, cell.coordinate  # "=1+1" is no formula
            # Blank cells of a subtotal row are left unwritten (a third faster on big
            # exports); the total row's blanks carry its border, so they are written.
            if want is not None or row.kind is RowKind.TOTAL:
                assert bool(cell.font.b) is (row.kind is not RowKind.DATA), cell.coordinate
        total_border = {c.border.top.style for c in cells}
        assert total_border == ({"thin"} if row.kind is RowKind.TOTAL else {None})


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Posten: april [2026]/GENT?", "Posten april 2026 GENT"),
        ("'Leden'", "Leden"),
        ("x" * 40, "x" * 31),
        ("History", "Export"),
        ("***", "Export"),
    ],
)
def test_sheet_names_are_ones_excel_accepts(title, name):
    assert xlsx_writer.sheet_name(title) == name


def test_xlsx_of_a_long_generator():
    pulled = [0]
    out = io.BytesIO()
    assert write_xlsx(counted_table(5000, pulled), out) == 5000
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True).active
    assert sheet.max_row == 5001
    last = next(sheet.iter_rows(min_row=5001, values_only=True))
    assert last[:4] == ("004999", "Lid 4999", 4999, 49.99)


def test_xlsx_bound_is_excels_last_row():
    assert 1 + xlsx_writer.XLSX_MAX_ROWS == 1_048_576  # the header takes a row


def test_xlsx_refuses_more_rows_than_a_sheet_holds(monkeypatch):
    monkeypatch.setattr(xlsx_writer, "XLSX_MAX_ROWS", 10)
    assert write_xlsx(counted_table(10, [0]), io.BytesIO()) == 10
    out = io.BytesIO()
    pulled = [0]
    with pytest.raises(InvalidInput, match="narrow the filters or choose CSV"):
        write_xlsx(counted_table(5000, pulled), out)
    assert pulled[0] == 11  # it gives up at the first row too many
    assert out.getvalue() == b""


def libreoffice(tmp_path, source, target: str, *, infilter: str | None = None):
    """``source`` converted by LibreOffice (headless) to ``target``; the converted file."""
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice (LibreOffice) is needed for this test in CI")
        pytest.skip("soffice (LibreOffice) is not installed")
    profile = f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}"
    command = [soffice, profile, "--headless"]
    if infilter is not None:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", target, "--outdir", str(tmp_path / "out"), str(source)]
    env = {**os.environ, "LANG": "C.UTF-8", "HOME": str(tmp_path)}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=env, check=False
    )
    converted = tmp_path / "out" / f"{source.stem}.{target.split(':')[0]}"
    assert converted.exists(), done.stdout + done.stderr
    return converted


def test_xlsx_as_libreoffice_reads_it(tmp_path):
    source = tmp_path / "posten.xlsx"
    assert write_xlsx(small_table(), str(source)) == 5
    # Comma-separated, UTF-8, cells "as shown" in their number format, en-US (1033) so
    # the thousands and decimal marks do not depend on the machine's locale.
    target = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true"
    converted = libreoffice(tmp_path, source, target)
    with converted.open(encoding="utf-8", newline="") as f:
        header, *body = list(csv.reader(f))

    def parse(text: str, column: Column) -> object:
        if text == "":
            return None
        if column.type is T.INTEGER:
            return int(text)
        if column.type is T.MONEY:
            return Decimal(text.replace(",", ""))
        if column.type is T.DATE:
            return datetime.strptime(text, "%d/%m/%Y")
        if column.type is T.DATETIME:
            return datetime.strptime(text, "%d/%m/%Y %H:%M")
        return text

    assert header == [c.label for c in COLUMNS]
    assert len(body) == len(EXPECTED)
    for cells, expected in zip(body, EXPECTED, strict=True):
        for text, want, column in zip(cells, expected, COLUMNS, strict=True):
            if column.type is T.DATETIME and want is not None:
                want = want.replace(second=0)  # shown to the minute
            assert parse(text, column) == want, (text, want)


@pytest.mark.parametrize(
    ("excel", "infilter"),
    # Comma and en-US (1033) for the neutral file, semicolon and nl-BE (2067) for the
    # Belgian one, as each is opened; LibreOffice evaluates formulas on import.
    [(False, "CSV:44,34,76,1,,1033"), (True, "CSV:59,34,76,1,,2067")],
    ids=["neutral", "belgian-excel"],
)
def test_csv_formulas_stay_text_when_libreoffice_opens_them(tmp_path, excel, infilter):
    # given a CSV export with text cells that start like a formula
    source = tmp_path / "formules.csv"
    with source.open("wb") as out:
        write_csv(formula_table(), out, excel=excel)
    # when LibreOffice opens it (and saves it as a workbook we can inspect)
    converted = libreoffice(tmp_path, source, "xlsx", infilter=infilter)
    header, *body = load_workbook(converted).active.iter_rows()
    # then those cells are text, not formulas nor their results; numbers stay numbers
    assert [c.value for c in header] == ["Naam", "Aantal", "Bedrag", "Vervaldag"]
    assert len(body) == len(FORMULAS)
    # (LibreOffice reads a CR in a cell as a line break and drops a NUL.)
    shown = ["'" + f.replace("\r", "\n").replace("\x00", "") for f in FORMULAS]
    for (name, count, amount, due), text in zip(body, shown, strict=True):
        assert (name.data_type, name.value) == ("s", text)
        assert (count.data_type, count.value) == ("n", -3)
        assert (amount.data_type, amount.value) == ("n", -5.05)
        assert (due.data_type, due.value) == ("d", datetime(2026, 4, 1))


# --- PDF -----------------------------------------------------------------------


def pdf_table(count: int) -> Table:
    def rows() -> Iterator[Row]:
        for i in range(count):
            yield Row([f"{i:06d}", f"Lid {i}", i, Decimal("1234.5"), date(2026, 4, 1), SUMMER])
        yield Row(["Zoë €", "Ĳsbrand 漢字", None, None, None, None])
        yield Row(
            ["Subtotaal", None, count, Decimal(count) * Decimal("1234.5"), None, None],
            RowKind.SUBTOTAL,
        )
        yield Row(
            ["Totaal", None, count, Decimal(count) * Decimal("1234.5"), None, None], RowKind.TOTAL
        )

    return Table("Openstaande posten", COLUMNS, rows(), ["Instantie: GENT", "Periode: april"])


def pdf_pages(table: Table, **kwargs: object) -> tuple[bytes, list[str]]:
    out = io.BytesIO()
    write_pdf(table, out, **kwargs)  # type: ignore[arg-type]
    reader = PdfReader(io.BytesIO(out.getvalue()))
    return out.getvalue(), [page.extract_text() for page in reader.pages]


def test_pdf_lists_rows_page_by_page_with_the_header_on_each():
    data, pages = pdf_pages(pdf_table(200), generated_on=date(2026, 4, 10))
    assert data.startswith(b"%PDF")
    assert len(pages) >= 2
    first, second, last = pages[0], pages[1], pages[-1]
    assert "Openstaande posten" in first
    assert "Instantie: GENT" in first
    assert "€ 1.234,50" in first
    assert "01/04/2026 14:05" in first
    for label in ("Kaart", "Naam", "Aantal", "Bedrag", "Vervaldag", "Betaald op"):
        assert label in second
    assert "pagina 2" in second
    assert "aangemaakt op 10/04/2026" in second
    assert "Zoë €" in last
    assert "Subtotaal" in last
    assert "Totaal" in last
    assert "€ 246.900,00" in last


def test_pdf_without_dejavu_falls_back_to_helvetica(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_writer, "DEJAVU_REGULAR", tmp_path / "missing.ttf")
    out = io.BytesIO()
    assert write_pdf(pdf_table(3), out) == 6
    page = PdfReader(io.BytesIO(out.getvalue())).pages[0]
    fonts = {str(f["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert fonts == {"/Helvetica", "/Helvetica-Bold"}
    text = page.extract_text()
    assert "Zoë €" in text
    assert "?sbrand ??" in text  # Ĳ and 漢字 are not in WinAnsi
    assert "pagina 1" in text
    assert "aangemaakt" not in text  # no date was given, and the clock is not read


def test_pdf_is_the_same_for_the_same_table():
    assert pdf_pages(pdf_table(5))[0] == pdf_pages(pdf_table(5))[0]


def test_pdf_cuts_long_text_to_its_column():
    long = "Van den Bossche-Vandenbroucke " * 10
    out = io.BytesIO()
    write_pdf(Table("T", COLUMNS[:2], iter([Row(["1", long])])), out)
    text = PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()
    assert "…" in text
    assert long.strip() not in text
    cut = pdf_writer.fit(long, "Helvetica", 8, 60)
    assert cut.endswith("…")
    assert pdf_writer.pdfmetrics.stringWidth(cut, "Helvetica", 8) <= 60


# --- dispatch ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "excel", "start"),
    [
        (ExportFormat.CSV, False, b"Kaart,"),
        (ExportFormat.CSV, True, b"\xef\xbb\xbfKaart;"),
        (ExportFormat.XLSX, False, b"PK"),
        (ExportFormat.PDF, False, b"%PDF"),
    ],
)
def test_write_table_picks_the_writer(fmt, excel, start):
    out = io.BytesIO()
    assert (
        write_table(small_table(), out, fmt, excel_csv=excel, generated_on=date(2026, 4, 10)) == 5
    )
    assert out.getvalue().startswith(start)
