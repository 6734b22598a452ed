"""The task page ``GET /godkjenning/oppgave/{task}`` (every godkjenning task kind's page in
*Mottatte oppgaver*), and its actions:

* ``POST /godkjenning/oppgave/{task}/behandle``: the approver's outcome (``utfall`` V, G or I,
  ``kommentar``, ``til``, the task's ``version``);
* ``POST /godkjenning/oppgave/{task}/send-paa-nytt``: the handler sends a returned post again;
* ``POST /godkjenning/oppgave/{task}/ekspeder``: the handler dispatches the approved post.

A plain form gets a 303 with a flash message; a lost race (the deputy and the leader at once)
a 409 with who did what, on the same page.
"""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from core.errors import Conflict, ValidationFailed
from core.i18n import _
from core.web.flash import flash
from core.web.forms import form_id, form_value
from core.web.pages import AnyRequest, current_user, page, runtime
from plugins.godkjenning import forms, pages, queries
from plugins.godkjenning.services import decisions, rounds


async def _page(
    request: AnyRequest,
    task_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: Any = None,
    status_code: int = 200,
) -> Template:
    context = await pages.task_context(request, task_id, errors=errors, form=form)
    return await page(request, "godkjenning/oppgave.html", status_code=status_code, **context)


@get("/oppgave/{task_id:int}", name="godkjenning:task")
async def task_page(request: AnyRequest, task_id: FromPath[int]) -> Template:
    return await _page(request, task_id)


@post("/oppgave/{task_id:int}/behandle", name="godkjenning:decide")
async def decide(request: AnyRequest, task_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    entered = forms.decision_entered(form)
    try:
        result = await decisions.decide(
            runtime(request).settings,
            current_user(request),
            task_id,
            version=form_id(form, "version") or 0,
            outcome=entered["utfall"],
            comment=entered["kommentar"],
            til=entered["til"],
        )
    except ValidationFailed as exc:
        return await _page(request, task_id, errors=exc.errors, form=entered, status_code=422)
    except Conflict as exc:
        return await _page(
            request, task_id, errors={"utfall": str(exc.detail)}, form=entered, status_code=409
        )
    text = {
        "V": _("Journalposten er videresendt til %(to)s."),
        "G": _("Journalposten er godkjent og sendt til %(to)s for ekspedering."),
        "I": _("Journalposten er returnert til %(to)s (ikke godkjent)."),
    }[result.outcome]
    if result.outcome == "G" and not result.approved:
        text = _("Du har godkjent. Journalposten venter på de andre godkjennerne på steget.")
    flash(request, text % {"to": result.to})
    return Redirect("/oppgaver", status_code=303)


async def _round_of_task(request: AnyRequest, task_id: int) -> queries.RoundView:
    context = await pages.task_context(request, task_id)
    view: queries.RoundView = context["round"]
    return view


@post("/oppgave/{task_id:int}/send-paa-nytt", name="godkjenning:send_again")
async def send_again(request: AnyRequest, task_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    view = await _round_of_task(request, task_id)
    try:
        await rounds.send_again(
            runtime(request).settings,
            current_user(request),
            view.id,
            version=form_id(form, "round_version") or 0,
            message=form_value(form, "melding"),
        )
    except (Conflict, ValidationFailed) as exc:
        return await _page(request, task_id, errors={"utfall": str(exc.detail)}, status_code=409)
    flash(request, _("Journalposten er sendt til godkjenning på nytt."))
    return Redirect(f"/godkjenning/runde/{view.id}", status_code=303)


@post("/oppgave/{task_id:int}/ekspeder", name="godkjenning:dispatch")
async def dispatch(request: AnyRequest, task_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    view = await _round_of_task(request, task_id)
    try:
        await rounds.dispatch(
            runtime(request).settings,
            current_user(request),
            view.id,
            version=form_id(form, "round_version") or 0,
        )
    except (Conflict, ValidationFailed) as exc:
        return await _page(request, task_id, errors={"utfall": str(exc.detail)}, status_code=409)
    flash(request, _("Journalposten er ekspedert."))
    return Redirect(f"/godkjenning/runde/{view.id}", status_code=303)


router = Router(path="/godkjenning", route_handlers=[task_page, decide, send_again, dispatch])
