"""Redistribution (*omfordeling*): a leader moves a handler's open posts, or some of them, to
another handler of the unit, with a remark.

* ``GET /fordeling/omfordel?enhet=<id>&fra=<person>``: pick the handler, see the open posts;
  htmx gets only the region (``_omfordel.html``).
* ``GET /fordeling/omfordel?...&side=<n>``: the handler's open posts, 50 to a page.
* ``POST /fordeling/omfordel``: move the ticked posts (``handling=valgte``, with the versions
  the page showed) or every open post the page counted (``handling=alle``, with ``vist``, the
  time the page was shown: a post that reached the handler later stays).
"""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromQuery
from litestar.response import Response, Template

from core.errors import ValidationFailed
from core.i18n import _
from core.web.actions import Selected, answer, outcome_messages
from core.web.forms import form_id, form_value, form_values
from core.web.pages import AnyRequest, current_user, runtime
from plugins.fordeling import forms, pages, services


@get("/omfordel", name="fordeling:redistribute_page")
async def redistribute_page(
    request: AnyRequest,
    enhet: FromQuery[str | None] = None,
    fra: FromQuery[int | None] = None,
    side: FromQuery[int | None] = None,
) -> Template:
    return await pages.omfordel_response(request, forms.parse_queue(enhet, current_user(request)), fra, side)


@post("/omfordel", name="fordeling:redistribute")
async def redistribute(request: AnyRequest) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    unit_id = pages.require_omfordel_unit(user, forms.parse_queue(form_value(form, "enhet"), user))
    handler_id = form_id(form, "fra")
    all_posts = form_value(form, "handling") == "alle"
    try:
        if handler_id is None:
            raise ValidationFailed({"fra": _("Velg saksbehandleren som har journalpostene nå.")})
        if all_posts:
            outcome = await services.redistribute_all(
                runtime(request),
                user,
                unit_id,
                handler_id,
                forms.parse_shown_at(form_value(form, "vist")),
                form_value(form, "saksbehandler"),
                form_value(form, "merknad"),
            )
        else:
            outcome = await services.redistribute(
                runtime(request),
                user,
                unit_id,
                handler_id,
                Selected.parse_all(form_values(form, "valgt"), message=forms.invalid_selection()),
                form_value(form, "saksbehandler"),
                form_value(form, "merknad"),
            )
    except ValidationFailed as exc:
        return await pages.omfordel_response(
            request,
            unit_id,
            handler_id,
            errors=exc.errors,
            form=forms.redistribute_entered(form),
            status_code=422,
        )
    success = ""
    if outcome.done:
        first, count = outcome.done[0], len(outcome.done)
        success = pages.redistributed_text(count, first.to, first.label)
    return await answer(
        request,
        outcome_messages(outcome, success),
        redirect_to=pages.omfordel_url(unit_id, handler_id),
        fragment_template="fordeling/_omfordel.html",
        context=await pages.omfordel_context(request, unit_id, handler_id),
        badge=await pages.menu_link(user),
        event=pages.CHANGED_EVENT,
        status_code=outcome.status_code,
    )


router = Router(path="/fordeling", route_handlers=[redistribute_page, redistribute])
