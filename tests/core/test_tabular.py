"""CSV and XLSX files (core/tabular.py) and their downloads (core/web/downloads.py): the cell
rule, formula escaping, the CSV layout, a workbook read back with zipfile + lxml, a long sheet
with flat memory, scratch files removed on every exit, and the response headers."""

from __future__ import annotations

import gc
import io
import re
import tempfile
import tracemalloc
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.response import Response, Stream
from litestar.testing import AsyncTestClient
from lxml import etree

from core import tabular
from core.i18n import set_language
from core.tabular import cell_text, csv_bytes, csv_stream, escape_formula, sheet_name, xlsx_bytes
from core.web import downloads

pytestmark = pytest.mark.anyio

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
EXCEL_EPOCH = date(1899, 12, 30)


# --- reading a workbook back ---------------------------------------------------------------


@dataclass
class Cell:
    kind: str  # "s" text, "n" number
    value: Any
    number_format: str
    bold: bool


@dataclass
class Sheet:
    name: str
    cells: dict[str, Cell]
    frozen_rows: int
    widths: dict[int, float]
    dimension: str
    parts: set[str] = field(default_factory=set)

    def row(self, number: int, columns: str = "ABCDEFGH") -> list[Any]:
        values = [self.cells[f"{c}{number}"].value if f"{c}{number}" in self.cells else None for c in columns]
        while values and values[-1] is None:
            values.pop()
        return values


def read_xlsx(data: bytes) -> Sheet:
    """The one sheet of a workbook: every cell with its type, value, number format and boldness."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        parts = set(archive.namelist())
        xml = {
            name: etree.fromstring(archive.read(name)) for name in parts if name.endswith((".xml", ".rels"))
        }
    workbook, styles, sheet = xml["xl/workbook.xml"], xml["xl/styles.xml"], xml["xl/worksheets/sheet1.xml"]
    formats = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iterfind("m:numFmts/m:numFmt", NS)}
    fonts = [f.find("m:b", NS) is not None for f in styles.iterfind("m:fonts/m:font", NS)]
    xfs = [
        (formats.get(int(x.get("numFmtId")), "General"), fonts[int(x.get("fontId"))])
        for x in styles.iterfind("m:cellXfs/m:xf", NS)
    ]
    cells: dict[str, Cell] = {}
    for c in sheet.iterfind("m:sheetData/m:row/m:c", NS):
        number_format, bold = xfs[int(c.get("s", "0"))]
        if c.get("t") == "inlineStr":
            cells[c.get("r")] = Cell("s", "".join(c.find("m:is", NS).itertext()), number_format, bold)
        else:
            raw = float(c.find("m:v", NS).text)
            cells[c.get("r")] = Cell("n", int(raw) if raw.is_integer() else raw, number_format, bold)
    pane = sheet.find("m:sheetViews/m:sheetView/m:pane", NS)
    frozen = int(pane.get("ySplit")) if pane is not None and pane.get("state") == "frozen" else 0
    widths: dict[int, float] = {}
    for col in sheet.iterfind("m:cols/m:col", NS):
        for index in range(int(col.get("min")), int(col.get("max")) + 1):
            widths[index] = float(col.get("width"))
    return Sheet(
        name=workbook.find("m:sheets/m:sheet", NS).get("name"),
        cells=cells,
        frozen_rows=frozen,
        widths=widths,
        dimension=sheet.find("m:dimension", NS).get("ref"),
        parts=parts,
    )


# --- cells ---------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_each_formula_start_gets_an_apostrophe(start: str) -> None:
    text = f'{start}HYPERLINK("http://x")'
    assert escape_formula(text) == "'" + text
    assert cell_text(text) == "'" + text
    assert csv_bytes(["h"], [[text]]).decode("utf-8-sig").split("\r\n")[1].lstrip('"').startswith("'")


def test_what_is_not_a_formula_is_left_alone() -> None:
    assert escape_formula("-") == "-"  # the usual "no value" mark; no spreadsheet runs it
    assert escape_formula("-3") == "'-3"  # text that looks like a number is still text
    assert cell_text(-3) == "-3"  # a number is a number
    assert cell_text(Decimal("-2.50")) == "-2.50"
    assert escape_formula("a=b") == "a=b"
    assert escape_formula(" =1") == " =1"
    assert escape_formula("") == ""


def test_cell_rule() -> None:
    assert cell_text(None) == ""
    assert (cell_text(True), cell_text(False)) == ("Ja", "Nei")
    assert cell_text(2.5) == "2.5"
    assert cell_text(0) == "0"
    assert cell_text(date(2026, 5, 17)) == "17.05.2026"
    assert cell_text(datetime(2026, 5, 17, 12, 5, 9, tzinfo=UTC)) == "17.05.2026 14:05"  # summer time
    assert cell_text(datetime(2026, 1, 5, 12, 5, tzinfo=UTC)) == "05.01.2026 13:05"  # winter time
    assert cell_text(datetime(2026, 1, 5, 12, 5)) == "05.01.2026 12:05"  # naive: already Oslo time
    assert cell_text(datetime(2026, 5, 17, 12, 5, 9, tzinfo=UTC), seconds=True) == "17.05.2026 14:05:09"
    assert cell_text(7) == "7"


def test_booleans_follow_the_language() -> None:
    try:
        set_language("nn")
        assert cell_text(True) == "Ja" and cell_text(False) == "Nei"  # the same words in nynorsk
    finally:
        set_language("nb")


# --- CSV -----------------------------------------------------------------------------------


def test_csv_layout() -> None:
    data = csv_bytes(
        ["Enhet", "Tittel", "Dato", "=Formel"],
        [
            ["LMA", "Søknad; «vei»", date(2026, 4, 1), None],
            ["@SUM(A1)", 'Sitat "her"', -3, True],
            ["Linje\nto", None, 2.5, False],
        ],
    )
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\xef\xbb\xbf") == 1
    text = data.decode("utf-8-sig")
    assert text.split("\r\n") == [
        "Enhet;Tittel;Dato;'=Formel",
        'LMA;"Søknad; «vei»";01.04.2026;',
        '\'@SUM(A1);"Sitat ""her""";-3;Ja',
        '"Linje\nto";;2.5;Nei',
        "",
    ]


