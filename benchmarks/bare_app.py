"""The bare page that ``benchmarks/pages.py`` compares every page of the app with: one Litestar
GET route that returns a fixed HTML string, with no middleware, no session, no template and no
database. Its size in bytes comes from ``BARE_PAGE_BYTES`` (the median size of the app's pages
in the same run), so both send the same amount over the socket.

    BARE_PAGE_BYTES=40000 .venv/bin/uvicorn benchmarks.bare_app:create_app --factory --workers 2
"""

from __future__ import annotations

import os

from litestar import Litestar, MediaType, get

SIZE_VARIABLE = "BARE_PAGE_BYTES"
HEAD = "<!DOCTYPE html>\n<html lang=nb><head><meta charset=utf-8><title>Bar side</title></head><body><p>"
TAIL = "</p></body></html>\n"


def page(size: int) -> str:
    """An HTML page of exactly ``size`` bytes in UTF-8 (at least the bare frame's length)."""
    filler = max(0, size - len(HEAD) - len(TAIL))
    words = ("journalpost " * (filler // 12 + 1))[:filler]
    return HEAD + words + TAIL


def create_app(size: int | None = None) -> Litestar:
    """The app for ``uvicorn --factory``: ``size`` bytes, default from ``BARE_PAGE_BYTES``."""
    body = page(size if size is not None else int(os.environ.get(SIZE_VARIABLE, "20000")))

    @get("/", media_type=MediaType.HTML)
    async def index() -> str:
        return body

    return Litestar(route_handlers=[index], openapi_config=None)
