"""*Mine journalposter* (``/arkiv/mine``): the handler's outgoing letters not yet dispatched and
the posts distributed to them in the last days; and its front-page card (``/arkiv/mine/kort``)."""

from __future__ import annotations

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from core.archive.queries import mine
from core.web.archive.common import viewer_of
from core.web.pages import AnyRequest, current_user, fragment, page


@get("/arkiv/mine", name="arkiv:mine")
async def mine_page(
    request: AnyRequest, uside: FromQuery[int | None] = None, fside: FromQuery[int | None] = None
) -> Template:
    """Both lists, each paged (``uside``, ``fside``); the totals are the card's counts."""
    user = current_user(request)
    viewer = await viewer_of(request)
    since = mine.recent_since()
    found = await mine.counts(user.person_id, since)
    undispatched = await mine.undispatched(viewer, user.person_id, found.undispatched, uside)
    distributed = await mine.distributed(viewer, user.person_id, found.distributed, fside, since)
    return await page(
        request,
        "arkiv/mine.html",
        counts=found,
        undispatched=undispatched,
        distributed=distributed,
        days=mine.RECENT_DAYS,
    )


@get("/arkiv/mine/kort", name="arkiv:mine_card")
async def mine_card(request: AnyRequest) -> Template:
    """The front-page card: the two counts (one statement), each linked to its list."""
    found = await mine.counts(current_user(request).person_id)
    return fragment("arkiv/_mine_kort.html", counts=found, days=mine.RECENT_DAYS)


ROUTES = [mine_page, mine_card]
