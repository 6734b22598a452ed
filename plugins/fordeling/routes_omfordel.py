"""Redistribution (*omfordeling*): a leader moves a handler's open posts, or some of them, to
another handler of the unit, with a remark.

* ``GET /fordeling/omfordel?enhet=<id>&fra=<person>``: pick the handler, see the open posts;
  htmx gets only the region (``_omfordel.html``).
* ``POST /fordeling/omfordel``: move the ticked posts (``handling=valgte``) or every post
  listed (``handling=alle``, with the versions the page showed).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import get, post
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Response, Template

from core.archive.queries.visibility import Viewer
from core.errors import Forbidden, ValidationFailed
from core.i18n import _, ngettext
from core.web.pages import current_user, fragment, is_fragment_request, page, runtime
from plugins.fordeling import queries, services
from plugins.fordeling.services import Selected, is_number
from plugins.fordeling.web import answer, form_value, form_values, outcome_messages, parse_queue

AnyRequest = HTMXRequest


def omfordel_url(unit_id: int, handler_id: int | None) -> str:
    params: dict[str, str] = {"enhet": str(unit_id)}
    if handler_id:
        params["fra"] = str(handler_id)
    return "/fordeling/omfordel?" + urlencode(params)


async def omfordel_context(
    request: AnyRequest,
    unit_id: int | None,
    handler_id: int | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> dict[str, Any]:
    user = current_user(request)
    if unit_id is None:
        raise Forbidden(
            _("Omfordeling gjøres av lederen for enheten, eller av stedfortrederen i lederens fravær.")
        )
    authority = services.require_distributor(user, unit_id)
    unit = await services.require_unit(unit_id)
    people = await queries.unit_people(unit_id)
    counts = await queries.open_counts_by_handler(unit_id)
    names = await queries.person_names(list(counts))
    handlers = [{"id": p["id"], "name": p["name"], "open": counts.get(p["id"], 0)} for p in people]
    # Open posts may also sit with people who have left the unit or stopped: list them too.
    known = {p["id"] for p in people}
    handlers += [
        {"id": pid, "name": names.get(pid, str(pid)), "open": n, "inactive": True}
        for pid, n in sorted(counts.items(), key=lambda kv: names.get(kv[0], ""))
        if pid not in known
    ]
    if handler_id is not None and handler_id not in {h["id"] for h in handlers}:
        handler_id = None
    items = await queries.open_items_of(await Viewer.of(user), unit_id, handler_id) if handler_id else []
    leader_name = ""
    if authority is not None and authority.on_behalf_of is not None:
        leader_name = (await queries.person_names([authority.on_behalf_of])).get(authority.on_behalf_of, "")
    return {
        "unit_id": unit_id,
        "unit": unit,
        "queue_label": f"{unit['code']} {unit['name']}",
        "handlers": handlers,
        "handler_id": handler_id,
        "handler_name": next((h["name"] for h in handlers if h["id"] == handler_id), ""),
        "items": items,
        "targets": [p for p in people if p["id"] != handler_id],
        "as_deputy_for": leader_name,
        "errors": errors or {},
        "form": form or {},
    }


async def omfordel_response(
    request: AnyRequest,
    unit_id: int | None,
    handler_id: int | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    context = await omfordel_context(request, unit_id, handler_id, errors=errors, form=form)
    if is_fragment_request(request):
        return fragment("fordeling/_omfordel.html", status_code=status_code, **context)
    return await page(request, "fordeling/omfordel.html", status_code=status_code, **context)


@get("/omfordel", name="fordeling:redistribute_page")
async def redistribute_page(
    request: AnyRequest, enhet: FromQuery[str | None] = None, fra: FromQuery[int | None] = None
) -> Template:
    return await omfordel_response(request, parse_queue(enhet, request), fra)


def _redistributed_text(count: int) -> str:
    return ngettext(
        "%(post)s er omfordelt til %(to)s.", "%(num)s journalposter er omfordelt til %(to)s.", count
    )


@post("/omfordel", name="fordeling:redistribute")
async def redistribute(request: AnyRequest) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    unit_id = parse_queue(form_value(form, "enhet"), request)
    handler_raw = form_value(form, "fra")
    handler_id = int(handler_raw) if is_number(handler_raw) else None
    if unit_id is None:
        raise Forbidden(
            _("Omfordeling gjøres av lederen for enheten, eller av stedfortrederen i lederens fravær.")
        )
    services.require_distributor(user, unit_id)
    all_posts = form_value(form, "handling") == "alle"
    chosen = form_values(form, "alle_valgt" if all_posts else "valgt")
    try:
        if handler_id is None:
            raise ValidationFailed({"fra": _("Velg saksbehandleren som har journalpostene nå.")})
        outcome = await services.redistribute(
            runtime(request),
            user,
            unit_id,
            handler_id,
            Selected.parse_all(chosen),
            form_value(form, "saksbehandler"),
            form_value(form, "merknad"),
        )
    except ValidationFailed as exc:
        entered = {
            "valgt": form_values(form, "valgt"),
            "saksbehandler": form_value(form, "saksbehandler"),
            "merknad": form_value(form, "merknad"),
        }
        return await omfordel_response(
            request, unit_id, handler_id, errors=exc.errors, form=entered, status_code=422
        )
    return await answer(
        request,
        outcome_messages(outcome, _redistributed_text),
        redirect_to=omfordel_url(unit_id, handler_id),
        fragment_template="fordeling/_omfordel.html",
        context=await omfordel_context(request, unit_id, handler_id),
        status_code=409 if outcome.all_failed and outcome.conflicts else 200,
    )


ROUTES = [redistribute_page, redistribute]
