"""Plain text of a document version, and the changes between two versions.

Only formats whose text can be read reliably are compared: Word (``.docx``, through python-docx),
OpenDocument text (``.odt``, through odfpy) and plain text (``.txt``). The text is the document's
paragraphs in order (table cells included), split at line breaks, without empty lines and
surrounding blanks; formatting, headers, footers and comments are not part of it. Everything
else is refused with :class:`TextUnavailable` (a Norwegian sentence for the user).

Input is capped: the file (:data:`MAX_FILE_BYTES`), what a ``.docx``/``.odt`` unpacks to
(:data:`MAX_UNPACKED_BYTES`, so a zip bomb is refused before it is parsed) and the text
(:data:`MAX_LINES`, :data:`MAX_CHARS`). XML is parsed without resolving entities (python-docx's
parser; odfpy uses defusedxml).

:func:`diff_lines` compares two texts line by line with :mod:`difflib` and keeps
:data:`CONTEXT` unchanged lines around each change; longer unchanged stretches become one
``skipped`` entry. Its time stays bounded (:data:`EXACT_LIMIT`).
"""

from __future__ import annotations

import difflib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from core.errors import UserFacingError
from core.i18n import _

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest file that is read (20 MB)."""
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""Largest total a .docx/.odt may unpack to (100 MB)."""
MAX_LINES = 5_000
"""Most lines of text compared per version."""
MAX_CHARS = 1_000_000
"""Most characters of text compared per version."""
CONTEXT = 2
"""Unchanged lines shown before and after each change."""

DOCX, ODT, TXT = "docx", "odt", "txt"
KINDS = {
    DOCX: ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    ODT: ("application/vnd.oasis.opendocument.text",),
    TXT: ("text/plain",),
}
"""The formats whose text is compared, with their media types."""


class TextUnavailable(UserFacingError):
    """The text of this version cannot be compared (format, size or a damaged file)."""

    status_code = 422


def text_kind(filnavn: str, format: str = "") -> str | None:
    """``docx``, ``odt`` or ``txt`` for a file whose text can be compared, else None. The file
    name's extension decides; without one, the media type (``format``)."""
    name = (filnavn or "").strip().lower()
    if "." in name:
        extension = name.rsplit(".", 1)[1]
        return extension if extension in KINDS else None
    media = (format or "").split(";", 1)[0].strip().lower()
    return next((kind for kind, types in KINDS.items() if media in types), None)


def refused_format() -> TextUnavailable:
    return TextUnavailable(
        _(
            "Endringer kan bare vises for Word-dokumenter (.docx), OpenDocument-tekst (.odt) og "
            "tekstfiler (.txt)."
        )
    )


def too_large() -> TextUnavailable:
    return TextUnavailable(_("Dokumentet er for stort til at endringene kan vises."))


def damaged(filnavn: str) -> TextUnavailable:
    return TextUnavailable(
        _("Teksten i «%(filnavn)s» kunne ikke leses. Filen kan være skadet.") % {"filnavn": filnavn}
    )


def lines_of(content: bytes, filnavn: str, format: str = "") -> list[str]:
    """The text of a file as lines (see the module docstring). Raises :class:`TextUnavailable`
    for another format, a file too large, or one that cannot be read."""
    kind = text_kind(filnavn, format)
    if kind is None:
        raise refused_format()
    if len(content) > MAX_FILE_BYTES:
        raise too_large()
    if kind == TXT:
        return _capped(iter(_decode(content, filnavn).splitlines()))
    _check_package(content, filnavn)
    try:
        return _capped(_docx_paragraphs(content) if kind == DOCX else _odt_paragraphs(content))
    except TextUnavailable:
        raise
    except Exception as exc:  # a damaged or foreign file: the libraries raise many kinds
        raise damaged(filnavn) from exc


def _capped(paragraphs: Iterator[str]) -> list[str]:
    lines: list[str] = []
    chars = 0
    for paragraph in paragraphs:
        for line in paragraph.splitlines():
            text = " ".join(line.split())
            if not text:
                continue
            chars += len(text)
            lines.append(text)
            if len(lines) > MAX_LINES or chars > MAX_CHARS:
                raise too_large()
    return lines


