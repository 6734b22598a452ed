"""What the fordeling pages share: reading the queue and form values, building the queue
page's context, and answering after an action (303 + flash without JavaScript; the updated
fragment, the message area and the menu badge out of band, and the ``fordeling-endret``
event for htmx)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar.datastructures import FormMultiDict
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Response, Template

from core.archive.queries.visibility import Viewer
from core.errors import NotFound
from core.i18n import _
from core.web.flash import flash
from core.web.pages import current_user, fragment, is_fragment_request, page
from plugins.fordeling import queries, services
from plugins.fordeling.queries import CENTRAL, QueueFilter
from plugins.fordeling.services import is_number

AnyRequest = HTMXRequest
CHANGED_EVENT = "fordeling-endret"
"""Sent with ``HX-Trigger`` after every change; the card and the queue summary listen for it."""


def parse_queue(value: str | None, request: AnyRequest) -> int | None:
    """``?enhet=``: a unit id, ``sentral``, or empty for the user's default queue."""
    if value is None or value == "":
        return services.default_queue(current_user(request))
    if value == CENTRAL:
        return None
    if is_number(value):
        return int(value)
    raise NotFound(_("Fant ingen kurv med dette navnet."))


def queue_key(unit_id: int | None) -> str:
    return CENTRAL if unit_id is None else str(unit_id)


def queue_url(unit_id: int | None, filters: QueueFilter | None = None, side: int | None = None) -> str:
    params = {"enhet": queue_key(unit_id), **(filters.params() if filters else {})}
    if side and side > 1:
        params["side"] = str(side)
    return "/fordeling?" + urlencode(params)


def form_value(form: FormMultiDict, key: str) -> str:
    raw = form.get(key)
    return raw.strip() if isinstance(raw, str) else ""


def form_values(form: FormMultiDict, key: str) -> list[str]:
    return [v.strip() for v in form.getall(key, []) if isinstance(v, str) and v.strip()]


def form_page(form: FormMultiDict) -> int | None:
    raw = form_value(form, "side")
    return int(raw) if is_number(raw) else None


def filters_of(form: FormMultiDict) -> QueueFilter:
    return QueueFilter.from_query(
        form_value(form, "sok"), form_value(form, "jptype"), form_value(form, "sorter")
    )


# --- the menu badge ------------------------------------------------------------------------


async def menu_badge(request: AnyRequest) -> dict[str, Any]:
    """The menu link's label and count, as :func:`plugins.fordeling.hooks.menu_links` shows it."""
    count = await services.menu_count(current_user(request))
    return {"label": _("Til fordeling"), "count": count, "count_label": _("journalposter")}


# --- the card ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """What the card shows: each of the user's queues, the total and the oldest age in days."""

    summaries: list[queries.QueueSummary]

    @property
    def total(self) -> int:
        return sum(s.count for s in self.summaries)

    @property
    def oldest(self) -> int:
        return max((s.age for s in self.summaries if s.count), default=0)


# --- the queue page ------------------------------------------------------------------------


async def queue_context(
    request: AnyRequest,
    unit_id: int | None,
    filters: QueueFilter,
    side: int | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> dict[str, Any]:
    user = current_user(request)
    services.require_viewer(user, unit_id)
    unit = await services.require_unit(unit_id) if unit_id is not None else None
    viewer = await Viewer.of(user)
    result = await queries.queue_page(viewer, unit_id, filters, side)
    can_distribute = services.may_distribute(user, unit_id)
    authority = user.authority_for(unit_id) if unit_id is not None else None
    own = await services.own_summaries(user)
    overview = await queries.summaries(None, only_waiting=True) if user.is_archive else []
    people = await queries.unit_people(unit_id) if unit_id is not None and can_distribute else []
    units = [u for u in await queries.active_units() if u["id"] != unit_id] if can_distribute else []
    leader_name = ""
    if authority is not None and authority.on_behalf_of is not None:
        leader_name = (await queries.person_names([authority.on_behalf_of])).get(authority.on_behalf_of, "")
    return {
        "unit_id": unit_id,
        "unit": unit,
        "queue_key": queue_key(unit_id),
        "queue_label": (
            f"{unit['code']} {unit['name']}" if unit else _("Fellestjenesten/Arkiv: post uten enhet")
        ),
        "central": unit_id is None,
        "result": result,
        "filters": filters,
        "filter_params": filters.params(),
        "sort_labels": queries.sort_labels(),
        "can_distribute": can_distribute,
        "as_deputy_for": leader_name,
        "card": Card(own),
        "overview": overview,
        "people": people,
        "units": units,
        "any_new_case": any(row["ny_sak"] for row in result.items),
        "errors": errors or {},
        "form": form or {},
        "queue_url": queue_url(unit_id, filters, result.number),
        "pager_query": urlencode({"enhet": queue_key(unit_id), **filters.params()}),
    }


async def queue_response(
    request: AnyRequest,
    unit_id: int | None,
    filters: QueueFilter,
    side: int | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    context = await queue_context(request, unit_id, filters, side, errors=errors, form=form)
    if is_fragment_request(request):
        return fragment("fordeling/_kurv.html", status_code=status_code, **context)
    return await page(request, "fordeling/index.html", status_code=status_code, **context)


# --- after an action -----------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    text: str
    category: str = "success"


def outcome_messages(outcome: services.Outcome, done_text: Callable[[int], str]) -> list[Message]:
    """A success line for what was done, then one line per post that failed.

    ``done_text(count)`` gives the (translated, plural-aware) message; it may use ``%(num)s``
    (the count), ``%(post)s`` (the one post's number) and ``%(to)s`` (the handler or unit).
    """
    messages: list[Message] = []
    if outcome.done:
        count = len(outcome.done)
        first = outcome.done[0]
        post = first["item"]["registrerings_id"] if first.get("item") else _("Journalposten")
        messages.append(Message(done_text(count) % {"num": count, "to": first.get("to", ""), "post": post}))
    messages += [Message(problem, "error") for problem in outcome.problems]
    return messages


async def answer(
    request: AnyRequest,
    messages: list[Message],
    *,
    redirect_to: str,
    fragment_template: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> Response[Any]:
    """Plain form: flash the messages and redirect (303). htmx: the updated fragment, with the
    messages and the menu badge out of band, and the change event for the card."""
    if is_fragment_request(request):
        return HTMXTemplate(
            template_name=fragment_template,
            context={"messages": messages, "badge": await menu_badge(request), "oob": True, **context},
            status_code=status_code,
            headers={"HX-Trigger": CHANGED_EVENT},
        )
    for message in messages:
        flash(request, message.text, message.category)
    return Redirect(redirect_to, status_code=303)
