"""*Restanser i egen enhet*: the leader's weekly report (thin handlers; rules in ``services``).

* ``GET /restanse/enhet``: the criteria form and the report. Without criteria in the query the
  user's saved criteria come back (or the first unit the user leads, with today as report date).
* ``POST /restanse/enhet``: run the report from the form; the criteria are saved for the user
  (``restanse_saved_criteria``, ``rapport = enhet``). Plain form: 303 to the GET URL; htmx: the
  page region, with ``HX-Push-Url``.
* ``GET /restanse/enhet/liste``: the restanser behind one count (one handler, or the unit's
  restanser without a handler), paged; htmx gets only the list region.
* ``GET /restanse/enhet/eksport?format=csv|xlsx``: the per-handler table as a file.

Who: the unit's leader, the deputy while the leader's absence is registered, and
Fellestjenesten/Arkiv (any unit); others get 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Response, Template

from core.archive.queries.visibility import Viewer
from core.errors import Forbidden, NotFound
from core.i18n import _
from core.timeutil import today
from core.web.pages import current_user, fragment, is_fragment_request, page
from plugins.restanse import config, queries_enhet, rule, services
from plugins.restanse import export as files
from plugins.restanse.services import EnhetCriteria

AnyRequest = HTMXRequest
NO_HANDLER = "ingen"
"""``hvem=ingen``: the list of the unit's restanser without a handler."""


@dataclass(frozen=True)
class Row:
    """One row of the per-handler table."""

    count: rule.HandlerCount

    @property
    def before(self) -> int:
        return self.count.counts[0]

    @property
    def now(self) -> int:
        return self.count.counts[1]

    @property
    def change(self) -> int:
        return self.now - self.before

    @property
    def who(self) -> str:
        return str(self.count.person_id) if self.count.person_id is not None else NO_HANDLER

    @property
    def name(self) -> str:
        return self.count.name or _("Uten saksbehandler")


def _query_values(request: AnyRequest) -> dict[str, Any]:
    params = request.query_params
    return {
        "enhet": params.get("enhet"),
        "fra": params.get("fra"),
        "til": params.get("til"),
        "typer": params.getall("typer", []),
        "underenheter": params.get("underenheter"),
        "dato": params.get("dato"),
    }


def _form_values(form: FormMultiDict) -> dict[str, Any]:
    return {
        "enhet": form.get("enhet"),
        "fra": form.get("fra"),
        "til": form.get("til"),
        "typer": form.getall("typer", []),
        "underenheter": form.get("underenheter"),
        "dato": form.get("dato"),
    }


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    """The form as typed, to show again next to its errors."""
    return {
        "enhet": str(values.get("enhet") or ""),
        "fra": str(values.get("fra") or ""),
        "til": str(values.get("til") or ""),
        "typer": [t for t in values.get("typer") or [] if isinstance(t, str)],
        "underenheter": str(values.get("underenheter") or "") == "1",
        "dato": str(values.get("dato") or ""),
    }


def _shown(criteria: EnhetCriteria) -> dict[str, Any]:
    return {
        "enhet": str(criteria.enhet or ""),
        "fra": criteria.fra.isoformat() if criteria.fra else "",
        "til": criteria.til.isoformat() if criteria.til else "",
        "typer": list(criteria.typer),
        "underenheter": criteria.underenheter,
        "dato": criteria.dato.isoformat() if criteria.dato else "",
    }


def report_url(criteria: EnhetCriteria) -> str:
    return "/restanse/enhet?" + urlencode(criteria.params())


def _parse(
    request: AnyRequest, values: dict[str, Any], units: list[dict[str, Any]]
) -> tuple[EnhetCriteria, dict[str, str]]:
    """The criteria; a unit the user may not see is 403 (not a form error)."""
    allowed = {u["id"] for u in units}
    raw = str(values.get("enhet") or "").strip()
    if services.is_number(raw) and int(raw) not in allowed:
        services.require_unit_viewer(current_user(request), int(raw))
    return services.parse_criteria(values, allowed)


async def _units(request: AnyRequest) -> list[dict[str, Any]]:
    user = current_user(request)
    services.require_unit_viewer(user)
    return await queries_enhet.report_units(user)


async def _default(request: AnyRequest, units: list[dict[str, Any]]) -> EnhetCriteria:
    """The saved criteria (when the unit is still allowed), else the first unit led today (or the
    user's own unit for Fellestjenesten/Arkiv)."""
    user = current_user(request)
    allowed = {u["id"] for u in units}
    saved = await services.load_criteria(user.person_id)
    if saved is not None and saved.enhet in allowed:
        return saved
    unit = next((u for u in user.led_unit_ids if u in allowed), None)
    if unit is None and user.unit_id in allowed:
        unit = user.unit_id
    base = saved or EnhetCriteria()
    return EnhetCriteria(
        enhet=unit, fra=base.fra, til=base.til, typer=base.typer, underenheter=base.underenheter
    )


