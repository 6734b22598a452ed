"""HTTP routes of the fordeling plugin (thin handlers; the rules live in ``services``).

* ``GET /fordeling``: the queue *Til fordeling* (``?enhet=<id>|sentral``, ``sok``, ``jptype``,
  ``sorter``, ``side``); htmx gets only the queue region (``_kurv.html``).
* ``POST /fordeling/fordel``: distribute the ticked posts to a handler (``handling=fordel``),
  send them to another unit (``handling=send``), or distribute one post to its suggested
  handler (``forslag=<kid>:<version>:<person>``).
* ``GET /fordeling/kort``: the dashboard card (also refreshed on ``fordeling-endret``).
* ``/fordeling/omfordel``: redistribution (see :mod:`plugins.fordeling.routes_omfordel`).
"""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Response, Template

from core.errors import Forbidden, ValidationFailed
from core.i18n import _, ngettext
from core.web.pages import current_user, fragment, runtime
from plugins.fordeling import routes_omfordel, services
from plugins.fordeling.queries import QueueFilter
from plugins.fordeling.services import Selected, is_number
from plugins.fordeling.web import (
    Card,
    answer,
    filters_of,
    form_page,
    form_value,
    form_values,
    outcome_messages,
    parse_queue,
    queue_context,
    queue_response,
    queue_url,
)

AnyRequest = HTMXRequest


def distributed_text(count: int) -> str:
    return ngettext("%(post)s er fordelt til %(to)s.", "%(num)s journalposter er fordelt til %(to)s.", count)


def sent_text(count: int) -> str:
    return ngettext("%(post)s er sendt til %(to)s.", "%(num)s journalposter er sendt til %(to)s.", count)


@get("/", name="fordeling:index")
async def index(
    request: AnyRequest,
    enhet: FromQuery[str | None] = None,
    sok: FromQuery[str | None] = None,
    jptype: FromQuery[str | None] = None,
    sorter: FromQuery[str | None] = None,
    side: FromQuery[int | None] = None,
) -> Template:
    unit_id = parse_queue(enhet, request)
    return await queue_response(request, unit_id, QueueFilter.from_query(sok, jptype, sorter), side)


@get("/kort", name="fordeling:card")
async def card(request: AnyRequest) -> Template:
    """The front-page card (htmx fragment): count and oldest item of each of the user's queues."""
    user = current_user(request)
    if not services.uses_fordeling(user):
        raise Forbidden(_("Til fordeling er for ledere, stedfortredere og Fellestjenesten/Arkiv."))
    return fragment("fordeling/_card.html", card=Card(await services.own_summaries(user)))


def _suggestion(value: str) -> tuple[Selected, str]:
    kid, _sep, rest = value.partition(":")
    version, _sep2, person = rest.partition(":")
    if not (is_number(kid) and is_number(version) and is_number(person)):
        raise ValidationFailed({"valgt": _("Forslaget er ugyldig. Last siden på nytt.")})
    return Selected(int(kid), int(version)), person


@post("/fordel", name="fordeling:distribute")
async def distribute(request: AnyRequest) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    unit_id = parse_queue(form_value(form, "enhet"), request)
    filters, side = filters_of(form), form_page(form)
    services.require_distributor(user, unit_id)
    suggestion = form_value(form, "forslag")
    action = "forslag" if suggestion else form_value(form, "handling")
    notify = form_value(form, "varsle") == "1"
    rt = runtime(request)
    try:
        if action == "forslag":
            choice, person = _suggestion(suggestion)
            if unit_id is None:
                raise ValidationFailed(
                    {"valgt": _("Post uten enhet sendes til en enhet, ikke til en person.")}
                )
            outcome = await services.distribute(rt, user, unit_id, [choice], person, notify=notify)
            done_text = distributed_text
        elif action == "fordel":
            if unit_id is None:
                raise ValidationFailed({"saksbehandler": _("Post uten enhet sendes først til en enhet.")})
            selected = Selected.parse_all(form_values(form, "valgt"))
            outcome = await services.distribute(
                rt,
                user,
                unit_id,
                selected,
                form_value(form, "saksbehandler"),
                form_value(form, "saksansvarlig") or None,
                notify=notify,
            )
            done_text = distributed_text
        elif action == "send":
            selected = Selected.parse_all(form_values(form, "valgt"))
            outcome = await services.send_to_unit(rt, user, unit_id, selected, form_value(form, "enhet_til"))
            done_text = sent_text
        else:
            raise ValidationFailed({"valgt": _("Velg hva som skal gjøres med journalpostene.")})
    except ValidationFailed as exc:
        entered = {
            "valgt": form_values(form, "valgt"),
            "saksbehandler": form_value(form, "saksbehandler"),
            "saksansvarlig": form_value(form, "saksansvarlig"),
            "enhet_til": form_value(form, "enhet_til"),
            "varsle": notify,
        }
        return await queue_response(
            request, unit_id, filters, side, errors=exc.errors, form=entered, status_code=422
        )
    messages = outcome_messages(outcome, done_text)
    return await answer(
        request,
        messages,
        redirect_to=queue_url(unit_id, filters, side),
        fragment_template="fordeling/_kurv.html",
        context=await queue_context(request, unit_id, filters, side),
        status_code=409 if outcome.all_failed and outcome.conflicts else 200,
    )


router = Router(
    path="/fordeling",
    route_handlers=[index, card, distribute, *routes_omfordel.ROUTES],
)
