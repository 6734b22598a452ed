"""Foreløpig svar on a restanse of *Egne restanser* (thin handlers; the rules live in
``services.foreloepig`` and core).

* ``GET /restanse/foreloepig/{korrespondansepart_id}``: the form (date, and the post of the case
  that was the foreløpig svar); a page of its own, or with htmx the panel above the list.
* ``POST /restanse/foreloepig``: register it (``foreloepig`` = ``<id>:<version>``, ``dato``,
  ``foreloepig_svar_journalpost_id``). Errors in the form: the form again with what was typed
  (422). Otherwise the list, as after every action of the list (messages, menu badge,
  ``restanse-endret``; without JavaScript a redirect with messages).
* ``POST /restanse/foreloepig/angre``: undo it (``angre`` = ``<id>:<version>``): only the person
  who registered it, the same day (403/409 with the reason otherwise).
"""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from core.errors import ValidationFailed
from core.i18n import _
from core.web.actions import Selected
from core.web.forms import form_page, form_value
from core.web.pages import AnyRequest, current_user, runtime
from plugins.restanse import forms
from plugins.restanse.pages.egne import own_answer, own_response
from plugins.restanse.pages.foreloepig import form_response
from plugins.restanse.services import foreloepig as service


@get("/foreloepig/{korrespondansepart_id:int}", name="restanse:foreloepig_form")
async def form(
    request: AnyRequest,
    korrespondansepart_id: FromPath[int],
    sorter: FromQuery[str | None] = None,
    side: FromQuery[int | None] = None,
) -> Template:
    return await form_response(request, korrespondansepart_id, forms.own_sort(sorter), side)


def _invalid_choice() -> dict[str, str]:
    return {"valgt": _("Valget av restanse er ugyldig. Last siden på nytt.")}


@post("/foreloepig", name="restanse:foreloepig")
async def register(request: AnyRequest) -> Response[Any]:
    data = await request.form()
    sorter, side = forms.own_sort(form_value(data, "sorter")), form_page(data)
    choice = Selected.parse(form_value(data, "foreloepig"))
    if choice is None:
        return await own_response(request, sorter, side, errors=_invalid_choice(), status_code=422)
    dato, post_id = form_value(data, service.DATE_FIELD), form_value(data, service.POST_FIELD)
    try:
        outcome = await service.register(
            runtime(request).settings, current_user(request), choice, dato, post_id
        )
    except ValidationFailed as exc:
        entered = {service.DATE_FIELD: dato, service.POST_FIELD: post_id}
        return await form_response(
            request, choice.id, sorter, side, errors=exc.errors, form=entered, status_code=422
        )
    success = ""
    if outcome.done:
        success = _("Foreløpig svar er registrert for %(post)s. Restansen står til den er avskrevet.") % {
            "post": outcome.done[0].label
        }
    return await own_answer(request, outcome, success, sorter, side)


@post("/foreloepig/angre", name="restanse:foreloepig_undo")
async def undo(request: AnyRequest) -> Response[Any]:
    data = await request.form()
    sorter, side = forms.own_sort(form_value(data, "sorter")), form_page(data)
    choice = Selected.parse(form_value(data, "angre"))
    if choice is None:
        return await own_response(request, sorter, side, errors=_invalid_choice(), status_code=422)
    outcome = await service.undo(runtime(request).settings, current_user(request), choice)
    success = ""
    if outcome.done:
        success = _("Det foreløpige svaret for %(post)s er angret.") % {"post": outcome.done[0].label}
    return await own_answer(request, outcome, success, sorter, side)


router = Router(path="/restanse", route_handlers=[form, register, undo])
