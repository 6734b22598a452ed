"""Tasks waiting for someone who has left (Fellestjenesten/Arkiv): ``/admin/oppgaver``.

* ``GET /admin/oppgaver``: open tasks whose receiver (or whoever took them) is deactivated.
* ``GET /admin/oppgaver/{id}/gi``: the form to give one to someone else.
* ``POST /admin/oppgaver/{id}/gi``: give it (:func:`core.tasks.services.reassign_task`);
  the new receiver is mailed. 303 back to the list with a message; a form error re-renders
  the form (422).
"""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from core.archive.queries import choices
from core.auth.user import User
from core.errors import Forbidden, NotFound, ValidationFailed
from core.i18n import _
from core.tasks import permissions, queries, services
from core.tasks.tables import ACTIVE
from core.validation import parse_id
from core.web.flash import flash
from core.web.forms import form_value
from core.web.pages import AnyRequest, current_user, page, runtime
from core.web.tasks.common import template_context

LIST_URL = "/admin/oppgaver"


def _archive(request: AnyRequest) -> User:
    user = current_user(request)
    permissions.require_reassigner(user)
    return user


@get("/admin/oppgaver", name="oppgaver:admin")
async def waiting_for_inactive(request: AnyRequest, side: FromQuery[int | None] = None) -> Template:
    _archive(request)
    return await page(
        request,
        "oppgaver/admin.html",
        result=await queries.waiting_for_inactive(side),
        **template_context(request),
    )


async def _form_page(
    request: AnyRequest,
    task_id: int,
    errors: dict[str, str] | None = None,
    chosen: str = "",
    status_code: int = 200,
) -> Template:
    task = await queries.get_task(task_id)
    if task is None:
        raise NotFound(_("Fant ikke oppgaven."))
    if task["state"] not in ACTIVE:
        raise Forbidden(_("Oppgaven venter ikke lenger på noen, og kan ikke gis til en annen."))
    return await page(
        request,
        "oppgaver/gi.html",
        status_code=status_code,
        task=task,
        people=await choices.people_by_unit(),
        chosen=chosen,
        errors=errors or {},
        **template_context(request),
    )


@get("/admin/oppgaver/{task_id:int}/gi", name="oppgaver:reassign_form")
async def reassign_form(request: AnyRequest, task_id: FromPath[int]) -> Template:
    _archive(request)
    return await _form_page(request, task_id)


@post("/admin/oppgaver/{task_id:int}/gi", name="oppgaver:reassign")
async def reassign(request: AnyRequest, task_id: FromPath[int]) -> Response[Any]:
    user = _archive(request)
    form = await request.form()
    chosen = form_value(form, "person")
    person_id = parse_id(chosen)
    try:
        if person_id is None:
            raise ValidationFailed({"person": _("Velg hvem oppgaven skal gis til.")})
        await services.reassign_task(
            runtime(request).settings,
            user,
            task_id,
            person_id,
            version=parse_id(form_value(form, "version")) or 0,
        )
    except ValidationFailed as exc:
        return await _form_page(request, task_id, exc.errors, chosen, status_code=422)
    task = await queries.get_task(task_id)
    assert task is not None
    flash(
        request,
        _("Oppgaven «%(title)s» er gitt til %(name)s.")
        % {"title": task["title"], "name": task["receiver_name"]},
    )
    return Redirect(LIST_URL, status_code=303)


ROUTES = [waiting_for_inactive, reassign_form, reassign]
