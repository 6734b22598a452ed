"""The generic task page and its actions.

* ``GET /oppgaver/{id}``: what the task is, who sent it, where it is. Someone who may act on a
  waiting task of a kind with its own page is sent there (the kind's ``url``); everyone else
  who may see it (sender, receiver, deputy, Fellestjenesten/Arkiv) sees this page.
* ``POST /oppgaver/{id}/ferdig``: the receiver marks a task of a kind without its own page as
  done (outcome ``ferdig``), with an optional comment.
* ``POST /oppgaver/{id}/trekk``: the sender (or Fellestjenesten/Arkiv) withdraws it, with a
  reason.

Plain forms (303 back to the page, messages as flash); the pages work without JavaScript.
"""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from core.auth.user import User
from core.errors import Forbidden, NotFound, ValidationFailed
from core.i18n import N_, _
from core.tasks import permissions, queries, services
from core.tasks.tables import ACTIVE, OPEN
from core.validation import parse_id
from core.web.flash import flash
from core.web.forms import form_value
from core.web.pages import AnyRequest, current_user, page, runtime
from core.web.tasks.common import kinds_of, object_text, template_context

DONE_OUTCOME = N_("ferdig")
"""The outcome of a task marked done on the generic page."""


async def _visible(request: AnyRequest, task_id: int) -> dict[str, Any]:
    task = await queries.get_task(task_id)
    if task is None:
        raise NotFound(_("Fant ikke oppgaven."))
    if not permissions.may_see(current_user(request), task):
        raise Forbidden(_("Du har ikke tilgang til denne oppgaven."))
    return task


def _acting(user: User, task: dict[str, Any]) -> tuple[bool, int | None]:
    """Whether ``user`` may act on the waiting task now, and on whose behalf (a deputy)."""
    if task["state"] not in ACTIVE:
        return False, None
    try:
        return True, permissions.may_act(user, task)
    except Forbidden:
        return False, None


async def _task_page(
    request: AnyRequest,
    task: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    user = current_user(request)
    kind = kinds_of(request).get(str(task["kind"]))
    may_act, on_behalf_of = _acting(user, task)
    waiting = task["state"] in ACTIVE
    parent = await queries.get_task(int(task["parent"])) if task["parent"] else None
    return await page(
        request,
        "oppgaver/oppgave.html",
        status_code=status_code,
        task=task,
        kind=kind,
        parent=parent if parent and permissions.may_see(user, parent) else None,
        about=await object_text(task),
        as_deputy_for=(task["taken_by_name"] or task["receiver_name"]) if on_behalf_of else "",
        may_take=may_act and task["state"] == OPEN and task["receiver_role"] is not None,
        may_complete=may_act and not (kind and kind.has_own_page),
        may_withdraw=waiting and (task["sender"] == user.person_id or user.is_archive),
        errors=errors or {},
        form=form or {},
        **template_context(request),
    )


@get("/oppgaver/{task_id:int}", name="oppgaver:task")
async def task_page(request: AnyRequest, task_id: FromPath[int]) -> Response[Any]:
    task = await _visible(request, task_id)
    kind = kinds_of(request).get(str(task["kind"]))
    if kind and kind.has_own_page and _acting(current_user(request), task)[0]:
        return Redirect(kind.url_for(task_id), status_code=303)
    return await _task_page(request, task)


@post("/oppgaver/{task_id:int}/ferdig", name="oppgaver:complete")
async def complete(request: AnyRequest, task_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    task = await _visible(request, task_id)
    comment = form_value(form, "kommentar")
    completed = await services.complete_task(
        runtime(request).settings,
        current_user(request),
        task_id,
        version=parse_id(form_value(form, "version")) or 0,
        outcome=DONE_OUTCOME,
        comment=comment,
    )
    if completed.on_behalf_of:
        text = _("Oppgaven «%(title)s» er behandlet på vegne av %(name)s.") % {
            "title": task["title"],
            "name": task["taken_by_name"] or task["receiver_name"],
        }
    else:
        text = _("Oppgaven «%(title)s» er behandlet.") % {"title": task["title"]}
    flash(request, text)
    return Redirect(f"/oppgaver/{task_id}", status_code=303)


@post("/oppgaver/{task_id:int}/trekk", name="oppgaver:withdraw")
async def withdraw(request: AnyRequest, task_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    task = await _visible(request, task_id)
    reason = form_value(form, "begrunnelse")
    try:
        await services.withdraw_task(
            runtime(request).settings,
            current_user(request),
            task_id,
            version=parse_id(form_value(form, "version")) or 0,
            reason=reason,
        )
    except ValidationFailed as exc:
        return await _task_page(
            request, task, errors=exc.errors, form={"begrunnelse": reason}, status_code=422
        )
    flash(request, _("Oppgaven «%(title)s» er trukket tilbake.") % {"title": task["title"]})
    return Redirect(f"/oppgaver/{task_id}", status_code=303)


ROUTES = [task_page, complete, withdraw]
