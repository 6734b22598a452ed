"""HTTP routes of the restanse plugin (thin handlers; logic lives in services)."""

from __future__ import annotations

from litestar import Router, get
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from core.web.pages import fragment, page


@get("/", name="restanse:index")
async def index(request: HTMXRequest) -> Template:
    return await page(request, "restanse/index.html")


@get("/kort", name="restanse:card")
async def card() -> Template:
    """The front-page card (htmx fragment)."""
    return fragment("restanse/_card.html")


router = Router(path="/restanse", route_handlers=[index, card])
