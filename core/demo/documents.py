"""Small real documents for the demo data: one-page PDFs and Markdown notes.

:func:`pdf` writes a minimal, valid PDF 1.4 (catalog, one A4 page, the standard Helvetica fonts
with WinAnsiEncoding so æøå and the en dash print, a correct cross-reference table) without
any dependency. The bytes depend only on the arguments, so the same document is stored once in
the content-addressed :class:`~core.archive.filestore.FileStore`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 56
WRAP = 88  # characters per 11 pt line inside the margins


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters (fast path for the many short lines)."""
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width) or [""]


def _pdf_string(text: str) -> bytes:
    """A literal string for a content stream: WinAnsi (cp1252) with ``\\``, ``(``, ``)`` escaped."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _info_string(text: str) -> bytes:
    """A text string for the document information dictionary (UTF-16BE with BOM, hex)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def pdf(title: str, lines: Sequence[str] = (), *, heading: str = "") -> bytes:
    """A one-page PDF with an optional small ``heading``, the ``title`` in bold and ``lines``.

    Long lines are wrapped; an empty string gives a blank line. The page holds about 55 lines.
    """
    body: list[bytes] = [b"BT"]
    y = PAGE_HEIGHT - MARGIN
    if heading:
        body += [b"/F1 9 Tf", f"1 0 0 1 {MARGIN} {y} Tm".encode(), _pdf_string(heading) + b" Tj"]
        y -= 30
    for part in _wrap(title, 60):
        body += [b"/F2 15 Tf", f"1 0 0 1 {MARGIN} {y} Tm".encode(), _pdf_string(part) + b" Tj"]
        y -= 20
    y -= 10
    body.append(b"/F1 11 Tf")
    for line in lines:
        for part in _wrap(line, WRAP):
            if y < MARGIN:
                break
            body += [f"1 0 0 1 {MARGIN} {y} Tm".encode(), _pdf_string(part) + b" Tj"]
            y -= 15
    body.append(b"ET")
    stream = b"\n".join(body)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
        ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream",
        b"<< /Title " + _info_string(title) + b" /Producer (arkivrutiner demodata) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 7 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def markdown(title: str, lines: Sequence[str] = ()) -> bytes:
    """A short Markdown note (UTF-8)."""
    text = f"# {title}\n\n" + "\n".join(lines).strip() + "\n"
    return text.encode("utf-8")