async def _scope_units(criteria: EnhetCriteria) -> tuple[int, ...]:
    assert criteria.enhet is not None
    if criteria.underenheter:
        return await rule.with_sub_units([criteria.enhet])
    return (criteria.enhet,)


def _scope(criteria: EnhetCriteria, unit_ids: tuple[int, ...], handler: int | None = None) -> rule.Scope:
    return rule.Scope(
        unit_ids=unit_ids,
        saksbehandler_id=handler,
        journalposttyper=criteria.typer,
        journaldato_fra=criteria.fra,
        journaldato_til=criteria.til,
    )


async def _table(criteria: EnhetCriteria) -> tuple[list[Row], tuple[int, ...]]:
    unit_ids = await _scope_units(criteria)
    counts = await rule.counts_per_handler(
        [criteria.week_before, criteria.report_date], _scope(criteria, unit_ids)
    )
    return [Row(c) for c in counts], unit_ids


async def report_context(
    request: AnyRequest,
    criteria: EnhetCriteria | None,
    *,
    units: list[dict[str, Any]],
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    listing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The page: the form (as typed, or the criteria) and, for valid criteria, the table."""
    user = current_user(request)
    rows: list[Row] = []
    unit = None
    deputy_for = ""
    if criteria is not None and criteria.enhet is not None and not errors:
        services.require_unit_viewer(user, criteria.enhet)
        rows, _unit_ids = await _table(criteria)
        unit = next((u for u in units if u["id"] == criteria.enhet), None)
        authority = user.authority_for(criteria.enhet)
        if authority is not None and authority.on_behalf_of is not None:
            people = await queries_enhet.people_by_id([authority.on_behalf_of])
            deputy_for = people.get(authority.on_behalf_of, {}).get("name", "")
    several_units = len({r.count.unit_id for r in rows}) > 1
    return {
        "units": units,
        "criteria": criteria,
        "form": typed if typed is not None else (_shown(criteria) if criteria else _typed({})),
        "errors": errors or {},
        "unit": unit,
        "rows": rows,
        "sum_before": sum(r.before for r in rows),
        "sum_now": sum(r.now for r in rows),
        "several_units": several_units,
        "threshold": config.threshold(),
        "deputy_for": deputy_for,
        "query": urlencode(criteria.params()) if criteria and criteria.enhet else "",
        "listing": listing,
        "today": today(),
    }


@get("/enhet", name="restanse:enhet")
async def enhet(request: AnyRequest) -> Template:
    units = await _units(request)
    values = _query_values(request)
    if values["enhet"] is None:
        criteria = await _default(request, units)
        context = await report_context(request, criteria, units=units)
        return await page(request, "restanse/enhet.html", **context)
    criteria, errors = _parse(request, values, units)
    if criteria.enhet is not None and not errors:
        services.require_unit_viewer(current_user(request), criteria.enhet)
    context = await report_context(
        request, criteria, units=units, errors=errors, typed=_typed(values) if errors else None
    )
    status = 422 if errors else 200
    if is_fragment_request(request):
        return fragment("restanse/_enhet.html", status_code=status, **context)
    return await page(request, "restanse/enhet.html", status_code=status, **context)


@post("/enhet", name="restanse:enhet_run")
async def run_report(request: AnyRequest) -> Response[Any]:
    """Run the report from the form and save the criteria for next time."""
    units = await _units(request)
    form = await request.form()
    values = _form_values(form)
    criteria, errors = _parse(request, values, units)
    if errors or criteria.enhet is None:
        context = await report_context(request, criteria, units=units, errors=errors, typed=_typed(values))
        if is_fragment_request(request):
            return fragment("restanse/_enhet.html", status_code=422, **context)
        return await page(request, "restanse/enhet.html", status_code=422, **context)
    user = current_user(request)
    services.require_unit_viewer(user, criteria.enhet)
    await services.save_criteria(user.person_id, criteria)
    url = report_url(criteria)
    if is_fragment_request(request):
        context = await report_context(request, criteria, units=units)
        return HTMXTemplate(template_name="restanse/_enhet.html", context=context, push_url=url)
    return Redirect(url, status_code=303)


async def _listing(
    request: AnyRequest, criteria: EnhetCriteria, unit_id: int, who: str, side: int | None, sorter: str
) -> dict[str, Any]:
    """The restanser behind one count of the table."""
    user = current_user(request)
    assert criteria.enhet is not None
    services.require_unit_viewer(user, criteria.enhet)
    unit_ids = await _scope_units(criteria)
    if unit_id not in unit_ids:
        raise Forbidden(_("Enheten hører ikke til rapporten du ser på."))
    if who != NO_HANDLER and not services.is_number(who):
        raise NotFound(_("Fant ingen saksbehandler med dette nummeret."))
    handler = int(who) if who != NO_HANDLER else None
    viewer = await Viewer.of(user)
    result = await queries_enhet.restanse_page(
        viewer,
        _scope(criteria, (unit_id,), handler),
        without_handler=handler is None,
        day=criteria.report_date,
        sort=sorter,
        page=side or 1,
    )
    unit = (await queries_enhet.unit_rows([unit_id])).get(unit_id)
    name = _("uten saksbehandler")
    if handler is not None:
        name = (await queries_enhet.people_by_id([handler])).get(handler, {}).get("name", str(handler))
    base = [*criteria.params(), ("liste_enhet", str(unit_id)), ("hvem", who)]
    if sorter != rule.DEFAULT_SORT:
        base.append(("sorter", sorter))
    labels = rule.sort_labels()
    return {
        "result": result,
        "unit_id": unit_id,
        "who": who,
        "handler_name": name,
        "unit_label": f"{unit['code']} {unit['name']}" if unit else "",
        "sorter": sorter,
        "sort_labels": {k: labels[k] for k in ("eldst", "nyest", "forfall", "sak")},
        "base_query": urlencode(base),
        "report_date": criteria.report_date,
    }


@get("/enhet/liste", name="restanse:enhet_list")
async def enhet_list(
    request: AnyRequest,
    liste_enhet: FromQuery[int],
    hvem: FromQuery[str],
    side: FromQuery[int | None] = None,
    sorter: FromQuery[str | None] = None,
) -> Template:
    units = await _units(request)
    values = _query_values(request)
    criteria, errors = _parse(request, values, units)
    if errors or criteria.enhet is None:
        services.require_unit_viewer(current_user(request), criteria.enhet)
        raise NotFound(_("Rapporten mangler gyldige kriterier. Velg dem på nytt."))
    sort = sorter if sorter in ("eldst", "nyest", "forfall", "sak") else rule.DEFAULT_SORT
    listing = await _listing(request, criteria, liste_enhet, hvem, side, sort)
    if is_fragment_request(request):
        return fragment("restanse/_enhet_liste.html", listing=listing)
    context = await report_context(request, criteria, units=units, listing=listing)
    return await page(request, "restanse/enhet.html", **context)


@get("/enhet/eksport", name="restanse:enhet_export")
async def enhet_export(request: AnyRequest, format: FromQuery[str | None] = None) -> Response[bytes]:
    """The per-handler table as CSV or Excel, with the page's columns and the sum row."""
    units = await _units(request)
    criteria, errors = _parse(request, _query_values(request), units)
    if errors or criteria.enhet is None:
        raise NotFound(_("Rapporten mangler gyldige kriterier. Velg dem på nytt."))
    services.require_unit_viewer(current_user(request), criteria.enhet)
    rows, _unit_ids = await _table(criteria)
    header = [
        _("Enhetskode"),
        _("Enhet"),
        _("Saksbehandler"),
        _("Antall %(dato)s") % {"dato": _day(criteria.week_before)},
        _("Antall %(dato)s") % {"dato": _day(criteria.report_date)},
        _("Endring"),
    ]
    body: list[list[Any]] = [
        [r.count.unit_code, r.count.unit_name, r.name, r.before, r.now, r.change] for r in rows
    ]
    before, now = sum(r.before for r in rows), sum(r.now for r in rows)
    body.append([_("Sum"), "", "", before, now, now - before])
    return download(
        format,
        f"restanser-i-egen-enhet-{criteria.report_date.isoformat()}",
        _("Restanser i egen enhet"),
        header,
        body,
    )


def download(
    format: str | None, name: str, sheet_title: str, header: list[str], rows: list[list[Any]]
) -> Response[bytes]:
    """A report as a file: ``?format=csv`` (the default) or ``xlsx``."""
    if format in (None, "", "csv"):
        return files.csv_response(f"{name}.csv", header, rows)
    if format == "xlsx":
        return files.xlsx_response(f"{name}.xlsx", sheet_title, header, rows)
    raise NotFound(_("Eksporten finnes som CSV og Excel (csv, xlsx)."))


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


ROUTES = [enhet, run_report, enhet_list, enhet_export]
