"""The handler's overview (``GET /godkjenning``): rounds sent and where each post is now, and
the posts ready to be sent; the front-page card (``GET /godkjenning/kort``)."""

from __future__ import annotations

from litestar import Router, get
from litestar.response import Template

from core.web.pages import AnyRequest, current_user, fragment, page
from plugins.godkjenning import pages, queries


@get("/", name="godkjenning:index")
async def index(request: AnyRequest) -> Template:
    return await page(request, "godkjenning/index.html", **await pages.index_context(request))


@get("/kort", name="godkjenning:card")
async def card(request: AnyRequest) -> Template:
    rounds = await queries.rounds_of_handler(current_user(request).person_id)
    counts = {
        state: sum(1 for r in rounds if r["state"] == state) for state in ("running", "returned", "approved")
    }
    return fragment("godkjenning/_card.html", counts=counts)


router = Router(path="/godkjenning", route_handlers=[index, card])
