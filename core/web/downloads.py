"""Tables as downloads: CSV and Excel files (:mod:`core.tabular`) as HTTP responses.

Every response is an attachment with a safe file name (:func:`content_disposition`), the
file's media type (``text/csv; charset=utf-8`` or the xlsx type) and ``Cache-Control:
no-store`` (exports hold case data and logs; no cache may keep them).

- :func:`csv_response`, :func:`xlsx_response`: small tables, built in memory.
- :func:`csv_stream_response`: a long table from an (async) iterable of rows, sent as it is
  read; access and filters must be checked before calling (the headers go out first).
- :func:`xlsx_stream_response`: a long table built in a temporary file first (so an error is
  still a proper error page), then sent from the file in chunks; the file has no name on disk
  and is closed when sent, or when the response is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from typing import IO, Any
from urllib.parse import quote

import anyio.to_thread
from litestar.response import Response, Stream

from core.errors import NotFound
from core.i18n import _
from core.tabular import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, csv_bytes, csv_stream, xlsx_bytes, xlsx_file

__all__ = [
    "content_disposition",
    "csv_response",
    "csv_stream_response",
    "download_headers",
    "xlsx_response",
    "xlsx_stream_response",
]

READ_CHUNK = 256 * 1024
_ASCII_SPECIAL = str.maketrans({"æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ß": "ss"})
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CONTROL_OR_PATH = re.compile(r"[\x00-\x1f\x7f/\\]+")
MAX_FILENAME = 150


def content_disposition(filename: str) -> str:
    """``attachment`` with ``filename`` made safe: any path is dropped, and the plain
    ``filename=`` is ASCII letters, digits, ``._-`` only (``æøå`` spelled ``ae o a``; other
    characters become ``_``). A name with other characters also gets ``filename*`` (RFC 6266)
    in UTF-8, so browsers that read it keep the Norwegian letters."""
    name = _CONTROL_OR_PATH.sub("_", unicodedata.normalize("NFC", filename)).strip(" ._")[:MAX_FILENAME]
    ascii_name = unicodedata.normalize("NFKD", name.translate(_ASCII_SPECIAL))
    ascii_name = "".join(c for c in ascii_name if not unicodedata.combining(c))
    ascii_name = _UNSAFE.sub("_", ascii_name).strip("._") or "eksport"
    header = f'attachment; filename="{ascii_name}"'
    if name and name != ascii_name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def download_headers(filename: str) -> dict[str, str]:
    """The headers every download gets: the attachment name and no caching."""
    return {"Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"}


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Response[bytes]:
    """A download of ``rows`` under ``header`` as CSV, built in memory."""
    return Response(
        content=csv_bytes(header, rows), media_type=CSV_MEDIA_TYPE, headers=download_headers(filename)
    )


def xlsx_response(
    filename: str, sheet_title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> Response[bytes]:
    """A download of ``rows`` under ``header`` as an Excel workbook, built in memory."""
    return Response(
        content=xlsx_bytes(sheet_title, header, rows),
        media_type=XLSX_MEDIA_TYPE,
        headers=download_headers(filename),
    )


def csv_stream_response(
    filename: str,
    header: Sequence[Any],
    rows: AsyncIterable[Sequence[Any]] | Iterable[Sequence[Any]],
    *,
    seconds: bool = False,
) -> Stream:
    """A CSV download sent while ``rows`` are read (:func:`core.tabular.csv_stream`)."""
    return Stream(
        csv_stream(header, rows, seconds=seconds),
        media_type=CSV_MEDIA_TYPE,
        headers=download_headers(filename),
    )


async def _send_file(fh: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := await anyio.to_thread.run_sync(fh.read, READ_CHUNK):
            yield chunk
    finally:
        fh.close()


async def xlsx_stream_response(
    filename: str,
    sheet_title: str,
    header: Sequence[Any],
    rows: AsyncIterable[Sequence[Any]] | Iterable[Sequence[Any]],
    *,
    seconds: bool = False,
) -> Stream:
    """An Excel download of a long table: built in a temporary file with flat memory
    (:func:`core.tabular.xlsx_file`), then sent from it with its length."""
    fh = await xlsx_file(sheet_title, header, rows, seconds=seconds)
    size = fh.seek(0, 2)
    fh.seek(0)
    return Stream(
        _send_file(fh),
        media_type=XLSX_MEDIA_TYPE,
        headers={**download_headers(filename), "Content-Length": str(size)},
    )


FORMATS = ("csv", "xlsx")


def download(
    format: str | None, name: str, sheet_title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> Response[bytes]:
    """A table as the file the user asked for: ``<name>.csv`` without a format or with
    ``csv`` (every export's default), ``<name>.xlsx`` for ``xlsx``; any other format is 404."""
    if format in (None, "", "csv"):
        return csv_response(f"{name}.csv", header, rows)
    if format == "xlsx":
        return xlsx_response(f"{name}.xlsx", sheet_title, header, rows)
    raise NotFound(_("Eksporten finnes som CSV og Excel (csv, xlsx)."))
