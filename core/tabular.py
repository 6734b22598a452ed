"""Tables as files: CSV and Excel (.xlsx), with one rule for what a cell shows.

Every export in the app (the hendelseslogg, the plugins' reports, the CLI) writes through this
module, so the files agree. HTTP downloads of them are in :mod:`core.web.downloads`.

**Cells** (:func:`cell_text` for CSV, the same rule typed for XLSX):

- ``None`` is an empty cell; booleans are *Ja*/*Nei* (in the user's language);
- ``int``/``float``/``Decimal`` are numbers (CSV: ``str(value)``, so ``2.5`` and ``-3``);
- a ``date`` is ``dd.mm.yyyy``; a ``datetime`` is ``dd.mm.yyyy HH:MM`` in Europe/Oslo (an aware
  value is converted, a naive one is taken as Oslo time); with ``seconds=True`` (logs)
  ``dd.mm.yyyy HH:MM:SS``;
- anything else is text (``str(value)``).

**Formula injection** (OWASP "CSV Injection"): in CSV, a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows it as
text instead of running it. A lone ``-`` is left as it is: it is the usual "no value" mark, and
no spreadsheet reads it as a formula. Numbers are never text, so ``-3`` stays a number. In XLSX
every text cell is written as a string cell, which a spreadsheet never evaluates, so text is
written unchanged there (only characters XML cannot hold are removed).

**CSV**: UTF-8 with BOM (Excel then reads æøå right), ``;``-separated (Norwegian Excel's list
separator), CRLF line ends, quotes only where needed. :func:`csv_bytes` gives the whole file
(for the CLI); :func:`csv_stream` yields it in chunks from a plain or an async iterable of rows
(for exports read from the database in batches).

**XLSX** (XlsxWriter in ``constant_memory`` mode: rows go to disk as they are written, so memory
stays flat however long the sheet is): one sheet named after the title (cleaned to Excel's
rules: at most 31 characters, none of ``[]:*?/\\``), a bold frozen header row, numbers as
numbers, dates as real dates shown ``dd.mm.yyyy`` (``dd.mm.yyyy hh:mm`` with a time), text as
strings, column widths from the longest value (capped). XlsxWriter's scratch files live in a
:class:`tempfile.TemporaryDirectory` removed on every exit; the workbook itself goes to a file
object the caller gives, or to an anonymous :func:`tempfile.TemporaryFile` that has no name on
disk. :func:`xlsx_bytes` gives the whole file; :func:`xlsx_file` builds it from an async
iterable (off the event loop, in chunks) and returns the open temporary file.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import IO, Any

import anyio.to_thread
from xlsxwriter import Workbook

from core.errors import UserFacingError
from core.i18n import _, format_tall
from core.timeutil import OSLO

__all__ = [
    "CSV_MEDIA_TYPE",
    "XLSX_MAX_ROWS",
    "XLSX_MEDIA_TYPE",
    "TooManyRows",
    "XlsxSheet",
    "cell_text",
    "csv_bytes",
    "csv_stream",
    "escape_formula",
    "sheet_name",
    "xlsx_bytes",
    "xlsx_file",
]

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a CSV cell as a formula (OWASP's list)."""
CSV_CHUNK = 64 * 1024
""":func:`csv_stream` yields about this many characters at a time."""
XLSX_MAX_ROWS = 1_048_575
"""Data rows an Excel sheet holds under its header row."""
XLSX_CHUNK_ROWS = 1000
"""Rows :func:`xlsx_file` writes per trip to the worker thread."""
MIN_WIDTH, MAX_WIDTH = 6, 60
DATE_FORMAT = "dd.mm.yyyy"
DATETIME_FORMAT = "dd.mm.yyyy hh:mm"
DATETIME_SECONDS_FORMAT = "dd.mm.yyyy hh:mm:ss"

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SHEET_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
_EXACT_LIMIT = 10**15
"""Excel keeps 15 significant digits; larger integers are written as text to stay exact."""
_FIRST_DATE = date(1900, 1, 1)
"""Excel has no dates before this; older ones are written as text."""


class TooManyRows(UserFacingError):
    """The rows do not fit in one Excel sheet."""

    status_code = 422


# --- cells ---------------------------------------------------------------------------------


def _oslo(value: datetime) -> datetime:
    """Oslo wall time, naive (an aware value is converted; a naive one is taken as Oslo time)."""
    return value.astimezone(OSLO).replace(tzinfo=None) if value.tzinfo is not None else value


