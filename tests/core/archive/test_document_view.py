"""Which files a page may show (core.archive.document_view): by media type or extension, and
only when the bytes agree."""

from __future__ import annotations

import pytest

from core.archive.document_view import IMAGE, PDF, shows_inline, view_kind, view_media_type


@pytest.mark.parametrize(
    ("format", "filnavn", "kind"),
    [
        ("application/pdf", "brev.docx", PDF),  # the media type decides when there is one
        ("Application/PDF; charset=binary", "", PDF),
        ("image/png", "", IMAGE),
        ("image/jpeg", "", IMAGE),
        ("image/gif", "", IMAGE),
        ("image/webp", "", IMAGE),
        ("image/svg+xml", "kart.svg", None),  # SVG can carry script: never shown
        ("text/html", "side.html", None),
        ("text/markdown", "notat.md", None),
        ("application/octet-stream", "brev.pdf", None),
        ("PDF/A", "brev.pdf", PDF),  # a format name: the extension decides
        ("", "Kart.JPG", IMAGE),
        ("", "kart.svg", None),
        ("", "uten-endelse", None),
        (None, None, None),
    ],
)
def test_view_kind(format: str | None, filnavn: str | None, kind: str | None) -> None:
    assert view_kind(format, filnavn) == kind


def test_the_bytes_must_agree_with_the_media_type() -> None:
    assert view_media_type("", "brev.pdf") == "application/pdf"
    assert shows_inline("application/pdf", b"%PDF-1.7 ...")
    assert not shows_inline("application/pdf", b"<html><script>alert(1)</script>")
    assert shows_inline("image/png", b"\x89PNG\r\n\x1a\n....")
    assert not shows_inline("image/png", b"%PDF-1.7")
    assert shows_inline("image/jpeg", b"\xff\xd8\xff\xe0")
    assert shows_inline("image/gif", b"GIF89a....")
    assert shows_inline("image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    assert not shows_inline("image/webp", b"RIFF\x00\x00\x00\x00WAVEfmt ")
    assert not shows_inline("text/html", b"<html>")
    assert not shows_inline("application/pdf", b"")