def test_csv_of_no_rows_is_the_header() -> None:
    assert csv_bytes(["A", "B"], []) == b"\xef\xbb\xbfA;B\r\n"


async def test_csv_stream_matches_the_bytes_and_comes_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [[n, f"Rad {n}", date(2026, 1, 1 + n % 28), "-x" if n % 2 else "-"] for n in range(500)]

    async def source() -> AsyncIterator[list[Any]]:
        for row in rows:
            yield row

    monkeypatch.setattr(tabular, "CSV_CHUNK", 1000)
    chunks = [c async for c in csv_stream(["Nr", "Tittel", "Dato", "Merke"], source())]
    assert chunks[0] == "\ufeffNr;Tittel;Dato;Merke\r\n".encode()  # the header goes out at once
    assert len(chunks) > 10
    assert b"".join(chunks) == csv_bytes(["Nr", "Tittel", "Dato", "Merke"], rows)
    plain = [c async for c in csv_stream(["Nr", "Tittel", "Dato", "Merke"], iter(rows))]
    assert b"".join(plain) == b"".join(chunks)


# --- XLSX ----------------------------------------------------------------------------------


def test_sheet_names_follow_excels_rules() -> None:
    assert sheet_name("Restanser per enhet: 15.04.2026 [test]") == "Restanser per enhet  15.04.2026"
    assert sheet_name("a/b\\c?d*e[f]g:h") == "a b c d e f g h"
    assert sheet_name("'sitert'") == "sitert"
    assert sheet_name("x" * 40) == "x" * 31
    assert len(sheet_name("Hendelseslogg for Landbruk, miljø og areal")) <= 31
    assert sheet_name("") == sheet_name("[]") == sheet_name("History") == "Ark1"


