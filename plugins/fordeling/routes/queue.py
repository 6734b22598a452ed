"""The queue *Til fordeling* (thin handlers; the rules live in ``services``).

* ``GET /fordeling``: the queue (``?enhet=<id>|sentral``, ``sok``, ``jptype``, ``sorter``,
  ``side``); htmx gets only the queue region (``_kurv.html``). Without ``sorter`` the sort the
  user chose last; items that came since the user's previous visit are marked «Ny».
* ``POST /fordeling/fordel``: distribute the ticked posts to a handler (``handling=fordel``;
  when they start more than one new case, the answer is first the saksansvarlig step, which
  comes back with ``steg=saksansvarlig`` and ``saksansvarlig-<saksmappe>`` per case, or
  ``handling=tilbake`` for the queue as ticked), send them to another unit
  (``handling=send``), or distribute one post to its suggested handler
  (``forslag=<korrespondansepart>:<version>:<person>``).
* ``GET /fordeling/kort``: the dashboard card (also refreshed on ``fordeling-endret``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Router, get, post
from litestar.params import FromQuery
from litestar.response import Response, Template

from core import roles
from core.archive.queries.distribution import QueueFilter
from core.errors import Forbidden, ValidationFailed
from core.i18n import _
from core.web.actions import Outcome, Selected, answer, outcome_messages
from core.web.forms import form_page, form_value, form_values
from core.web.pages import AnyRequest, current_user, fragment, runtime
from plugins.fordeling import forms, pages, queries, services

OWNER_STEP = "saksansvarlig"
"""``steg`` of the form that comes back from the saksansvarlig step."""


@get("/", name="fordeling:index")
async def index(
    request: AnyRequest,
    enhet: FromQuery[str | None] = None,
    sok: FromQuery[str | None] = None,
    jptype: FromQuery[str | None] = None,
    sorter: FromQuery[str | None] = None,
    side: FromQuery[int | None] = None,
) -> Template:
    unit_id = forms.parse_queue(enhet, current_user(request))
    filters = QueueFilter.from_query(sok, jptype, sorter)
    return await pages.queue_response(request, unit_id, filters, side, sort=sorter)


@get("/kort", name="fordeling:card")
async def card(request: AnyRequest, rolle: FromQuery[str | None] = None) -> Template:
    """The front-page card (htmx fragment): count and oldest item of each queue of the role
    (``?rolle=arkiv``: the central queue and every unit with post waiting; otherwise the
    units the user leads or deputises for, and for Fellestjenesten/Arkiv the central queue)."""
    user = current_user(request)
    if not services.uses_fordeling(user):
        raise Forbidden(_("Til fordeling er for ledere, stedfortredere og Fellestjenesten/Arkiv."))
    if rolle == roles.ARKIV and user.is_archive:
        found, url = await queries.card_summaries(user, roles.ARKIV), "/fordeling/kort?rolle=arkiv"
    elif rolle == roles.LEADER and user.is_leader:
        found, url = await queries.card_summaries(user, roles.LEADER), "/fordeling/kort?rolle=leder"
    else:
        found, url = await queries.own_summaries(user), "/fordeling/kort"
    return fragment("fordeling/_card.html", card=pages.Card(found), card_url=url)


def _success(outcome: Outcome, text: Callable[[int], str]) -> str:
    if not outcome.done:
        return ""
    first, count = outcome.done[0], len(outcome.done)
    done = text(count) % {"num": count, "to": first.to, "post": first.label}
    owners = pages.owners_text(services.owners_set(outcome))
    return f"{done} {owners}" if owners else done


@post("/fordel", name="fordeling:distribute")
async def distribute(request: AnyRequest) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    unit_id = forms.parse_queue(form_value(form, "enhet"), user)
    filters, side = forms.filters_of(form), form_page(form)
    sort = form_value(form, "sorter") or None  # None: the default, or the one the page remembered
    services.require_distributor(user, unit_id)
    suggestion = form_value(form, "forslag")
    action = "forslag" if suggestion else form_value(form, "handling")
    notify = form_value(form, "varsle") == "1"
    rt = runtime(request)
    try:
        if action == "forslag":
            choice, person = forms.parse_suggestion(suggestion)
            if unit_id is None:
                raise ValidationFailed(
                    {"valgt": _("Post uten enhet sendes til en enhet, ikke til en person.")}
                )
            outcome = await services.distribute(rt, user, unit_id, [choice], person, notify=notify)
            done_text = pages.distributed_text
        elif action in ("fordel", "tilbake"):
            if unit_id is None:
                raise ValidationFailed({"saksbehandler": _("Post uten enhet sendes først til en enhet.")})
            entered = forms.distribute_entered(form)
            if action == "tilbake":  # from the saksansvarlig step, back to the queue as ticked
                return await pages.queue_response(request, unit_id, filters, side, form=entered)
            step = form_value(form, "steg") == OWNER_STEP
            plan = await services.prepare(
                user,
                unit_id,
                Selected.parse_all(form_values(form, "valgt"), message=forms.invalid_selection()),
                form_value(form, "saksbehandler"),
                form_value(form, "saksansvarlig") or None,
                entered["saker"] if step else None,
            )
            if step and plan.errors and all(k.startswith(services.OWNER_FIELD) for k in plan.errors):
                return await pages.owners_response(
                    request, plan, filters, side, entered, errors=plan.errors, status_code=422
                )
            plan.check()
            if len(plan.new_cases) > 1 and not step:
                # Several new cases: ask for the saksansvarlig of each before distributing.
                return await pages.owners_response(request, plan, filters, side, entered)
            outcome = await services.carry_out(rt, user, plan, notify=notify)
            done_text = pages.distributed_text
        elif action == "send":
            selected = Selected.parse_all(form_values(form, "valgt"), message=forms.invalid_selection())
            outcome = await services.send_to_unit(rt, user, unit_id, selected, form_value(form, "enhet_til"))
            done_text = pages.sent_text
        else:
            raise ValidationFailed({"valgt": _("Velg hva som skal gjøres med journalpostene.")})
    except ValidationFailed as exc:
        return await pages.queue_response(
            request,
            unit_id,
            filters,
            side,
            sort=sort,
            errors=exc.errors,
            form=forms.distribute_entered(form),
            status_code=422,
        )
    return await answer(
        request,
        outcome_messages(outcome, _success(outcome, done_text)),
        redirect_to=pages.queue_url(unit_id, filters, side),
        fragment_template="fordeling/_kurv.html",
        context=await pages.queue_context(request, unit_id, filters, side, sort=sort),
        badge=await pages.menu_link(user),
        event=pages.CHANGED_EVENT,
        status_code=outcome.status_code,
    )


router = Router(path="/fordeling", route_handlers=[index, card, distribute])
