"""*Egne restanser*: the handler's own list with *Avskriv JP* and foreløpig svar, the answer
after an action on it, the card, and the list's export columns."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar.response import Response, Template

from core.archive import rules
from core.archive.queries.restanse_lists import (
    DEFAULT_SORT,
    answer_options,
    open_restanser,
    own_summary,
    sort_labels,
)
from core.archive.queries.restanser import Scope
from core.archive.queries.visibility import Viewer
from core.i18n import _
from core.timeutil import today
from core.web.actions import Outcome, answer, outcome_messages
from core.web.list_preferences import open_list
from core.web.pages import AnyRequest, current_user, page_or_fragment
from plugins.restanse.forms import DEFAULT_MAATE, OWN_SORTS
from plugins.restanse.pages import CHANGED_EVENT, GUIDE_URL, menu_link
from plugins.restanse.services import write_off

LIST_KEY = "restanse.egne"
"""*Egne restanser* in :mod:`core.web.list_preferences`."""


def own_query(sorter: str, side: int | None = None) -> str:
    """The list's sort and page as a query string (``""`` for the defaults)."""
    params: dict[str, str] = {}
    if sorter != DEFAULT_SORT:
        params["sorter"] = sorter
    if side and side > 1:
        params["side"] = str(side)
    return urlencode(params)


def own_url(sorter: str, side: int | None = None) -> str:
    query = own_query(sorter, side)
    return "/restanse" + ("?" + query if query else "")


async def own_context(
    request: AnyRequest,
    sort: str | None,
    side: int | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The list. ``sort``: the ``sorter`` of the request, if any; without one the sort the
    handler chose last (:mod:`core.web.list_preferences`, which also marks what was distributed
    to the handler since the last visit «Ny»)."""
    user = current_user(request)
    view = await open_list(user, LIST_KEY, sort, OWN_SORTS, DEFAULT_SORT, seen=True)
    sorter = view.sort
    viewer = await Viewer.of(user)
    result = await open_restanser(
        viewer,
        Scope(saksbehandler_id=user.person_id),
        sort=sorter,
        page=side or 1,
        new_since=view.new_since,
    )
    summary = await own_summary(user.person_id)
    options = await answer_options(viewer, [int(row["saksmappe_id"]) for row in result.items])
    for row in result.items:
        row["svarposter"] = [
            o for o in options.get(int(row["saksmappe_id"]), []) if o["id"] != row["journalpost_id"]
        ]
        row["valgt_verdi"] = f"{row['korrespondansepart_id']}:{row['version']}"
        row["kan_angre"] = row["foreloepig_svar_dato"] is not None and rules.may_undo_foreloepig_svar(
            row["foreloepig_svar_av"], row["foreloepig_svar_registrert"], user.person_id, today()
        )
    labels = sort_labels()
    return {
        "result": result,
        "summary": summary,
        "sorter": sorter,
        "sort_labels": {key: labels[key] for key in OWN_SORTS},
        "maater": write_off.maate_choices(),
        "merknad_max": write_off.MERKNAD_MAX,
        "errors": errors or {},
        "form": form or {"valgt": [], "avskrivningsmaate": DEFAULT_MAATE, "merknad": "", "svar": {}},
        "own_url": own_url(sorter, result.number),
        "own_query": own_query(sorter, result.number),
        "pager_query": urlencode({"sorter": sorter}) if sorter != DEFAULT_SORT else "",
        "unit_report": write_off.uses_unit_report(user),
        "guide_url": GUIDE_URL,
        "today": today(),
    }


async def own_response(
    request: AnyRequest,
    sorter: str | None,
    side: int | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    context = await own_context(request, sorter, side, errors=errors, form=form)
    return await page_or_fragment(
        request, "restanse/index.html", "restanse/_egne.html", status_code=status_code, **context
    )


async def own_answer(
    request: AnyRequest, outcome: Outcome, success: str, sorter: str, side: int | None
) -> Response[Any]:
    """The answer after an action on the list (:func:`core.web.actions.answer`): the list again
    with the messages, the menu badge and the ``restanse-endret`` event."""
    return await answer(
        request,
        outcome_messages(outcome, success),
        redirect_to=own_url(sorter, side),
        fragment_template="restanse/_egne.html",
        context=await own_context(request, sorter, side),
        badge=await menu_link(current_user(request)),
        event=CHANGED_EVENT,
        status_code=outcome.status_code,
    )


def own_header() -> list[str]:
    return [
        _("Journalpost"),
        _("Type"),
        _("Tittel"),
        _("Sak"),
        _("Sakstittel"),
        _("Avsender"),
        _("Journaldato"),
        _("Alder (dager)"),
        _("Forfallsdato"),
        _("Forfalt"),
        _("Foreløpig svar"),
        _("Foreløpig svar (journalpost)"),
        _("§ 11 a"),
    ]


def own_row(row: dict[str, Any]) -> list[Any]:
    return [
        row["nummer"],
        row["journalposttype"],
        row["tittel"],
        row["saksnummer"],
        row["sakstittel"],
        row["avsender"],
        row["journaldato"],
        row["alder_dager"],
        row["forfallsdato"],
        row["forfalt"],
        row["foreloepig_svar_dato"],
        row["foreloepig_svar_nummer"],
        row["paragraf_11a"],
    ]