def _yes_no(value: bool) -> str:
    return _("Ja") if value else _("Nei")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def escape_formula(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    if text.startswith(FORMULA_START) and text != "-":
        return "'" + text
    return text


def cell_text(value: Any, *, seconds: bool = False) -> str:
    """A value as CSV text, by the module's cell rule (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if _is_number(value):
        return str(value)
    if isinstance(value, datetime):
        return _oslo(value).strftime("%d.%m.%Y %H:%M:%S" if seconds else "%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return escape_formula(str(value))


# --- CSV -----------------------------------------------------------------------------------


class _Lines:
    """A csv writer into a string buffer that is taken out piece by piece."""

    def __init__(self, seconds: bool) -> None:
        self.seconds = seconds
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def write(self, row: Iterable[Any]) -> None:
        self.writer.writerow([cell_text(v, seconds=self.seconds) for v in row])

    @property
    def size(self) -> int:
        return self.buffer.tell()

    def take(self) -> bytes:
        data = self.buffer.getvalue().encode("utf-8")
        self.buffer.seek(0)
        self.buffer.truncate()
        return data


def _csv_iter(header: Sequence[Any], rows: Iterable[Sequence[Any]], seconds: bool) -> Iterator[bytes]:
    lines = _Lines(seconds)
    lines.buffer.write(BOM)
    lines.write(header)
    for row in rows:
        lines.write(row)
        if lines.size >= CSV_CHUNK:
            yield lines.take()
    yield lines.take()


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, seconds: bool = False) -> bytes:
    """The whole CSV file: ``header``, then ``rows`` (see the module docstring)."""
    return b"".join(_csv_iter(header, rows, seconds))


async def csv_stream(
    header: Sequence[Any],
    rows: AsyncIterable[Sequence[Any]] | Iterable[Sequence[Any]],
    *,
    seconds: bool = False,
) -> AsyncIterator[bytes]:
    """The CSV file in chunks: the BOM and header first (at once), then about
    :data:`CSV_CHUNK` characters at a time as the rows come."""
    lines = _Lines(seconds)
    lines.buffer.write(BOM)
    lines.write(header)
    yield lines.take()
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            lines.write(row)
            if lines.size >= CSV_CHUNK:
                yield lines.take()
    else:
        for row in rows:
            lines.write(row)
            if lines.size >= CSV_CHUNK:
                yield lines.take()
    if lines.size:
        yield lines.take()


# --- XLSX ----------------------------------------------------------------------------------


def sheet_name(title: str) -> str:
    """``title`` as a valid sheet name: ``[]:*?/\\`` become spaces, no apostrophe at either
    end, at most 31 characters; ``Ark1`` when nothing is left (or for Excel's reserved
    ``History``)."""
    name = _SHEET_ILLEGAL.sub(" ", _XML_ILLEGAL.sub("", title)).strip().strip("'")
    name = name[:31].rstrip().rstrip("'")
    if not name or name.lower() == "history":
        return "Ark1"
    return name


def _clean_text(value: str) -> str:
    return _XML_ILLEGAL.sub("", value)


def _width(text_length: int) -> int:
    return min(max(text_length, MIN_WIDTH), MAX_WIDTH) + 2


class XlsxSheet:
    """A one-sheet workbook written row by row into ``target`` (a binary file object open for
    writing and seeking). Use as a context manager: leaving it normally finishes the workbook;
    leaving it with an exception leaves ``target`` unfinished. Either way the scratch files
    are removed.

    >>> with tempfile.TemporaryFile() as fh:
    ...     with XlsxSheet(fh, "Ark", ["Navn", "Antall"]) as sheet:
    ...         sheet.write_rows([["A", 1]])
    """

    def __init__(
        self, target: IO[bytes], sheet_title: str, header: Sequence[Any], *, seconds: bool = False
    ) -> None:
        self._scratch = tempfile.TemporaryDirectory(prefix="arkiv-xlsx-")
        try:
            self._workbook = Workbook(
                target,
                {
                    "constant_memory": True,
                    "tmpdir": self._scratch.name,
                    "strings_to_numbers": False,
                    "strings_to_formulas": False,
                    "strings_to_urls": False,
                },
            )
            self._workbook.set_properties({"title": _clean_text(sheet_title), "author": "Arkivrutiner"})
            self._sheet = self._workbook.add_worksheet(sheet_name(sheet_title))
            self._bold = self._workbook.add_format({"bold": True})
            self._date = self._workbook.add_format({"num_format": DATE_FORMAT})
            self._datetime = self._workbook.add_format(
                {"num_format": DATETIME_SECONDS_FORMAT if seconds else DATETIME_FORMAT}
            )
            self._seconds = seconds
            self._datetime_width = 19 if seconds else 16
            self._widths: list[int] = []
            self._row = 0
            self._closed = False
            for column, value in enumerate(header):
                self._write(0, column, value, self._bold)
            self._sheet.freeze_panes(1, 0)
            self._row = 1
        except BaseException:
            self._scratch.cleanup()
            raise

    def __enter__(self) -> XlsxSheet:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()

    def _note_width(self, column: int, length: int) -> None:
        while len(self._widths) <= column:
            self._widths.append(0)
        if length > self._widths[column]:
            self._widths[column] = length

    def _write(self, row: int, column: int, value: Any, text_format: Any = None) -> None:
        sheet = self._sheet
        if value is None:
            return
        if isinstance(value, bool):
            text = _yes_no(value)
            sheet.write_string(row, column, text, text_format)
            self._note_width(column, len(text))
        elif _is_number(value) and math.isfinite(value) and abs(value) < _EXACT_LIMIT:
            sheet.write_number(row, column, float(value) if isinstance(value, Decimal) else value)
            self._note_width(column, len(str(value)))
        elif isinstance(value, datetime) and value.date() >= _FIRST_DATE:
            sheet.write_datetime(row, column, _oslo(value), self._datetime)
            self._note_width(column, self._datetime_width)
        elif isinstance(value, date) and not isinstance(value, datetime) and value >= _FIRST_DATE:
            sheet.write_datetime(row, column, value, self._date)
            self._note_width(column, 10)
        else:  # text; also what Excel cannot hold as a number or date, written as its text
            shown = cell_text(value, seconds=self._seconds) if isinstance(value, date) else str(value)
            text = _clean_text(shown)
            if text:
                sheet.write_string(row, column, text, text_format)
            longest = max((len(line) for line in text.splitlines()), default=0)
            self._note_width(column, longest)

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        """Append ``rows``; raises :class:`TooManyRows` past Excel's limit."""
        for values in rows:
            if self._row > XLSX_MAX_ROWS:
                raise TooManyRows(
                    _(
                        "Utvalget har for mange rader for Excel (høyst %(max)s). "
                        "Avgrens utvalget, eller last det ned som CSV."
                    )
                    % {"max": format_tall(XLSX_MAX_ROWS)}
                )
            for column, value in enumerate(values):
                self._write(self._row, column, value)
            self._row += 1

    def close(self) -> None:
        """Finish the workbook in ``target`` and remove the scratch files."""
        if self._closed:
            return
        self._closed = True
        try:
            for column, length in enumerate(self._widths):
                self._sheet.set_column(column, column, _width(length))
            self._workbook.close()
        finally:
            self._scratch.cleanup()

    def discard(self) -> None:
        """Give up: remove the scratch files without finishing the workbook."""
        if self._closed:
            return
        self._closed = True
        # Close the row data file XlsxWriter keeps open in constant_memory mode (a private
        # method; without it the file is still unlinked below and closed when collected).
        close_row_data = getattr(self._sheet, "_opt_close", None)
        if close_row_data is not None:
            close_row_data()
        self._scratch.cleanup()


def xlsx_bytes(
    sheet_title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], *, seconds: bool = False
) -> bytes:
    """The whole workbook (see the module docstring): ``header`` in bold and frozen, then ``rows``."""
    with tempfile.TemporaryFile() as fh:
        with XlsxSheet(fh, sheet_title, header, seconds=seconds) as sheet:
            sheet.write_rows(rows)
        fh.seek(0)
        return fh.read()


