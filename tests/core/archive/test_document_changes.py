"""Document versions marked and compared: ``add_version(..., opprettet_i=...)``, the text of
.docx/.odt/.txt files (``core.archive.document_text``, real files written in the test with
python-docx and odfpy), the line diff, and the page ``/arkiv/dokument/<id>/endringer`` with the
download's access rules and the links from the version history."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import docx
import pytest
from odf.opendocument import OpenDocumentText
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, LineBreak, List, ListItem, P, Span

from core.archive import document_text, services
from core.archive.document_text import DiffLine, TextUnavailable, diff_lines, lines_of, text_kind
from core.archive.queries.document_changes import version_changes
from core.archive.queries.visibility import Viewer
from core.archive.services import NewDocument, UploadedFile
from core.archive.tables import Dokumentbeskrivelse, Dokumentobjekt
from core.errors import Forbidden, NotFound, ValidationFailed
from tests.core.archive.service_org import make_org, outgoing, own_case
from tests.support.factories import as_user, grant_code, login

pytestmark = pytest.mark.anyio

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"


def make_docx(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    document.add_heading(paragraphs[0], 1)
    for text in paragraphs[1:]:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_odt(*paragraphs: str) -> bytes:
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=paragraphs[0]))
    for text in paragraphs[1:]:
        document.text.addElement(P(text=text))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# -- the text of a file ---------------------------------------------------------------------------


def test_docx_text_is_its_paragraphs_and_table_cells_in_order() -> None:
    document = docx.Document()
    document.add_heading("Vedtak om tilskudd", 1)
    document.add_paragraph("")
    paragraph = document.add_paragraph("Søknaden er ")
    paragraph.add_run("innvilget").bold = True
    paragraph.add_run(".")
    grid = document.add_table(rows=2, cols=2)
    grid.cell(0, 0).text, grid.cell(0, 1).text = "Post", "Beløp"
    merged = grid.cell(1, 0).merge(grid.cell(1, 1))
    merged.text = "Sum 120 000"
    document.add_paragraph("Første linje\nandre linje")
    out = io.BytesIO()
    document.save(out)

    assert lines_of(out.getvalue(), "vedtak.docx") == [
        "Vedtak om tilskudd",
        "Søknaden er innvilget.",
        "Post",
        "Beløp",
        "Sum 120 000",
        "Første linje",
        "andre linje",
    ]


def test_odt_text_is_its_headings_paragraphs_lists_and_cells() -> None:
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Notat"))
    paragraph = P(text="Vi foreslår ")
    paragraph.addElement(Span(text="å utsette saken"))
    paragraph.addText(".")
    document.text.addElement(paragraph)
    items = List()
    item = ListItem()
    item.addElement(P(text="Punkt én"))
    items.addElement(item)
    document.text.addElement(items)
    table = Table()
    table.addElement(TableColumn())
    row = TableRow()
    cell = TableCell()
    cell.addElement(P(text="Celle"))
    row.addElement(cell)
    table.addElement(row)
    document.text.addElement(table)
    broken = P(text="Før")
    broken.addElement(LineBreak())
    broken.addText("etter")
    document.text.addElement(broken)
    out = io.BytesIO()
    document.save(out)

    assert lines_of(out.getvalue(), "notat.odt") == [
        "Notat",
        "Vi foreslår å utsette saken.",
        "Punkt én",
        "Celle",
        "Før",
        "etter",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Første\r\n\r\n  andre  linje \n".encode(), ["Første", "andre linje"]),
        ("\ufeffMed BOM\nØl".encode(), ["Med BOM", "Øl"]),
        ("Blåbær\nsyltetøy".encode("cp1252"), ["Blåbær", "syltetøy"]),
        ("Tekst i UTF-16\nÆØÅ".encode("utf-16"), ["Tekst i UTF-16", "ÆØÅ"]),
    ],
)
def test_txt_text_in_the_usual_encodings(content: bytes, expected: list[str]) -> None:
    assert lines_of(content, "notat.txt") == expected


def test_which_formats_are_compared() -> None:
    assert [text_kind(n) for n in ("a.DOCX", "b.odt", "c.txt", "d.pdf", "e.doc", "f")] == [
        "docx",
        "odt",
        "txt",
        None,
        None,
        None,
    ]
    assert text_kind("uten-endelse", DOCX) == "docx"
    assert text_kind("uten-endelse", "text/plain; charset=utf-8") == "txt"
    with pytest.raises(TextUnavailable) as refused:
        lines_of(b"%PDF-1.7", "brev.pdf", "application/pdf")
    assert refused.value.detail == (
        "Endringer kan bare vises for Word-dokumenter (.docx), OpenDocument-tekst (.odt) og tekstfiler (.txt)."
    )
    assert refused.value.status_code == 422


def test_damaged_and_too_large_files_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TextUnavailable, match=re.escape("Teksten i «brev.docx» kunne ikke leses.")):
        lines_of(b"ikke en zip-fil", "brev.docx")
    not_word = io.BytesIO()
    with zipfile.ZipFile(not_word, "w") as package:
        package.writestr("hei.txt", "hei")
    with pytest.raises(TextUnavailable, match="kunne ikke leses"):
        lines_of(not_word.getvalue(), "brev.docx")
    with pytest.raises(TextUnavailable, match="kunne ikke leses"):
        lines_of(not_word.getvalue(), "brev.odt")
    with pytest.raises(TextUnavailable, match="kunne ikke leses"):
        lines_of(b"binary\x00data", "notat.txt")
    too_large = "Dokumentet er for stort til at endringene kan vises."
    # A package that unpacks to more than the limit is refused before it is parsed.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"0" * 2_000_000)
    monkeypatch.setattr(document_text, "MAX_UNPACKED_BYTES", 1_000_000)
    with pytest.raises(TextUnavailable, match=too_large):
        lines_of(bomb.getvalue(), "bombe.docx")
    monkeypatch.setattr(document_text, "MAX_FILE_BYTES", 10)
    with pytest.raises(TextUnavailable, match=too_large):
        lines_of(b"mer enn ti byte", "notat.txt")
    monkeypatch.setattr(document_text, "MAX_FILE_BYTES", 1_000_000)
    monkeypatch.setattr(document_text, "MAX_LINES", 3)
    with pytest.raises(TextUnavailable, match=too_large):
        lines_of(b"1\n2\n3\n4", "notat.txt")
    assert lines_of(b"1\n2\n3", "notat.txt") == ["1", "2", "3"]


# -- the diff ---------------------------------------------------------------------------------


def test_diff_marks_removed_and_added_lines_with_context() -> None:
    old = [f"Avsnitt {n}" for n in range(1, 11)]
    new = [*old[:4], "Avsnitt 5 endret", *old[5:9], "Avsnitt 11"]

    result = diff_lines(old, new)

    assert (result.added, result.removed, result.changed) == (2, 2, True)
    assert result.lines == [
        DiffLine("skipped", skipped=2),
        DiffLine("same", "Avsnitt 3"),
        DiffLine("same", "Avsnitt 4"),
        DiffLine("removed", "Avsnitt 5"),
        DiffLine("added", "Avsnitt 5 endret"),
        DiffLine("same", "Avsnitt 6"),
        DiffLine("same", "Avsnitt 7"),
        DiffLine("same", "Avsnitt 8"),
        DiffLine("same", "Avsnitt 9"),
        DiffLine("removed", "Avsnitt 10"),
        DiffLine("added", "Avsnitt 11"),
    ]
    assert diff_lines(old, old).lines == [DiffLine("skipped", skipped=10)]
    assert not diff_lines(old, old).changed
    assert diff_lines([], ["Ny"]).lines == [DiffLine("added", "Ny")]


def test_a_long_repetitive_text_is_compared_in_bounded_time() -> None:
    # Exact matching of lines like these takes minutes; above the limit difflib's autojunk
    # keeps it fast (coarser, still a correct list of removed and added lines).
    old = [str(n % 7) for n in range(5000)]
    new = [str(n % 5) for n in range(5000)]
    result = diff_lines(old, new)
    kept = [line.text for line in result.lines if line.kind in ("same", "removed")]
    assert len(kept) + sum(line.skipped for line in result.lines) == len(old)
    rebuilt = [line.text for line in result.lines if line.kind in ("same", "added")]
    assert len(rebuilt) + sum(line.skipped for line in result.lines) == len(new)


# -- versions: opprettet_i ------------------------------------------------------------------------


async def docx_post(settings: Any, org: Any, first: bytes) -> tuple[int, int]:
    post_id = await outgoing(
        settings,
        org,
        await own_case(settings, org),
        documents=[NewDocument("Vedtak", UploadedFile("vedtak.docx", first, DOCX), "H")],
    )
    [document] = await Dokumentbeskrivelse.select().where(Dokumentbeskrivelse.journalpost == post_id)
    return post_id, int(document["id"])


async def test_add_version_marks_where_it_was_made(settings, db) -> None:
    org = await make_org()
    _post, document_id = await docx_post(settings, org, make_docx("Vedtak", "Utkast"))
    handler = await as_user(org.handler)
    # The signature without the keyword still works.
    await services.add_version(
        settings, handler, document_id, UploadedFile("v2.docx", make_docx("Vedtak", "To"))
    )
    v3 = await services.add_version(
        settings,
        handler,
        document_id,
        UploadedFile("v3.docx", make_docx("Vedtak", "Tre")),
        opprettet_i="  Godkjenning,   steg 1 ",
    )
    rows = await Dokumentobjekt.select(Dokumentobjekt.id, Dokumentobjekt.opprettet_i).order_by(
        Dokumentobjekt.versjonsnummer
    )
    assert [r["opprettet_i"] for r in rows] == ["", "", "Godkjenning, steg 1"]
    assert rows[2]["id"] == v3
    with pytest.raises(ValidationFailed) as failed:
        await services.add_version(
            settings, handler, document_id, UploadedFile("v4.docx", b"x"), opprettet_i="x" * 201
        )
    assert failed.value.errors == {"opprettet_i": "Hvor versjonen ble laget, kan ha høyst 200 tegn."}


# -- the changes page -----------------------------------------------------------------------------


async def test_version_changes_read(settings, db) -> None:
    org = await make_org()
    _post, document_id = await docx_post(
        settings, org, make_docx("Vedtak", "Søknaden er mottatt.", "Beløpet er 100 000 kroner.", "Med hilsen")
    )
    await services.add_version(
        settings,
        await as_user(org.leader),
        document_id,
        UploadedFile(
            "vedtak-v2.docx",
            make_docx("Vedtak", "Søknaden er mottatt.", "Beløpet er 120 000 kroner.", "Med hilsen"),
        ),
        opprettet_i="Godkjenning, steg 1",
    )
    viewer = await Viewer.of(await as_user(org.handler))

    result = await version_changes(settings, viewer, document_id, 1, 2)

    assert result["dokument"]["tittel"] == "Vedtak"
    assert (result["fra"]["versjonsnummer"], result["til"]["versjonsnummer"]) == (1, 2)
    assert result["til"]["opprettet_i"] == "Godkjenning, steg 1"
    assert [(line.kind, line.text) for line in result["endringer"].lines if line.kind != "same"] == [
        ("removed", "Beløpet er 100 000 kroner."),
        ("added", "Beløpet er 120 000 kroner."),
    ]
    assert (await version_changes(settings, viewer, document_id, 2, 1))["endringer"].lines[2] == DiffLine(
        "removed", "Beløpet er 120 000 kroner."
    )
    with pytest.raises(NotFound, match=re.escape("Dokumentet har ingen versjon 3.")):
        await version_changes(settings, viewer, document_id, 1, 3)
    with pytest.raises(ValidationFailed):
        await version_changes(settings, viewer, document_id, 2, 2)
    with pytest.raises(NotFound):
        await version_changes(settings, viewer, 999_999, 1, 2)


async def test_changes_follow_the_download_rules_for_skjerming(settings, db) -> None:
    org = await make_org()
    _post, document_id = await docx_post(settings, org, make_docx("Vedtak", "En"))
    await services.add_version(
        settings, await as_user(org.handler), document_id, UploadedFile("v2.docx", make_docx("Vedtak", "To"))
    )
    await Dokumentbeskrivelse.update({Dokumentbeskrivelse.tilgangsrestriksjon: "P"}).where(
        Dokumentbeskrivelse.id == document_id
    )
    colleague = await Viewer.of(await as_user(org.colleague))
    with pytest.raises(Forbidden, match="Dokumentet er skjermet"):
        await version_changes(settings, colleague, document_id, 1, 2)
    await grant_code(org.colleague, "P")
    colleague = await Viewer.of(await as_user(org.colleague))
    assert (await version_changes(settings, colleague, document_id, 1, 2))["endringer"].changed
    # The handler is involved in the post and needs no code, as for the download.
    handler = await Viewer.of(await as_user(org.handler))
    assert (await version_changes(settings, handler, document_id, 1, 2))["endringer"].changed


async def test_the_changes_page_marks_lines_with_text_not_only_colour(client, settings) -> None:
    org = await make_org()
    post_id, document_id = await docx_post(settings, org, make_docx("Vedtak", "Gammel <setning>.", "Felles"))
    await services.add_version(
        settings,
        await as_user(org.handler),
        document_id,
        UploadedFile("vedtak-v2.docx", make_docx("Vedtak", "Ny setning.", "Felles")),
        opprettet_i="Godkjenning, steg 1",
    )
    await login(client, org.handler)

    response = await client.get(f"/arkiv/dokument/{document_id}/endringer?fra=1&til=2")

    assert response.status_code == 200, response.text[:600]
    html = response.text
    assert "<h1>" in html and "Endringer fra versjon 1 til versjon 2" in html
    assert '<del><span class="visually-hidden">Fjernet: </span>Gammel &lt;setning&gt;.</del>' in html
    assert '<ins><span class="visually-hidden">Lagt til: </span>Ny setning.</ins>' in html
    assert "1 linje er lagt til, 1 linje er fjernet." in html
    assert "Godkjenning, steg 1" in html
    assert f'href="/arkiv/journalpost/{post_id}#dokumenter"' in html
    assert " style=" not in html and "<script>" not in html
    # The post page links the two consecutive versions and shows where v2 was made.
    page = (await client.get(f"/arkiv/journalpost/{post_id}")).text
    assert f'href="/arkiv/dokument/{document_id}/endringer?fra=1&amp;til=2"' in page
    assert "Se endringer fra versjon 1" in page
    assert "· Godkjenning, steg 1" in page


async def test_odt_and_txt_versions_are_compared_and_pdf_is_not(client, settings) -> None:
    org = await make_org()
    handler = await as_user(org.handler)
    post_id = await outgoing(
        settings,
        org,
        await own_case(settings, org),
        documents=[
            NewDocument("Notat", UploadedFile("notat.odt", make_odt("Notat", "Første utkast"), ODT), "H"),
            NewDocument("Liste", UploadedFile("liste.txt", "eple\npære\n".encode(), "text/plain"), "V"),
            NewDocument("Brev", UploadedFile("brev.pdf", b"%PDF-1.7 en", "application/pdf"), "V"),
        ],
    )
    documents = {
        d["tittel"]: d["id"]
        for d in await Dokumentbeskrivelse.select().where(Dokumentbeskrivelse.journalpost == post_id)
    }
    await services.add_version(
        settings,
        handler,
        documents["Notat"],
        UploadedFile("notat.odt", make_odt("Notat", "Andre utkast"), ODT),
    )
    await services.add_version(
        settings, handler, documents["Liste"], UploadedFile("liste.txt", b"eple\nbanan\n")
    )
    await services.add_version(settings, handler, documents["Brev"], UploadedFile("brev.pdf", b"%PDF-1.7 to"))
    await login(client, org.handler)

    odt = (await client.get(f"/arkiv/dokument/{documents['Notat']}/endringer?fra=1&til=2")).text
    assert "Lagt til: </span>Andre utkast</ins>" in odt and "Fjernet: </span>Første utkast</del>" in odt
    txt = (await client.get(f"/arkiv/dokument/{documents['Liste']}/endringer?fra=1&til=2")).text
    assert "Lagt til: </span>banan</ins>" in txt and "Fjernet: </span>pære</del>" in txt
    assert "1 uendret linje" not in txt  # «eple» is shown as context (only one line)
    pdf = await client.get(f"/arkiv/dokument/{documents['Brev']}/endringer?fra=1&til=2")
    assert pdf.status_code == 422
    assert "Endringer kan bare vises for Word-dokumenter (.docx)" in pdf.text
    assert "<h1>" in pdf.text and 'role="alert"' in pdf.text
    page = (await client.get(f"/arkiv/journalpost/{post_id}")).text
    assert f"/arkiv/dokument/{documents['Notat']}/endringer?fra=1&amp;til=2" in page
    assert f"/arkiv/dokument/{documents['Liste']}/endringer?fra=1&amp;til=2" in page
    assert f"/arkiv/dokument/{documents['Brev']}/endringer" not in page
    for url in (
        f"/arkiv/dokument/{documents['Notat']}/endringer",
        f"/arkiv/dokument/{documents['Notat']}/endringer?fra=1&til=x",
        f"/arkiv/dokument/{documents['Notat']}/endringer?fra=1&til=7",
        "/arkiv/dokument/999999/endringer?fra=1&til=2",
    ):
        assert (await client.get(url)).status_code == 404, url


async def test_the_changes_page_is_forbidden_where_the_download_is(client, settings) -> None:
    org = await make_org()
    post_id, document_id = await docx_post(settings, org, make_docx("Vedtak", "En"))
    await services.add_version(
        settings, await as_user(org.handler), document_id, UploadedFile("v2.docx", make_docx("Vedtak", "To"))
    )
    await Dokumentbeskrivelse.update({Dokumentbeskrivelse.tilgangsrestriksjon: "P"}).where(
        Dokumentbeskrivelse.id == document_id
    )
    [v1] = await Dokumentobjekt.select(Dokumentobjekt.id).where(Dokumentobjekt.versjonsnummer == 1)
    await login(client, org.colleague)
    assert (await client.get(f"/arkiv/dokument/{v1['id']}/fil")).status_code == 403
    response = await client.get(f"/arkiv/dokument/{document_id}/endringer?fra=1&til=2")
    assert response.status_code == 403
    assert "Dokumentet er skjermet" in response.text
    assert "<ins>" not in response.text and "<del>" not in response.text
    page = (await client.get(f"/arkiv/journalpost/{post_id}")).text
    assert f"/arkiv/dokument/{document_id}/endringer" not in page