def test_xlsx_cells_styles_and_layout() -> None:
    data = xlsx_bytes(
        "Restanser per enhet: 15.04.2026 [test]",
        ["Enhetskode", "Enhet", "Antall", "Dato", "Tid", "Ferdig"],
        [
            [
                "LMA",
                "Landbruk & miljø <å>",
                3,
                date(2026, 4, 15),
                datetime(2026, 4, 15, 8, 30, tzinfo=UTC),
                True,
            ],
            ["=1+1", "", -2, None, None, False],
            ["Styre\x00tegn\x1f", "to\nlinjer", 2.5, date(1850, 1, 1), None, None],
            ["-", "@x", Decimal("1.25"), None, None, 12345678901234567],
        ],
    )
    sheet = read_xlsx(data)
    assert {
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    } <= sheet.parts
    assert sheet.name == "Restanser per enhet  15.04.2026"
    assert sheet.frozen_rows == 1
    assert sheet.row(1) == ["Enhetskode", "Enhet", "Antall", "Dato", "Tid", "Ferdig"]
    assert all(sheet.cells[f"{c}1"].bold for c in "ABCDEF")
    assert not sheet.cells["A2"].bold

    assert sheet.row(2)[:3] == ["LMA", "Landbruk & miljø <å>", 3]
    assert sheet.cells["C2"].kind == "n" and sheet.cells["C3"].value == -2
    assert sheet.cells["D2"].kind == "n" and sheet.cells["D2"].value == (date(2026, 4, 15) - EXCEL_EPOCH).days
    assert sheet.cells["D2"].number_format == "dd.mm.yyyy"
    assert sheet.cells["E2"].number_format == "dd.mm.yyyy hh:mm"
    assert abs(sheet.cells["E2"].value - (46127 + 10.5 / 24)) < 1e-9  # 08:30 UTC is 10:30 in Oslo
    assert (sheet.cells["F2"].value, sheet.cells["F3"].value) == ("Ja", "Nei")

    assert sheet.row(3) == ["=1+1", None, -2, None, None, "Nei"]  # text, never a formula
    assert sheet.cells["A3"].kind == "s"
    assert sheet.cells["A4"].value == "Styretegn"  # characters XML cannot hold are removed
    assert sheet.cells["B4"].value == "to\nlinjer"
    assert sheet.cells["C4"].value == 2.5
    assert (sheet.cells["D4"].kind, sheet.cells["D4"].value) == ("s", "01.01.1850")  # Excel has no 1850
    assert sheet.row(5)[:3] == ["-", "@x", 1.25]
    assert (sheet.cells["F5"].kind, sheet.cells["F5"].value) == ("s", "12345678901234567")  # exact
    assert sheet.dimension == "A1:F5"

    assert set(sheet.widths) == {1, 2, 3, 4, 5, 6}
    assert sheet.widths[2] > sheet.widths[1] > sheet.widths[3]  # from the longest value
    assert all(8 <= w <= 63 for w in sheet.widths.values())


def test_xlsx_with_seconds_and_no_rows() -> None:
    sheet = read_xlsx(
        xlsx_bytes("Logg", ["Tidspunkt"], [[datetime(2026, 5, 17, 12, 5, 9, tzinfo=UTC)]], seconds=True)
    )
    assert sheet.cells["A2"].number_format == "dd.mm.yyyy hh:mm:ss"
    assert round((sheet.cells["A2"].value % 1) * 86400) == 14 * 3600 + 5 * 60 + 9
    empty = read_xlsx(xlsx_bytes("Tom", ["A", "B"], []))
    assert empty.row(1) == ["A", "B"] and empty.frozen_rows == 1 and empty.dimension == "A1:B1"


def test_too_many_rows_for_excel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "XLSX_MAX_ROWS", 3)
    assert read_xlsx(xlsx_bytes("Tre", ["N"], [[1], [2], [3]])).row(4) == [3]
    with pytest.raises(tabular.TooManyRows, match="for mange rader for Excel"):
        xlsx_bytes("Fire", ["N"], [[1], [2], [3], [4]])


def _rows(count: int) -> Iterator[list[Any]]:
    for n in range(count):
        yield [n, f"Journalpost nummer {n} om en sak i Verdal", date(2026, 1, 1 + n % 28), n * 1.5]


def test_a_long_sheet_is_written_with_flat_memory() -> None:
    """50 000 rows: Python's allocations stay a small fraction of the sheet's text, because rows
    go to disk as they are written (constant_memory) and the workbook to a temporary file."""
    count = 50_000
    gc.collect()
    tracemalloc.start()
    try:
        with tempfile.TemporaryFile() as fh:
            with tabular.XlsxSheet(fh, "Lang", ["Nr", "Tittel", "Dato", "Beløp"]) as sheet:
                sheet.write_rows(_rows(count))
            _current, peak = tracemalloc.get_traced_memory()
            size = fh.seek(0, 2)
            fh.seek(0)
            with zipfile.ZipFile(fh) as archive:
                sheet_xml_size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
                head = archive.open("xl/worksheets/sheet1.xml").read(2000).decode()
    finally:
        tracemalloc.stop()
    assert f'<dimension ref="A1:D{count + 1}"/>' in head
    assert sheet_xml_size > 5_000_000 and size > 500_000
    assert peak < 3_000_000, f"peak {peak} bytes for a {sheet_xml_size} byte sheet"


