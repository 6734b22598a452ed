"""The skeleton's page and card (thin handlers; the routine is not built yet)."""

from __future__ import annotations

from litestar import Router, get
from litestar.response import Template

from core.web.pages import AnyRequest, fragment, page


@get("/", name="onboarding:index")
async def index(request: AnyRequest) -> Template:
    return await page(request, "onboarding/index.html")


@get("/kort", name="onboarding:card")
async def card() -> Template:
    """The front-page card (htmx fragment)."""
    return fragment("onboarding/_card.html")


router = Router(path="/onboarding", route_handlers=[index, card])
