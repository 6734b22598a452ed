"""A report as a file: ``?format=csv`` (the default) or ``xlsx``."""

from __future__ import annotations

from typing import Any

from litestar.response import Response

from core.errors import NotFound
from core.i18n import _
from plugins.restanse import export as files


def download(
    format: str | None, name: str, sheet_title: str, header: list[str], rows: list[list[Any]]
) -> Response[bytes]:
    """``rows`` under ``header`` as ``<name>.csv`` (no format, or ``csv``) or ``<name>.xlsx``;
    any other format is 404."""
    if format in (None, "", "csv"):
        return files.csv_response(f"{name}.csv", header, rows)
    if format == "xlsx":
        return files.xlsx_response(f"{name}.xlsx", sheet_title, header, rows)
    raise NotFound(_("Eksporten finnes som CSV og Excel (csv, xlsx)."))