async def _chunks(
    rows: AsyncIterable[Sequence[Any]] | Iterable[Sequence[Any]], size: int
) -> AsyncIterator[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            chunk.append(row)
            if len(chunk) >= size:
                yield chunk
                chunk = []
    else:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


async def xlsx_file(
    sheet_title: str,
    header: Sequence[Any],
    rows: AsyncIterable[Sequence[Any]] | Iterable[Sequence[Any]],
    *,
    seconds: bool = False,
) -> IO[bytes]:
    """The workbook in an anonymous temporary file, positioned at its start; the caller closes
    it (closing frees the disk space; it has no name to leave behind). Rows are written in
    chunks of :data:`XLSX_CHUNK_ROWS` in a worker thread, so a long sheet does not hold up the
    event loop; memory stays flat (``constant_memory``)."""
    fh = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller open
    try:
        sheet = await anyio.to_thread.run_sync(lambda: XlsxSheet(fh, sheet_title, header, seconds=seconds))
        try:
            async for chunk in _chunks(rows, XLSX_CHUNK_ROWS):
                await anyio.to_thread.run_sync(sheet.write_rows, chunk)
        except BaseException:
            sheet.discard()
            raise
        await anyio.to_thread.run_sync(sheet.close)
        fh.seek(0)
    except BaseException:
        fh.close()
        raise
    return fh
