"""HTTP routes of the onboarding plugin (thin handlers; logic lives in services)."""

from __future__ import annotations

from litestar import Router, get
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from core.web.pages import fragment, page


@get("/", name="onboarding:index")
async def index(request: HTMXRequest) -> Template:
    return await page(request, "onboarding/index.html")


@get("/kort", name="onboarding:card")
async def card() -> Template:
    """The front-page card (htmx fragment)."""
    return fragment("onboarding/_card.html")


router = Router(path="/onboarding", route_handlers=[index, card])
