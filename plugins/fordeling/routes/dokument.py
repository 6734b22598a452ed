"""The document panel of the queue: ``GET /fordeling/dokument/<korrespondansepart>`` shows the
main document (hoveddokument) of a post waiting for fordeling, to those who may see its queue.
Each row of *Til fordeling* links here; with htmx the answer fills the panel beside the queue
(``_dokument.html``, opened and closed by ``static/fordeling.js``), so the queue's page and
ticked posts stay as they were; without JavaScript it is a page that leads back to the queue
(``?sok``, ``jptype``, ``sorter``, ``side`` of the queue the link came from)."""

from __future__ import annotations

from litestar import Router, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core.archive.queries.distribution import QueueFilter
from core.web.pages import AnyRequest
from plugins.fordeling import pages


@get("/dokument/{korrespondansepart_id:int}", name="fordeling:document")
async def document(
    request: AnyRequest,
    korrespondansepart_id: FromPath[int],
    sok: FromQuery[str | None] = None,
    jptype: FromQuery[str | None] = None,
    sorter: FromQuery[str | None] = None,
    side: FromQuery[int | None] = None,
) -> Template:
    filters = QueueFilter.from_query(sok, jptype, sorter)
    return await pages.document_response(request, korrespondansepart_id, filters, side)


router = Router(path="/fordeling", route_handlers=[document])
