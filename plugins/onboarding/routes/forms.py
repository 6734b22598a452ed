"""The form's pages and actions (thin handlers):

* ``GET /onboarding/skjema/ny`` and ``POST`` (``handling`` = ``lagre`` or ``send``): a new form;
* ``GET /onboarding/skjema/{id}``: the form followed like a parcel (also its print view);
* ``GET``/``POST /onboarding/skjema/{id}/endre``: a draft or returned form, corrected and sent;
* ``GET /onboarding/oppgave/{id}``: a step's task page (every ``onboarding.*`` task kind);
  ``POST .../ta`` takes it, ``POST .../utfor`` completes the step, ``POST .../returner``
  returns the form to the leader with a question.
"""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from core.errors import Conflict, ValidationFailed
from core.i18n import _
from core.tasks import services as tasks
from core.web.flash import flash
from core.web.forms import form_id, form_value
from core.web.pages import AnyRequest, current_user, page, runtime
from plugins.onboarding import forms
from plugins.onboarding.pages import forms as pages
from plugins.onboarding.services import form
from plugins.onboarding.services.form_route import StepInput, complete_step, return_form


async def _edit_page(
    request: AnyRequest,
    entered: forms.Entered,
    *,
    skjema: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    context = await pages.edit_context(current_user(request), entered, form=skjema, errors=errors)
    return await page(request, "onboarding/skjema_endre.html", status_code=status_code, **context)


@get("/skjema/ny", name="onboarding:new_form")
async def new_form(request: AnyRequest) -> Template:
    kind = request.query_params.get("type", "")
    return await _edit_page(request, forms.Entered(kind=kind if kind in forms.KINDS else ""))


async def _save(request: AnyRequest, form_id_: int | None) -> Response[Any]:
    data = await request.form()
    entered = forms.Entered.from_data(data)
    send = form_value(data, "handling") == "send"
    skjema = await form.load(form_id_) if form_id_ is not None else None
    try:
        saved = await form.save(
            runtime(request).settings,
            current_user(request),
            entered,
            form_id=form_id_,
            version=form_id(data, "version"),
            send=send,
        )
    except ValidationFailed as exc:
        return await _edit_page(request, entered, skjema=skjema, errors=exc.errors, status_code=422)
    except Conflict as exc:
        return await _edit_page(
            request, entered, skjema=skjema, errors={"skjema": str(exc.detail)}, status_code=409
        )
    if send:
        state = pages.state_label(str((await form.load(saved))["state"]))
        flash(request, _("Skjemaet er sendt. Det er nå: %(state)s.") % {"state": state})
    else:
        flash(request, _("Skjemaet er lagret som utkast."))
    return Redirect(f"/onboarding/skjema/{saved}", status_code=303)


@post("/skjema/ny", name="onboarding:create_form")
async def create_form(request: AnyRequest) -> Response[Any]:
    return await _save(request, None)


@get("/skjema/{skjema_id:int}", name="onboarding:form")
async def form_page(request: AnyRequest, skjema_id: FromPath[int]) -> Template:
    context = await pages.form_context(current_user(request), skjema_id)
    return await page(request, "onboarding/skjema.html", **context)


@get("/skjema/{skjema_id:int}/endre", name="onboarding:edit_form")
async def edit_form(request: AnyRequest, skjema_id: FromPath[int]) -> Template:
    skjema = await form.load(skjema_id)
    form.require_leader(current_user(request), int(skjema["unit"]))
    return await _edit_page(request, forms.entered_from_row(skjema), skjema=skjema)


@post("/skjema/{skjema_id:int}/endre", name="onboarding:update_form")
async def update_form(request: AnyRequest, skjema_id: FromPath[int]) -> Response[Any]:
    return await _save(request, skjema_id)


async def _task_page(
    request: AnyRequest,
    task_id: int,
    *,
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    context = await pages.task_context(current_user(request), task_id, errors=errors, entered=entered)
    return await page(request, "onboarding/skjema_oppgave.html", status_code=status_code, **context)


@get("/oppgave/{task_id:int}", name="onboarding:task")
async def task_page(request: AnyRequest, task_id: FromPath[int]) -> Template:
    return await _task_page(request, task_id)


@post("/oppgave/{task_id:int}/ta", name="onboarding:take")
async def take(request: AnyRequest, task_id: FromPath[int]) -> Response[Any]:
    data = await request.form()
    try:
        await tasks.take_task(
            runtime(request).settings, current_user(request), task_id, version=form_id(data, "version") or 0
        )
    except Conflict as exc:
        return await _task_page(request, task_id, errors={"ta": str(exc.detail)}, status_code=409)
    flash(request, _("Du har tatt oppgaven."))
    # The step's form is what comes next: the browser starts there (also for keyboard users).
    return Redirect(f"/onboarding/oppgave/{task_id}#utfor-steget", status_code=303)


@post("/oppgave/{task_id:int}/utfor", name="onboarding:complete")
async def complete(request: AnyRequest, task_id: FromPath[int]) -> Response[Any]:
    data = await request.form()
    entered = {name: form_value(data, name) for name in ("employee_number", "user_name", "email", "comment")}
    try:
        state = await complete_step(
            runtime(request).settings,
            current_user(request),
            task_id,
            version=form_id(data, "version") or 0,
            data=StepInput(**entered),
            pm=runtime(request).pm,
        )
    except ValidationFailed as exc:
        return await _task_page(request, task_id, errors=exc.errors, entered=entered, status_code=422)
    except Conflict as exc:
        return await _task_page(
            request, task_id, errors={"utfor": str(exc.detail)}, entered=entered, status_code=409
        )
    flash(request, _("Steget er utført. Skjemaet er nå: %(state)s.") % {"state": pages.state_label(state)})
    return Redirect("/oppgaver", status_code=303)


@post("/oppgave/{task_id:int}/returner", name="onboarding:return")
async def give_back(request: AnyRequest, task_id: FromPath[int]) -> Response[Any]:
    data = await request.form()
    entered = {"question": form_value(data, "question")}
    try:
        await return_form(
            runtime(request).settings,
            current_user(request),
            task_id,
            version=form_id(data, "version") or 0,
            question=entered["question"],
        )
    except ValidationFailed as exc:
        return await _task_page(request, task_id, errors=exc.errors, entered=entered, status_code=422)
    except Conflict as exc:
        return await _task_page(
            request, task_id, errors={"question": str(exc.detail)}, entered=entered, status_code=409
        )
    flash(request, _("Skjemaet er returnert til lederen med spørsmålet ditt."))
    return Redirect("/oppgaver", status_code=303)


router = Router(
    path="/onboarding",
    route_handlers=[
        new_form,
        create_form,
        form_page,
        edit_form,
        update_form,
        task_page,
        take,
        complete,
        give_back,
    ],
)
