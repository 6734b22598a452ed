"""*Restanseoppfølging* and trends: the archive service's pages (others get 403).

* ``GET /restanse/oppfolging``: the monthly table per unit or per handler
  (``rapportdato``, ``sammenligningsdato`` as ``dd.mm.åååå``, ``visning``, ``sorter``,
  ``retning``, ``filter``); htmx gets only the region (``_oppfolging_resultat.html``). While the
  form has errors the page shows the form and no table. Without ``sorter`` the sort the user
  chose last for the view.
* ``GET /restanse/oppfolging/eksport?format=csv|xlsx&...``: the same table as a file (CSV
  without ``format``, as every export).
* ``GET /restanse/trend?enhet=<id>|alle&underenheter=1``: restanser at the last 12 month-ends
  as an SVG chart and a table (``_trend_resultat.html`` for htmx).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Router, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Response, Template

from core.archive.queries import choices
from core.errors import NotFound
from core.i18n import _
from core.timeutil import today
from core.validation import parse_id
from core.web.downloads import download
from core.web.pages import AnyRequest, current_user, page, page_or_fragment
from plugins.restanse.forms import Parsed, dmy, parse_oppfolging
from plugins.restanse.pages import oppfolging as pages
from plugins.restanse.queries import report, trends


def _parsed(
    rapportdato: str | None,
    sammenligningsdato: str | None,
    visning: str | None,
    sorter: str | None,
    retning: str | None,
    filter_: str | None,
    avledet_fra: str | None = None,
) -> Parsed:
    return parse_oppfolging(
        {
            "avledet_fra": avledet_fra,
            "rapportdato": rapportdato,
            "sammenligningsdato": sammenligningsdato,
            "visning": visning,
            "sorter": sorter,
            "retning": retning,
            "filter": filter_,
        }
    )


@get("/oppfolging", name="restanse:oppfolging")
async def oppfolging(
    request: AnyRequest,
    rapportdato: FromQuery[str | None] = None,
    sammenligningsdato: FromQuery[str | None] = None,
    visning: FromQuery[str | None] = None,
    sorter: FromQuery[str | None] = None,
    retning: FromQuery[str | None] = None,
    filter_: Annotated[str | None, QueryParameter(name="filter")] = None,
    avledet_fra: FromQuery[str | None] = None,
) -> Template:
    user = current_user(request)
    pages.require_archive(user)
    sorter, retning = await pages.remembered_sort(user, visning, sorter, retning)
    parsed = _parsed(rapportdato, sammenligningsdato, visning, sorter, retning, filter_, avledet_fra)
    context = await pages.oppfolging_context(parsed)
    return await page_or_fragment(
        request,
        "restanse/oppfolging.html",
        "restanse/_oppfolging_resultat.html",
        status_code=422 if parsed.errors else 200,
        **context,
    )


@get("/oppfolging/eksport", name="restanse:oppfolging_export")
async def oppfolging_export(
    request: AnyRequest,
    format_: Annotated[str | None, QueryParameter(name="format")] = None,
    rapportdato: FromQuery[str | None] = None,
    sammenligningsdato: FromQuery[str | None] = None,
    visning: FromQuery[str | None] = None,
    sorter: FromQuery[str | None] = None,
    retning: FromQuery[str | None] = None,
    filter_: Annotated[str | None, QueryParameter(name="filter")] = None,
) -> Response[Any]:
    pages.require_archive(current_user(request))
    parsed = _parsed(rapportdato, sammenligningsdato, visning, sorter, retning, filter_)
    if parsed.errors:
        context = await pages.oppfolging_context(parsed)
        return await page(request, "restanse/oppfolging.html", status_code=422, **context)
    criteria = parsed.criteria
    title, header, rows = await report.export_table(criteria)
    return download(
        format_, report.export_name(criteria), f"{title} {dmy(criteria.rapportdato)}", header, rows
    )


@get("/trend", name="restanse:trend")
async def trend(
    request: AnyRequest,
    enhet: FromQuery[str | None] = None,
    underenheter: FromQuery[str | None] = None,
) -> Template:
    pages.require_archive(current_user(request))
    units = await choices.units()
    unit_id: int | None = None
    if enhet and enhet != "alle":
        unit_id = parse_id(enhet)
        if unit_id is None or unit_id not in {u["id"] for u in units}:
            raise NotFound(_("Fant ingen enhet med denne id-en."))
    with_sub = underenheter == "1"
    series = await trends.monthly(unit_id, sub_units=with_sub, end=trends.last_month_end(today()))
    context: dict[str, Any] = {
        "units": units,
        "unit_id": unit_id,
        "with_sub": with_sub,
        "series": series,
        "chart": pages.chart(series),
    }
    return await page_or_fragment(request, "restanse/trend.html", "restanse/_trend_resultat.html", **context)


router = Router(path="/restanse", route_handlers=[oppfolging, oppfolging_export, trend])
