"""The skeleton's page and card (thin handlers; the routine is not built yet)."""

from __future__ import annotations

from litestar import Router, get
from litestar.response import Template

from core.web.pages import AnyRequest, fragment, page


@get("/", name="godkjenning:index")
async def index(request: AnyRequest) -> Template:
    return await page(request, "godkjenning/index.html")


@get("/kort", name="godkjenning:card")
async def card() -> Template:
    """The front-page card (htmx fragment)."""
    return fragment("godkjenning/_card.html")


router = Router(path="/godkjenning", route_handlers=[index, card])
