"""A round's status ``GET /godkjenning/runde/{round}`` (the chain, who did what when, the
dokumentflyt) and ``POST /godkjenning/runde/{round}/trekk-tilbake`` (the handler withdraws)."""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from core.errors import Conflict, NotFound
from core.i18n import _
from core.web.flash import flash
from core.web.forms import form_id, form_value
from core.web.pages import AnyRequest, current_user, page, runtime
from plugins.godkjenning import pages, queries
from plugins.godkjenning.services import rounds


async def _view(round_id: int) -> queries.RoundView:
    view = await queries.round_view(round_id)
    if view is None:
        raise NotFound(_("Fant ingen godkjenningsrunde med dette nummeret."))
    return view


@get("/runde/{round_id:int}", name="godkjenning:round")
async def round_page(request: AnyRequest, round_id: FromPath[int]) -> Template:
    context = await pages.round_context(current_user(request), await _view(round_id))
    return await page(request, "godkjenning/runde.html", **context)


@post("/runde/{round_id:int}/trekk-tilbake", name="godkjenning:withdraw")
async def withdraw(request: AnyRequest, round_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    try:
        await rounds.withdraw(
            runtime(request).settings,
            user,
            round_id,
            version=form_id(form, "version") or 0,
            reason=form_value(form, "grunn"),
        )
    except Conflict as exc:
        context = await pages.round_context(user, await _view(round_id))
        return await page(
            request, "godkjenning/runde.html", status_code=409, alert=str(exc.detail), **context
        )
    flash(request, _("Journalposten er trukket tilbake fra godkjenning. Du kan arbeide med den igjen."))
    return Redirect(f"/godkjenning/runde/{round_id}", status_code=303)


router = Router(path="/godkjenning", route_handlers=[round_page, withdraw])
