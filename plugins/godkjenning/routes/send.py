"""Send a post for approval: ``GET /godkjenning/send/{journalpost}`` the form (the chain: the
acting leader by default, a unit template, or steps the handler picks; a message), ``POST`` the
same address sends it (``handling=mal`` loads a template into the form first)."""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from core.errors import Conflict, ValidationFailed
from core.i18n import _
from core.validation import parse_id
from core.web.flash import flash
from core.web.forms import form_id, form_value
from core.web.pages import AnyRequest, current_user, page, runtime
from plugins.godkjenning import forms, pages
from plugins.godkjenning.services import chains, rounds


@get("/send/{journalpost_id:int}", name="godkjenning:send_form")
async def send_form(request: AnyRequest, journalpost_id: FromPath[int]) -> Template:
    context = await pages.send_context(request, journalpost_id)
    return await page(request, "godkjenning/send.html", **context)


@post("/send/{journalpost_id:int}", name="godkjenning:send")
async def send(request: AnyRequest, journalpost_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    message = form_value(form, "melding")
    if form_value(form, "handling") == "mal":
        chosen = parse_id(form_value(form, "mal"))
        template = next(
            (t for t in await chains.templates_for([user.unit_id] if user.unit_id else []) if t.id == chosen),
            None,
        )
        chain = template.chain if template else forms.chain_of(form)
        context = await pages.send_context(request, journalpost_id, chain=chain, message=message)
        return await page(request, "godkjenning/send.html", **context)
    chain = forms.chain_of(form)
    version = form_id(form, "version") or 0
    try:
        round_id = await rounds.send_for_approval(
            runtime(request).settings, user, journalpost_id, version=version, chain=chain, message=message
        )
    except ValidationFailed as exc:
        context = await pages.send_context(
            request, journalpost_id, chain=chain, message=message, errors=exc.errors
        )
        return await page(request, "godkjenning/send.html", status_code=422, **context)
    except Conflict as exc:
        context = await pages.send_context(
            request, journalpost_id, chain=chain, message=message, errors={"kjede": str(exc.detail)}
        )
        return await page(request, "godkjenning/send.html", status_code=409, **context)
    flash(request, _("Journalposten er sendt til godkjenning."))
    return Redirect(f"/godkjenning/runde/{round_id}", status_code=303)


router = Router(path="/godkjenning", route_handlers=[send_form, send])
