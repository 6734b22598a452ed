"""What fordeling's pages show: the menu link with its count, the card, the queue page and the
redistribution page (their contexts and URLs), and the success texts after an action."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from litestar.response import Template

from core.archive.queries import choices, people
from core.archive.queries.distribution import (
    CENTRAL,
    DEFAULT_SORT,
    SORTS,
    QueueFilter,
    open_items_of,
    queue_page,
    sort_labels,
    waiting_item,
)
from core.archive.queries.distribution_counts import QueueSummary, open_counts_by_handler, summaries
from core.archive.queries.documents import documents_of_post
from core.archive.queries.visibility import Viewer
from core.auth.user import User
from core.contributions import MenuLink
from core.errors import Forbidden, NotFound
from core.i18n import _, format_tall, ngettext
from core.timeutil import now
from core.web.list_preferences import open_list
from core.web.pages import AnyRequest, current_user, page_or_fragment
from plugins.fordeling import queries, services

CHANGED_EVENT = "fordeling-endret"
"""Sent with ``HX-Trigger`` after every change; the card and the queue summary listen for it."""
LIST_KEY = "fordeling.kurv"
"""The queues' key in :mod:`core.web.list_preferences`: one sort for all the user's queues, the
visits (the mark «Ny») counted per queue (``fordeling.kurv:<enhet>``)."""


async def menu_link(user: User) -> MenuLink:
    """The menu link *Til fordeling* with the posts waiting in the user's queues; the hook and
    the out-of-band badge after an action use it alike."""
    count = await queries.menu_count(user)
    return MenuLink(_("Til fordeling"), "/fordeling", order=10, count=count, count_label=_("journalposter"))


@dataclass(frozen=True)
class Card:
    """What the card shows: each of the user's queues, the total and the oldest age in days."""

    summaries: list[QueueSummary]

    @property
    def total(self) -> int:
        return sum(s.count for s in self.summaries)

    @property
    def oldest(self) -> int:
        return max((s.age for s in self.summaries if s.count), default=0)


def distributed_text(count: int) -> str:
    return ngettext("%(post)s er fordelt til %(to)s.", "%(num)s journalposter er fordelt til %(to)s.", count)


def owners_text(owners: list[tuple[str, str]]) -> str:
    """The new cases' saksansvarlig after a distribution: «Saksansvarlig satt for 2 nye saker:
    2026/00012 Kari Nordmann, 2026/00013 Ola Hansen.» ("" when none was set)."""
    if not owners:
        return ""
    listed = ", ".join(f"{case} {name}" for case, name in owners)
    return ngettext(
        "Saksansvarlig satt for ny sak: %(cases)s.",
        "Saksansvarlig satt for %(num)s nye saker: %(cases)s.",
        len(owners),
    ) % {"num": len(owners), "cases": listed}


def sent_text(count: int) -> str:
    return ngettext("%(post)s er sendt til %(to)s.", "%(num)s journalposter er sendt til %(to)s.", count)


def redistributed_text(count: int, to: str, post: str) -> str:
    """The success message of an omfordeling of ``count`` posts (``post``: the one's label),
    the number written as the page writes it (``2 070``)."""
    return ngettext(
        "%(post)s er omfordelt til %(to)s.", "%(num)s journalposter er omfordelt til %(to)s.", count
    ) % {"num": format_tall(count), "to": to, "post": post}


# --- the queue -----------------------------------------------------------------------------


def queue_key(unit_id: int | None) -> str:
    return CENTRAL if unit_id is None else str(unit_id)


def queue_url(unit_id: int | None, filters: QueueFilter | None = None, side: int | None = None) -> str:
    params = {"enhet": queue_key(unit_id), **(filters.params() if filters else {})}
    if side and side > 1:
        params["side"] = str(side)
    return "/fordeling?" + urlencode(params)


async def deputy_for(user: User, unit_id: int | None) -> str:
    """The leader's name when ``user`` acts as deputy for the unit today, else ""."""
    authority = user.authority_for(unit_id) if unit_id is not None else None
    if authority is None or authority.on_behalf_of is None:
        return ""
    return (await people.person_names([authority.on_behalf_of])).get(authority.on_behalf_of, "")


