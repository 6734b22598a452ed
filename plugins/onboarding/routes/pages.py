"""The front page (the list of forms) and the card (thin handlers)."""

from __future__ import annotations

from litestar import Router, get
from litestar.params import FromQuery
from litestar.response import Template

from core.web.pages import AnyRequest, current_user, fragment, page, runtime
from plugins.onboarding.pages import forms as form_pages


@get("/", name="onboarding:index")
async def index(request: AnyRequest) -> Template:
    context = await form_pages.list_context(current_user(request), runtime(request).pm)
    return await page(request, "onboarding/skjema_liste.html", **context)


@get("/kort", name="onboarding:card")
async def card(request: AnyRequest, rolle: FromQuery[str | None] = None) -> Template:
    """The front-page card (htmx fragment); ``?rolle=leder``: the leader's section (the units
    led today, and the people leaving them with open lines in their checklist)."""
    context = await form_pages.card_context(current_user(request), runtime(request).pm, rolle)
    return fragment("onboarding/_card.html", **context)


router = Router(path="/onboarding", route_handlers=[index, card])