def _scratch_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def test_scratch_files_are_removed_on_success_and_on_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scratch = _scratch_dir(monkeypatch, tmp_path)
    assert read_xlsx(xlsx_bytes("Ok", ["A"], _rows(2000))).row(2)[0] == 0
    assert list(scratch.iterdir()) == []

    def failing() -> Iterator[list[Any]]:
        yield from _rows(1500)
        raise RuntimeError("databasen forsvant")

    with pytest.raises(RuntimeError, match="databasen forsvant"):
        xlsx_bytes("Feil", ["A"], failing())
    assert list(scratch.iterdir()) == []


async def test_xlsx_file_from_async_rows_and_its_cleanup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scratch = _scratch_dir(monkeypatch, tmp_path)
    monkeypatch.setattr(tabular, "XLSX_CHUNK_ROWS", 7)

    async def source(count: int, fail: bool = False) -> AsyncIterator[list[Any]]:
        for row in _rows(count):
            yield row
        if fail:
            raise RuntimeError("avbrutt")

    fh = await tabular.xlsx_file("Asynk", ["Nr", "Tittel", "Dato", "Beløp"], source(50))
    try:
        sheet = read_xlsx(fh.read())
    finally:
        fh.close()
    assert sheet.dimension == "A1:D51" and sheet.row(51)[0] == 49
    assert list(scratch.iterdir()) == []
    with pytest.raises(RuntimeError, match="avbrutt"):
        await tabular.xlsx_file("Asynk", ["Nr"], source(30, fail=True))
    assert list(scratch.iterdir()) == []


# --- downloads -----------------------------------------------------------------------------


def test_content_disposition_is_safe() -> None:
    cd = downloads.content_disposition
    assert cd("hendelseslogg-20260517.csv") == 'attachment; filename="hendelseslogg-20260517.csv"'
    assert cd("Søknad om særavtale på øya.xlsx") == (
        'attachment; filename="Soknad_om_saeravtale_pa_oya.xlsx"; '
        "filename*=UTF-8''S%C3%B8knad%20om%20s%C3%A6ravtale%20p%C3%A5%20%C3%B8ya.xlsx"
    )
    hostile = cd('../../etc/"passwd"\r\nX-Evil: 1.csv')
    assert "\r" not in hostile and "\n" not in hostile and "/" not in hostile.split("filename*")[0]
    assert re.fullmatch(
        r'attachment; filename="[A-Za-z0-9._-]+"(; filename\*=UTF-8\'\'[A-Za-z0-9%._~-]+)?', hostile
    )
    assert cd("") == 'attachment; filename="eksport"'
    assert cd("...") == 'attachment; filename="eksport"'


def _download_app() -> Litestar:
    header = ["Navn", "Dato", "Antall"]
    rows = [["Åse", date(2026, 5, 17), 3], ["=1+1", None, -1]]

    async def async_rows() -> AsyncIterator[list[Any]]:
        for row in rows:
            yield row

    @get("/csv")
    async def small_csv() -> Response[bytes]:
        return downloads.csv_response("liste.csv", header, rows)

    @get("/xlsx")
    async def small_xlsx() -> Response[bytes]:
        return downloads.xlsx_response("liste.xlsx", "Liste", header, rows)

    @get("/csv-strom")
    async def long_csv() -> Stream:
        return downloads.csv_stream_response("lang.csv", header, async_rows())

    @get("/xlsx-strom")
    async def long_xlsx() -> Stream:
        return await downloads.xlsx_stream_response("lang.xlsx", "Lang", header, async_rows())

    return Litestar([small_csv, small_xlsx, long_csv, long_xlsx])


async def test_download_responses() -> None:
    async with AsyncTestClient(app=_download_app()) as client:
        expected_csv = "\ufeffNavn;Dato;Antall\r\nÅse;17.05.2026;3\r\n'=1+1;;-1\r\n".encode()
        for url, name in (("/csv", "liste.csv"), ("/csv-strom", "lang.csv")):
            response = await client.get(url)
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/csv; charset=utf-8"
            assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
            assert response.headers["cache-control"] == "no-store"
            assert response.content == expected_csv
        for url, name in (("/xlsx", "liste.xlsx"), ("/xlsx-strom", "lang.xlsx")):
            response = await client.get(url)
            assert response.status_code == 200
            assert response.headers["content-type"] == tabular.XLSX_MEDIA_TYPE
            assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
            assert response.headers["cache-control"] == "no-store"
            assert int(response.headers["content-length"]) == len(response.content)
            sheet = read_xlsx(response.content)
            assert sheet.row(2)[0] == "Åse" and sheet.cells["B2"].number_format == "dd.mm.yyyy"
            assert sheet.row(3) == ["=1+1", None, -1]
