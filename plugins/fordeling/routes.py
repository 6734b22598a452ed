"""HTTP routes of the fordeling plugin (thin handlers; logic lives in services)."""

from __future__ import annotations

from litestar import Router, get
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from core.web.pages import fragment, page


@get("/", name="fordeling:index")
async def index(request: HTMXRequest) -> Template:
    return await page(request, "fordeling/index.html")


@get("/kort", name="fordeling:card")
async def card() -> Template:
    """The front-page card (htmx fragment)."""
    return fragment("fordeling/_card.html")


router = Router(path="/fordeling", route_handlers=[index, card])
