"""The leaver's checklist ``GET /onboarding/sjekkliste/{person}``, the transfer preview
``GET …/flytt?til=…`` and the transfer ``POST …/flytt``, and the reason to complete an avgang
with open lines ``POST …/begrunnelse``. For the person's acting leader and
Fellestjenesten/Arkiv (403 for others)."""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from core.errors import Conflict, ValidationFailed
from core.i18n import _
from core.web.flash import flash
from core.web.forms import form_id, form_value
from core.web.pages import AnyRequest, current_user, page, runtime
from plugins.onboarding.pages import checklist as pages
from plugins.onboarding.services import checklist, transfer

BASE = "/onboarding/sjekkliste/{id}"


@get("/sjekkliste/{person_id:int}", name="onboarding:checklist")
async def checklist_page(request: AnyRequest, person_id: FromPath[int]) -> Template:
    context = await pages.checklist_context(request, current_user(request), person_id)
    return await page(request, "onboarding/sjekkliste.html", **context)


@get("/sjekkliste/{person_id:int}/flytt", name="onboarding:transfer_preview")
async def preview(
    request: AnyRequest, person_id: FromPath[int], til: FromQuery[int | None] = None
) -> Template:
    context = await pages.preview_context(current_user(request), person_id, til)
    if context["successor"] is None:
        context = await pages.checklist_context(
            request, current_user(request), person_id, errors={"til": _("Velg hvem som skal overta.")}
        )
        return await page(request, "onboarding/sjekkliste.html", status_code=422, **context)
    return await page(request, "onboarding/sjekkliste_flytt.html", **context)


def _expected(form: Any) -> transfer.TransferCounts:
    return transfer.TransferCounts(
        restanser=form_id(form, "restanser") or 0,
        cases=form_id(form, "cases") or 0,
        unsent=form_id(form, "unsent") or 0,
        tasks=form_id(form, "tasks") or 0,
    )


@post("/sjekkliste/{person_id:int}/flytt", name="onboarding:transfer")
async def transfer_work(request: AnyRequest, person_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    to_person = form_id(form, "til")
    try:
        moved = await transfer.transfer(
            runtime(request).settings, user, person_id, to_person or 0, _expected(form)
        )
    except (Conflict, ValidationFailed) as exc:
        context = await pages.preview_context(user, person_id, to_person)
        errors = exc.errors if isinstance(exc, ValidationFailed) else {}
        return await page(
            request,
            "onboarding/sjekkliste_flytt.html",
            status_code=exc.status_code,
            alert=str(exc.detail),
            **{**context, "errors": errors},
        )
    flash(request, _("%(count)s oppføringer er flyttet.") % {"count": moved.total})
    return Redirect(BASE.format(id=person_id), status_code=303)


@post("/sjekkliste/{person_id:int}/begrunnelse", name="onboarding:override")
async def override(request: AnyRequest, person_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    reason = form_value(form, "begrunnelse")
    try:
        await checklist.record_override(runtime(request).pm, user, person_id, reason)
    except ValidationFailed as exc:
        context = await pages.checklist_context(request, user, person_id, errors=exc.errors, reason=reason)
        return await page(request, "onboarding/sjekkliste.html", status_code=422, **context)
    flash(request, _("Begrunnelsen er lagret. Avgangen kan fullføres."))
    return Redirect(BASE.format(id=person_id), status_code=303)


router = Router(path="/onboarding", route_handlers=[checklist_page, preview, transfer_work, override])
