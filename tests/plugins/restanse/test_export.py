"""Restanse exports (core.tabular, core.web.downloads): CSV (UTF-8 with BOM, semicolons) and XLSX, and the page's downloads."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import pytest
from lxml import etree

from core import tabular as export
from tests.support.factories import login
from tests.support.restanse_builders import Org, make_org, make_restanse, write_off

pytestmark = pytest.mark.anyio

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def read_xlsx(data: bytes) -> tuple[str, list[list[Any]], dict[str, str]]:
    """Sheet name, the cell values row by row (numbers as int/float, text as str), and the
    style index of every cell; checks the package holds the parts a spreadsheet needs."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        for part in (
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
        ):
            assert part in names
        for name in names:
            etree.fromstring(archive.read(name))  # every part is well-formed XML
        workbook = etree.fromstring(archive.read("xl/workbook.xml"))
        sheet = etree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    sheet_name = workbook.find("m:sheets/m:sheet", NS).get("name")
    rows: list[list[Any]] = []
    styles: dict[str, str] = {}
    for row in sheet.findall("m:sheetData/m:row", NS):
        values: list[Any] = []
        for cell in row.findall("m:c", NS):
            ref = cell.get("r")
            column = ord(ref[0]) - 65
            while len(values) < column:
                values.append(None)
            styles[ref] = cell.get("s", "0")
            if cell.get("t") == "inlineStr":
                values.append("".join(cell.find("m:is", NS).itertext()))
            else:
                raw = cell.find("m:v", NS).text
                number = float(raw)
                values.append(int(number) if number.is_integer() else number)
        rows.append(values)
    return sheet_name, rows, styles


def test_csv_bytes() -> None:
    data = export.csv_bytes(
        ["Enhet", "Tittel", "Dato"],
        [["LMA", "Søknad; «vei»", date(2026, 4, 1)], ["=HYPERLINK(1)", None, -3], ["Sum", True, 2.5]],
    )
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.split("\r\n") == [
        "Enhet;Tittel;Dato",
        'LMA;"Søknad; «vei»";01.04.2026',
        "'=HYPERLINK(1);;-3",
        "Sum;Ja;2.5",
        "",
    ]


def test_xlsx_bytes_cells_and_styles() -> None:
    data = export.xlsx_bytes(
        "Restanser per enhet: 15.04.2026 [test]",
        ["Enhetskode", "Enhet", "Antall", "Dato", "Tid"],
        [
            ["LMA", "Landbruk & miljø <å>", 3, date(2026, 4, 15), datetime(2026, 4, 15, 8, 30, tzinfo=UTC)],
            ["=1+1", "", -2, None, None],
            ["Sum", "", 1, None, None],
        ],
    )
    name, rows, styles = read_xlsx(data)
    assert name == "Restanser per enhet  15.04.2026"[:31]
    assert rows[0] == ["Enhetskode", "Enhet", "Antall", "Dato", "Tid"]
    assert styles["A1"] == "1"  # bold header
    assert rows[1][:3] == ["LMA", "Landbruk & miljø <å>", 3]
    assert rows[1][3] == (date(2026, 4, 15) - date(1899, 12, 30)).days  # a real date
    assert styles["D2"] == "2"
    assert abs(rows[1][4] - (46127 + 10.5 / 24)) < 1e-6  # 08:30 UTC is 10:30 in Oslo
    assert rows[2] == ["=1+1", None, -2]  # text, never a formula
    assert rows[3] == ["Sum", None, 1]


async def test_page_downloads_have_the_page_columns(client: Any, db: None) -> None:
    org: Org = await make_org()
    await make_restanse(org.unit, org.handler, journaldato=date(2026, 3, 1))
    gone = await make_restanse(org.other_unit, org.other_handler, journaldato=date(2026, 3, 1))
    await write_off(gone.korrespondansepart_id, date(2026, 4, 1))
    await login(client, org.archive)
    params = {"rapportdato": "15.04.2026", "sammenligningsdato": "15.03.2026"}

    csv = await client.get("/restanse/oppfolging/eksport", params={**params, "format": "csv"})
    assert csv.status_code == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="restanseoppfolging-2026-04-15-per-enhet.csv"' in csv.headers["content-disposition"]
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "Enhetskode;Enhet;Restanser 15.03.2026;Restanser 15.04.2026;Endring",
        "LMA;Landbruk, miljø og arealforvaltning;1;1;0",
        "LMA-BYG;Byggesak;0;0;0",
        "SUV;Stab, utvikling og virksomhetsstøtte;0;0;0",
        "TDR;Teknisk drift;1;0;-1",
        "Sum;;2;1;-1",
    ]

    xlsx = await client.get(
        "/restanse/oppfolging/eksport", params={**params, "format": "xlsx", "filter": "tdr"}
    )
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == export.XLSX_MEDIA_TYPE
    name, rows, _styles = read_xlsx(xlsx.content)
    assert name == "Restanser per enhet 15.04.2026"
    assert rows == [
        ["Enhetskode", "Enhet", "Restanser 15.03.2026", "Restanser 15.04.2026", "Endring"],
        ["TDR", "Teknisk drift", 1, 0, -1],
        ["Sum", None, 1, 0, -1],
    ]

    handlers = await client.get(
        "/restanse/oppfolging/eksport", params={**params, "format": "csv", "visning": "saksbehandler"}
    )
    assert handlers.content.decode("utf-8-sig").splitlines() == [
        "Enhetskode;Enhet;Saksbehandler;Restanser 15.03.2026;Restanser 15.04.2026;Endring;30 eller flere",
        "LMA;Landbruk, miljø og arealforvaltning;Hanne Handler;1;1;0;",
        "TDR;Teknisk drift;Trine Teknisk;1;0;-1;",
        "Sum;;;2;1;-1;",
    ]

    unknown = await client.get("/restanse/oppfolging/eksport", params={**params, "format": "pdf"})
    assert unknown.status_code == 404