def _decode(content: bytes, filnavn: str) -> str:
    """A text file's characters: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise damaged(filnavn) from exc
    if b"\x00" in content:
        raise damaged(filnavn)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _check_package(content: bytes, filnavn: str) -> None:
    """A .docx/.odt is a zip: refuse one that is not, or that unpacks to too much."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise damaged(filnavn) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise too_large()


def _docx_paragraphs(content: bytes) -> Iterator[str]:
    import docx

    document = docx.Document(io.BytesIO(content))
    yield from _docx_blocks(document.iter_inner_content())


def _docx_blocks(blocks: Iterator[Any]) -> Iterator[str]:
    """Paragraph texts of a body or cell, descending into tables (each merged cell once)."""
    from docx.table import Table

    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    yield from _docx_blocks(cell.iter_inner_content())
        else:
            yield str(block.text)


def _odt_paragraphs(content: bytes) -> Iterator[str]:
    from odf import opendocument, teletype
    from odf.namespaces import TEXTNS

    document = opendocument.load(io.BytesIO(content))
    stack: list[Any] = [document.text]
    wanted = {(TEXTNS, "p"), (TEXTNS, "h")}
    # Depth first in document order: a paragraph or heading is one text (with its spans,
    # tabs and line breaks); other elements (lists, tables, sections) are searched.
    while stack:
        element = stack.pop()
        if getattr(element, "qname", None) in wanted:
            yield str(teletype.extractText(element))
            continue
        children = [c for c in getattr(element, "childNodes", []) if c.nodeType == c.ELEMENT_NODE]
        stack.extend(reversed(children))


@dataclass(frozen=True)
class DiffLine:
    """One line of a comparison: ``kind`` is ``same``, ``removed``, ``added`` or ``skipped``
    (``skipped`` unchanged lines not shown; ``text`` is then empty)."""

    kind: str
    text: str = ""
    skipped: int = 0


@dataclass(frozen=True)
class Diff:
    lines: list[DiffLine]
    added: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


EXACT_LIMIT = 1_000_000
"""Up to this many line pairs (changed middle of the old text × of the new) the comparison is
exact; beyond it :class:`difflib.SequenceMatcher` runs with ``autojunk`` (lines repeated very
often no longer anchor a match), which keeps a long, repetitive document from taking minutes."""


def _opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes for ``old`` → ``new``, with the common start and end taken off first
    (most edits are local, so the matcher sees only the changed middle)."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    a, b = old[start : len(old) - end], new[start : len(new) - end]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=len(a) * len(b) > EXACT_LIMIT)
    middle = [
        (tag, i1 + start, i2 + start, j1 + start, j2 + start)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if (i1, i2, j1, j2) != (0, 0, 0, 0)
    ]
    ops = [
        ("equal", 0, start, 0, start),
        *middle,
        ("equal", len(old) - end, len(old), len(new) - end, len(new)),
    ]
    merged: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in ops:
        if i1 == i2 and j1 == j2:
            continue
        if merged and tag == "equal" and merged[-1][0] == "equal":
            merged[-1] = ("equal", merged[-1][1], i2, merged[-1][3], j2)
        else:
            merged.append((tag, i1, i2, j1, j2))
    return merged


def diff_lines(old: list[str], new: list[str], context: int = CONTEXT) -> Diff:
    """The changes from ``old`` to ``new``: removed lines before the added lines that replace
    them, ``context`` unchanged lines around each change, longer unchanged stretches skipped."""
    opcodes = _opcodes(old, new)
    lines: list[DiffLine] = []
    added = removed = 0
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = old[i1:i2]
            head = context if index > 0 else 0
            tail = context if index < len(opcodes) - 1 else 0
            if len(same) <= head + tail:
                lines += [DiffLine("same", text) for text in same]
            else:
                lines += [DiffLine("same", text) for text in same[:head]]
                lines.append(DiffLine("skipped", skipped=len(same) - head - tail))
                lines += [DiffLine("same", text) for text in same[len(same) - tail :]]
            continue
        lines += [DiffLine("removed", text) for text in old[i1:i2]]
        lines += [DiffLine("added", text) for text in new[j1:j2]]
        removed += i2 - i1
        added += j2 - j1
    return Diff(lines=lines, added=added, removed=removed)
