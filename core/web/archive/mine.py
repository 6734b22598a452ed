"""*Mine journalposter* (``/arkiv/mine``): the handler's outgoing letters not yet dispatched and
the posts distributed to them since their last visit; and its front-page card
(``/arkiv/mine/kort``).

A visit is the rule of :mod:`core.web.list_preferences` (views less than half an hour apart; the
first visit looks back a week), shared by the card and the page (key :data:`LIST_KEY`): the
card on the front page and the list behind it show the same posts during one visit."""

from __future__ import annotations

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from core.archive.queries import mine
from core.web.archive.common import viewer_of
from core.web.list_preferences import since_last_visit
from core.web.pages import AnyRequest, current_user, fragment, page

LIST_KEY = "arkiv.mine"
"""*Mine journalposter* in :mod:`core.web.list_preferences` (visits only; no sort)."""


@get("/arkiv/mine", name="arkiv:mine")
async def mine_page(
    request: AnyRequest, uside: FromQuery[int | None] = None, fside: FromQuery[int | None] = None
) -> Template:
    """Both lists, each paged (``uside``, ``fside``); the totals are the card's counts."""
    user = current_user(request)
    viewer = await viewer_of(request)
    since = await since_last_visit(user, LIST_KEY)
    found = await mine.counts(user.person_id, since)
    undispatched = await mine.undispatched(viewer, user.person_id, found.undispatched, uside)
    distributed = await mine.distributed(viewer, user.person_id, found.distributed, fside, since)
    return await page(
        request,
        "arkiv/mine.html",
        counts=found,
        undispatched=undispatched,
        distributed=distributed,
        since=since,
    )


@get("/arkiv/mine/kort", name="arkiv:mine_card")
async def mine_card(request: AnyRequest) -> Template:
    """The front-page card: the two counts (one statement), each linked to its list."""
    user = current_user(request)
    found = await mine.counts(user.person_id, await since_last_visit(user, LIST_KEY))
    return fragment("arkiv/_mine_kort.html", counts=found)


ROUTES = [mine_page, mine_card]