async def queue_context(
    request: AnyRequest,
    unit_id: int | None,
    filters: QueueFilter,
    side: int | None,
    *,
    sort: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The queue page. ``sort``: the ``sorter`` of the request, if any; without one the sort
    the user chose last (:mod:`core.web.list_preferences`)."""
    user = current_user(request)
    services.require_viewer(user, unit_id)
    unit = await services.require_unit(unit_id) if unit_id is not None else None
    view = await open_list(
        user, LIST_KEY, sort, SORTS, DEFAULT_SORT, seen_key=f"{LIST_KEY}:{queue_key(unit_id)}"
    )
    filters = replace(filters, sorter=view.sort)
    own = await queries.own_summaries(user)
    # The queue's size is in the user's own summaries (the menu badge's statement) when it is
    # one of their queues: the page does not count it again.
    known = next((s.count for s in own if s.unit_id == unit_id), None)
    result = await queue_page(
        await Viewer.of(user), unit_id, filters, side, total=known, new_since=view.new_since
    )
    can_distribute = services.may_distribute(user, unit_id)
    overview = await summaries(None, only_waiting=True) if user.is_archive else []
    unit_people = await people.unit_people(unit_id) if unit_id is not None and can_distribute else []
    units = [u for u in await choices.units() if u["id"] != unit_id] if can_distribute else []
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
        "sort_labels": sort_labels(),
        "can_distribute": can_distribute,
        "as_deputy_for": await deputy_for(user, unit_id),
        "card": Card(own),
        "overview": overview,
        "people": unit_people,
        "units": units,
        "any_new_case": any(row["ny_sak"] for row in result.items),
        "errors": errors or {},
        "form": form or {},
        "queue_url": queue_url(unit_id, filters, result.number),
        "pager_query": urlencode({"enhet": queue_key(unit_id), **filters.params()}),
        "panel_query": panel_query(filters, result.number),
    }


async def queue_response(
    request: AnyRequest,
    unit_id: int | None,
    filters: QueueFilter,
    side: int | None,
    *,
    sort: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    context = await queue_context(request, unit_id, filters, side, sort=sort, errors=errors, form=form)
    return await page_or_fragment(
        request, "fordeling/index.html", "fordeling/_kurv.html", status_code=status_code, **context
    )


# --- the saksansvarlig step ----------------------------------------------------------------


async def owners_response(
    request: AnyRequest,
    plan: services.Plan,
    filters: QueueFilter,
    side: int | None,
    form: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The second step of *Fordel valgte* when the ticked posts start more than one new case:
    a saksansvarlig per new case (default: the one chosen in the queue, else the handler), the
    rest of the form carried along in hidden fields. htmx gets it in place of the queue region."""
    chosen = form.get("saker", {})
    cases = [
        {
            "case": case,
            "value": chosen.get(case.id) or str(plan.owners.get(case.id) or ""),
        }
        for case in plan.new_cases
    ]
    context = {
        "unit_id": plan.unit_id,
        "queue_key": queue_key(plan.unit_id),
        "queue_label": await _unit_label(plan.unit_id),
        "filter_params": filters.params(),
        "side": side or 1,
        "cases": cases,
        "people": plan.candidates,
        "handler_name": plan.names.get(plan.handler_id or 0, ""),
        "count": len(plan.selected),
        "form": form,
        "errors": errors or {},
        "as_deputy_for": await deputy_for(current_user(request), plan.unit_id),
    }
    return await page_or_fragment(
        request,
        "fordeling/saksansvarlig.html",
        "fordeling/_saksansvarlig.html",
        status_code=status_code,
        **context,
    )


async def _unit_label(unit_id: int) -> str:
    unit = await services.require_unit(unit_id)
    return f"{unit['code']} {unit['name']}"


# --- the document panel --------------------------------------------------------------------


def panel_query(filters: QueueFilter, side: int | None) -> str:
    """The query string of a row's panel link: the queue's filters and page, so the panel's
    page (without JavaScript) leads back to the same page of the queue."""
    params = dict(filters.params())
    if side and side > 1:
        params["side"] = str(side)
    return urlencode(params)


async def document_response(
    request: AnyRequest, korrespondansepart_id: int, filters: QueueFilter, side: int | None
) -> Template:
    """The main document of a post waiting in a queue, for those who may see that queue: the
    post's details (skjerming applied) and its hoveddokument's active version, shown in the
    page when it is a PDF or an image, else offered as a download. htmx gets the panel's
    content (``_dokument.html``), a plain request the same as a page."""
    user = current_user(request)
    viewer = await Viewer.of(user)
    item = await waiting_item(viewer, korrespondansepart_id)
    if item is None:
        raise NotFound(_("Journalposten venter ikke lenger på fordeling. Last kurven på nytt."))
    services.require_viewer(user, item["enhet"])
    docs = await documents_of_post(viewer, item["journalpost_id"])
    main = next((d for d in docs if d["tilknyttet_registrering_som"] == "H"), None)
    return await page_or_fragment(
        request,
        "fordeling/dokument.html",
        "fordeling/_dokument.html",
        item=item,
        main=main,
        version=main["aktiv_versjon"] if main else None,
        attachments=[d for d in docs if d is not main],
        back_url=queue_url(item["enhet"], filters, side),
    )


# --- omfordeling ---------------------------------------------------------------------------


def omfordel_query(unit_id: int, handler_id: int | None) -> str:
    params: dict[str, str] = {"enhet": str(unit_id)}
    if handler_id:
        params["fra"] = str(handler_id)
    return urlencode(params)


def omfordel_url(unit_id: int, handler_id: int | None) -> str:
    return "/fordeling/omfordel?" + omfordel_query(unit_id, handler_id)


def require_omfordel_unit(user: User, unit_id: int | None) -> int:
    """Omfordeling is for one unit's leader or active deputy, never the central queue."""
    if unit_id is None:
        raise Forbidden(
            _("Omfordeling gjøres av lederen for enheten, eller av stedfortrederen i lederens fravær.")
        )
    services.require_distributor(user, unit_id)
    return unit_id


async def omfordel_context(
    request: AnyRequest,
    unit_id: int | None,
    handler_id: int | None,
    side: int | None = None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The redistribution page: the unit's handlers with their open posts (from the restanse
    ledger), and one page of the chosen handler's open posts; ``shown_at`` goes with the form,
    so *Omfordel alle* moves what the page counted (:func:`~core.archive.queries.distribution.open_item_choices`)."""
    user = current_user(request)
    unit_id = require_omfordel_unit(user, unit_id)
    unit = await services.require_unit(unit_id)
    unit_people = await people.unit_people(unit_id)
    counts = await open_counts_by_handler(unit_id)
    names = await people.person_names(list(counts))
    handlers = [{"id": p["id"], "name": p["name"], "open": counts.get(p["id"], 0)} for p in unit_people]
    # Open posts may also sit with people who have left the unit or stopped: list them too.
    known = {p["id"] for p in unit_people}
    handlers += [
        {"id": pid, "name": names.get(pid, str(pid)), "open": n, "inactive": True}
        for pid, n in sorted(counts.items(), key=lambda kv: names.get(kv[0], ""))
        if pid not in known
    ]
    if handler_id is not None and handler_id not in {h["id"] for h in handlers}:
        handler_id = None
    result = (
        await open_items_of(
            await Viewer.of(user), unit_id, handler_id, total=counts.get(handler_id, 0), page=side
        )
        if handler_id
        else None
    )
    return {
        "unit_id": unit_id,
        "unit": unit,
        "queue_label": f"{unit['code']} {unit['name']}",
        "handlers": handlers,
        "handler_id": handler_id,
        "handler_name": next((h["name"] for h in handlers if h["id"] == handler_id), ""),
        "result": result,
        "items": result.items if result else [],
        "pager_query": omfordel_query(unit_id, handler_id),
        "shown_at": now().isoformat(),
        "targets": [p for p in unit_people if p["id"] != handler_id],
        "as_deputy_for": await deputy_for(user, unit_id),
        "errors": errors or {},
        "form": form or {},
    }


async def omfordel_response(
    request: AnyRequest,
    unit_id: int | None,
    handler_id: int | None,
    side: int | None = None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    context = await omfordel_context(request, unit_id, handler_id, side, errors=errors, form=form)
    return await page_or_fragment(
        request, "fordeling/omfordel.html", "fordeling/_omfordel.html", status_code=status_code, **context
    )
