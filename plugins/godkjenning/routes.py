"""HTTP routes of the godkjenning plugin (thin handlers; logic lives in services)."""

from __future__ import annotations

from litestar import Router, get
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from core.web.pages import fragment, page


@get("/", name="godkjenning:index")
async def index(request: HTMXRequest) -> Template:
    return await page(request, "godkjenning/index.html")


@get("/kort", name="godkjenning:card")
async def card() -> Template:
    """The front-page card (htmx fragment)."""
    return fragment("godkjenning/_card.html")


router = Router(path="/godkjenning", route_handlers=[index, card])
