"""``GET /arkiv/dokument/<id>/vis``: a version shown inside a page (a PDF in a frame, an image),
with the download's access check, only when the file is what it says, and with the headers
that let only the app's own pages frame it (and nothing in it run)."""

from __future__ import annotations

import pytest

from core.web.middleware import CSP, FRAMED_FILE_CSP
from tests.support.factories import (
    grant_code,
    login,
    make_case,
    make_document,
    make_person,
    make_post,
    make_unit,
)

pytestmark = pytest.mark.anyio

PDF = b"%PDF-1.7 Brev om tilskudd"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


async def test_a_pdf_is_shown_inline_and_only_the_app_may_frame_it(client, settings) -> None:
    unit = await make_unit()
    me = await make_person(unit=unit)
    post = await make_post(await make_case(unit=unit), unit=unit)
    _doc, [version] = await make_document(settings, post, [PDF], filnavn="Brev om tilskudd.pdf")
    await login(client, me)
    response = await client.get(f"/arkiv/dokument/{version}/vis")
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith('inline; filename="Brev om tilskudd.pdf"')
    assert response.headers["content-security-policy"] == FRAMED_FILE_CSP
    assert "sandbox" in FRAMED_FILE_CSP and "frame-ancestors 'self'" in FRAMED_FILE_CSP
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "no-store" in response.headers["cache-control"]
    # The download and every page keep the app's own policy: no framing at all.
    download = await client.get(f"/arkiv/dokument/{version}/fil")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["content-security-policy"] == CSP
    assert download.headers["x-frame-options"] == "DENY"
    page = await client.get(f"/arkiv/journalpost/{post}")
    assert (
        page.headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in page.headers["content-security-policy"]
    )


async def test_an_image_is_shown_other_files_are_only_downloaded(client, settings) -> None:
    unit = await make_unit()
    me = await make_person(unit=unit)
    post = await make_post(await make_case(unit=unit), unit=unit)
    _d, [image] = await make_document(settings, post, [PNG], filnavn="kart.png", format="image/png")
    _d, [markdown] = await make_document(
        settings, post, [b"# Notat"], filnavn="notat.md", format="text/markdown", dokumentnummer=2
    )
    _d, [svg] = await make_document(
        settings, post, [b"<svg><script/></svg>"], filnavn="k.svg", format="image/svg+xml", dokumentnummer=3
    )
    # Says PDF, holds HTML: never sent inline.
    _d, [fake] = await make_document(
        settings, post, [b"<html><script>alert(1)</script>"], filnavn="falsk.pdf", dokumentnummer=4
    )
    await login(client, me)
    shown = await client.get(f"/arkiv/dokument/{image}/vis")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
    for version in (markdown, svg, fake):
        refused = await client.get(f"/arkiv/dokument/{version}/vis")
        assert refused.status_code == 404, version
        assert "Dokumentet kan ikke vises i nettleseren. Last det ned i stedet." in refused.text
        assert b"<script>alert" not in refused.content
        assert (await client.get(f"/arkiv/dokument/{version}/fil")).status_code == 200
    assert (await client.get("/arkiv/dokument/999999/vis")).status_code == 404


async def test_a_restricted_document_is_shown_only_with_access(client, settings) -> None:
    unit = await make_unit()
    me = await make_person(unit=unit)
    case = await make_case("Barnevernsak", unit=unit, tilgangsrestriksjon="P")
    post = await make_post(case, "Bekymringsmelding", unit=unit, tilgangsrestriksjon="P")
    _doc, [version] = await make_document(settings, post, [PDF])
    await login(client, me)
    refused = await client.get(f"/arkiv/dokument/{version}/vis")
    assert refused.status_code == 403 and PDF not in refused.content
    await grant_code(me, "P")
    assert (await client.get(f"/arkiv/dokument/{version}/vis")).content == PDF
