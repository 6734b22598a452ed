"""The unit's chain templates: ``GET /godkjenning/kjeder`` (list and a form), ``POST`` the same
address stores one, ``POST /godkjenning/kjeder/{template}/slett`` deletes one (the unit's leader
or active deputy, or the archive service)."""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from core.errors import Forbidden, ValidationFailed
from core.i18n import _
from core.web.flash import flash
from core.web.forms import form_id, form_value
from core.web.pages import AnyRequest, current_user, page
from plugins.godkjenning import forms, pages
from plugins.godkjenning.services import chains


@get("/kjeder", name="godkjenning:chains")
async def chains_page(request: AnyRequest) -> Template:
    return await page(request, "godkjenning/kjeder.html", **await pages.templates_context(request))


@post("/kjeder", name="godkjenning:chain_save")
async def chain_save(request: AnyRequest) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    chain = forms.chain_of(form)
    unit_id = form_id(form, "enhet") or chains.own_template_unit(user)
    if unit_id is None:
        raise Forbidden(
            _("Bare lederen for enheten (eller stedfortrederen) kan endre enhetens godkjenningskjeder.")
        )
    try:
        await chains.save_template(user, unit_id, form_value(form, "navn"), chain)
    except ValidationFailed as exc:
        context = await pages.templates_context(request, errors=exc.errors, form=chain)
        context["navn"] = form_value(form, "navn")
        return await page(request, "godkjenning/kjeder.html", status_code=422, **context)
    flash(request, _("Godkjenningskjeden er lagret."))
    return Redirect("/godkjenning/kjeder", status_code=303)


@post("/kjeder/{template_id:int}/slett", name="godkjenning:chain_delete")
async def chain_delete(request: AnyRequest, template_id: FromPath[int]) -> Response[Any]:
    await chains.delete_template(current_user(request), template_id)
    flash(request, _("Godkjenningskjeden er slettet."))
    return Redirect("/godkjenning/kjeder", status_code=303)


router = Router(path="/godkjenning", route_handlers=[chains_page, chain_save, chain_delete])
