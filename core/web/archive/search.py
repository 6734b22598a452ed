"""Search the archive (``/arkiv/sok``): a case or post number goes straight to its page; text
searches titles and correspondents, with skjerming applied in the query."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import get
from litestar.params import FromQuery
from litestar.response import Redirect, Response, Template

from core.archive.queries import search as search_queries
from core.i18n import _
from core.web.archive.common import viewer_of
from core.web.pages import AnyRequest, page


@get("/arkiv/sok", name="arkiv:search")
async def search_page(
    request: AnyRequest,
    q: FromQuery[str | None] = None,
    hva: FromQuery[str | None] = None,
    side: FromQuery[int | None] = None,
) -> Response[Any]:
    text = (q or "").strip()
    kind = hva if hva in search_queries.KINDS else search_queries.KIND_ALL
    errors: dict[str, str] = {}
    result = None
    not_found = ""
    if text:
        number = search_queries.parse_number(text)
        if number is not None:
            target = await search_queries.resolve_number(number)
            if target is not None:
                kind_path, record_id = target
                return Redirect(f"/arkiv/{kind_path}/{record_id}", status_code=303)
            not_found = text
        elif len(text) < search_queries.MIN_LENGTH:
            errors["q"] = _("Skriv minst to tegn, eller et saksnummer som 2026/00123.")
        elif len(text) > search_queries.MAX_LENGTH:
            errors["q"] = _("Søketeksten kan være høyst 200 tegn.")
        else:
            result = await search_queries.search(await viewer_of(request), text, kind=kind, page=side)
    return await _render(request, text, kind, result, errors, not_found)


async def _render(
    request: AnyRequest,
    text: str,
    kind: str,
    result: Any,
    errors: dict[str, str],
    not_found: str,
) -> Template:
    return await page(
        request,
        "arkiv/sok.html",
        status_code=422 if errors else 200,
        q=text,
        hva=kind,
        result=result,
        errors=errors,
        not_found=not_found,
        query=urlencode({"q": text, "hva": kind}),
    )


ROUTES = [search_page]
