"""*Restanseoppfølging* and trends: the archive service's pages (others get 403).

* ``GET /restanse/oppfolging``: the monthly table per unit or per handler
  (``rapportdato``, ``sammenligningsdato`` as ``dd.mm.åååå``, ``visning``, ``sorter``,
  ``retning``, ``filter``); htmx gets only the region (``_oppfolging_resultat.html``).
* ``GET /restanse/oppfolging/eksport?format=csv|xlsx&...``: the same table as a file.
* ``GET /restanse/trend?enhet=<id>|alle&underenheter=1``: restanser at the last 12 month-ends
  as an SVG chart and a table (``_trend_resultat.html`` for htmx).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Router, get
from litestar.params import FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Response, Template

from core.auth.user import User
from core.errors import Forbidden, NotFound
from core.i18n import _
from core.timeutil import today
from core.web.pages import current_user, fragment, is_fragment_request, page
from plugins.restanse import export, report, trends
from plugins.restanse.report import Parsed

AnyRequest = HTMXRequest


def require_archive(user: User) -> None:
    if not user.is_archive:
        raise Forbidden(_("Restanseoppfølging er for Fellestjenesten/Arkiv."))


def _parsed(
    rapportdato: str | None,
    sammenligningsdato: str | None,
    visning: str | None,
    sorter: str | None,
    retning: str | None,
    filter_: str | None,
) -> Parsed:
    return report.parse_criteria(
        {
            "rapportdato": rapportdato,
            "sammenligningsdato": sammenligningsdato,
            "visning": visning,
            "sorter": sorter,
            "retning": retning,
            "filter": filter_,
        }
    )


async def _context(parsed: Parsed) -> dict[str, Any]:
    criteria = parsed.criteria
    context: dict[str, Any] = {
        "criteria": criteria,
        "errors": parsed.errors,
        "form": parsed.entered,
        "threshold": 0,
        "unit_table": None,
        "handler_table": None,
        "url": "/restanse/oppfolging",
    }
    if criteria.visning == "saksbehandler":
        table = await report.handler_table(criteria)
        context["handler_table"] = table
        context["threshold"] = table.threshold
    else:
        context["unit_table"] = await report.unit_table(criteria)
    context["query"] = urlencode(criteria.params())
    context["sort_query"] = {key: urlencode(criteria.sort_params(key)) for key in report.HANDLER_SORTS}
    context["view_query"] = {
        view: urlencode(criteria.params(visning=view, sorter="kode", retning="stigende"))
        for view in report.VIEWS
    }
    context["export_query"] = {
        kind: urlencode({"format": kind, **criteria.params()}) for kind in ("csv", "xlsx")
    }
    return context


@get("/oppfolging", name="restanse:oppfolging")
async def oppfolging(
    request: AnyRequest,
    rapportdato: FromQuery[str | None] = None,
    sammenligningsdato: FromQuery[str | None] = None,
    visning: FromQuery[str | None] = None,
    sorter: FromQuery[str | None] = None,
    retning: FromQuery[str | None] = None,
    filter_: Annotated[str | None, QueryParameter(name="filter")] = None,
) -> Template:
    require_archive(current_user(request))
    parsed = _parsed(rapportdato, sammenligningsdato, visning, sorter, retning, filter_)
    context = await _context(parsed)
    status = 422 if parsed.errors else 200
    if is_fragment_request(request):
        return fragment("restanse/_oppfolging_resultat.html", status_code=status, **context)
    return await page(request, "restanse/oppfolging.html", status_code=status, **context)


@get("/oppfolging/eksport", name="restanse:oppfolging-eksport")
async def oppfolging_eksport(
    request: AnyRequest,
    format_: Annotated[str | None, QueryParameter(name="format")] = None,
    rapportdato: FromQuery[str | None] = None,
    sammenligningsdato: FromQuery[str | None] = None,
    visning: FromQuery[str | None] = None,
    sorter: FromQuery[str | None] = None,
    retning: FromQuery[str | None] = None,
    filter_: Annotated[str | None, QueryParameter(name="filter")] = None,
) -> Response[Any]:
    require_archive(current_user(request))
    parsed = _parsed(rapportdato, sammenligningsdato, visning, sorter, retning, filter_)
    if parsed.errors:
        context = await _context(parsed)
        return await page(request, "restanse/oppfolging.html", status_code=422, **context)
    if format_ not in ("csv", "xlsx"):
        raise NotFound(_("Velg CSV eller Excel (xlsx)."))
    criteria = parsed.criteria
    header: list[str]
    rows: list[list[Any]]
    if criteria.visning == "saksbehandler":
        handlers = await report.handler_table(criteria)
        header, rows = report.handler_header(handlers), report.handler_rows(handlers)
        title = _("Restanser per saksbehandler")
    else:
        units = await report.unit_table(criteria)
        header, rows = report.unit_header(criteria), report.unit_rows(units)
        title = _("Restanser per enhet")
    name = report.export_name(criteria, format_)
    if format_ == "csv":
        return export.csv_response(name, header, rows)
    return export.xlsx_response(name, f"{title} {report.dmy(criteria.rapportdato)}", header, rows)


@get("/trend", name="restanse:trend")
async def trend(
    request: AnyRequest,
    enhet: FromQuery[str | None] = None,
    underenheter: FromQuery[str | None] = None,
) -> Template:
    require_archive(current_user(request))
    units = await trends.unit_choices()
    unit_id: int | None = None
    if enhet and enhet != "alle":
        if not enhet.isdigit() or int(enhet) not in {u["id"] for u in units}:
            raise NotFound(_("Fant ingen enhet med denne id-en."))
        unit_id = int(enhet)
    with_sub = underenheter == "1"
    series = await trends.monthly(unit_id, with_sub_units=with_sub, end=trends.last_month_end(today()))
    context: dict[str, Any] = {
        "units": units,
        "unit_id": unit_id,
        "with_sub": with_sub,
        "series": series,
        "chart": trends.chart(series),
    }
    if is_fragment_request(request):
        return fragment("restanse/_trend_resultat.html", **context)
    return await page(request, "restanse/trend.html", **context)


router = Router(path="/restanse", route_handlers=[oppfolging, oppfolging_eksport, trend])
