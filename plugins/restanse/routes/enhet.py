"""*Restanser i egen enhet*: the leader's weekly report (thin handlers; contexts in
``pages.enhet``).

* ``GET /restanse/enhet``: the criteria form and the report. Without criteria in the query the
  user's saved criteria come back (or the first unit the user leads, with today as report date).
* ``POST /restanse/enhet``: run the report from the form; the criteria are saved for the user
  (``restanse_saved_criteria``, ``rapport = enhet``). Plain form: 303 to the GET URL; htmx: the
  page region, with ``HX-Push-Url``.
* ``GET /restanse/enhet/liste``: the restanser behind one count (one handler, or the unit's
  restanser without a handler), paged; htmx gets only the list region. Without ``sorter`` the
  sort the user chose last for these lists.
* ``GET /restanse/enhet/eksport?format=csv|xlsx``: the per-handler table as a file.

Who: the unit's leader, the deputy while the leader's absence is registered, and
Fellestjenesten/Arkiv (any unit); others get 403.
"""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Redirect, Response, Template

from core.archive.queries.restanse_lists import DEFAULT_SORT
from core.errors import Forbidden, NotFound
from core.i18n import _
from core.web.downloads import download
from core.web.list_preferences import open_list
from core.web.pages import AnyRequest, current_user, fragment, is_fragment_request, page, page_or_fragment
from plugins.restanse import config
from plugins.restanse.forms import LIST_SORTS, enhet_typed, enhet_values
from plugins.restanse.pages import enhet as pages
from plugins.restanse.services import criteria as saved
from plugins.restanse.services import write_off


@get("/enhet", name="restanse:enhet")
async def enhet(request: AnyRequest) -> Template:
    units = await pages.report_units(request)
    values = enhet_values(request.query_params)
    if not values["enhet"]:
        criteria = await pages.default_criteria(request, units)
        context = await pages.report_context(request, criteria, units=units)
        return await page(request, "restanse/enhet.html", **context)
    criteria, errors = pages.parse(request, values, units)
    if criteria.enhet is not None and not errors:
        write_off.require_unit_viewer(current_user(request), criteria.enhet)
    context = await pages.report_context(
        request, criteria, units=units, errors=errors, typed=enhet_typed(values) if errors else None
    )
    return await page_or_fragment(
        request, "restanse/enhet.html", "restanse/_enhet.html", status_code=422 if errors else 200, **context
    )


@post("/enhet", name="restanse:enhet_run")
async def run_report(request: AnyRequest) -> Response[Any]:
    """Run the report from the form and save the criteria for next time."""
    units = await pages.report_units(request)
    values = enhet_values(await request.form())
    criteria, errors = pages.parse(request, values, units)
    if errors or criteria.enhet is None:
        context = await pages.report_context(
            request, criteria, units=units, errors=errors, typed=enhet_typed(values)
        )
        return await page_or_fragment(
            request, "restanse/enhet.html", "restanse/_enhet.html", status_code=422, **context
        )
    user = current_user(request)
    write_off.require_unit_viewer(user, criteria.enhet)
    await saved.save_criteria(user.person_id, criteria)
    url = pages.report_url(criteria)
    if is_fragment_request(request):
        context = await pages.report_context(request, criteria, units=units)
        return HTMXTemplate(template_name="restanse/_enhet.html", context=context, push_url=url)
    return Redirect(url, status_code=303)


@get("/enhet/liste", name="restanse:enhet_list")
async def enhet_list(
    request: AnyRequest,
    liste_enhet: FromQuery[int],
    hvem: FromQuery[str],
    side: FromQuery[int | None] = None,
    sorter: FromQuery[str | None] = None,
) -> Template:
    units = await pages.report_units(request)
    criteria, errors = pages.parse(request, enhet_values(request.query_params), units)
    if errors or criteria.enhet is None:
        write_off.require_unit_viewer(current_user(request), criteria.enhet)
        raise NotFound(_("Rapporten mangler gyldige kriterier. Velg dem på nytt."))
    view = await open_list(current_user(request), pages.LIST_KEY, sorter, LIST_SORTS, DEFAULT_SORT)
    listing = await pages.listing(request, criteria, liste_enhet, hvem, side, view.sort)
    if is_fragment_request(request):
        return fragment("restanse/_enhet_liste.html", listing=listing)
    context = await pages.report_context(request, criteria, units=units, listing=listing)
    return await page(request, "restanse/enhet.html", **context)


@get("/enhet/eksport", name="restanse:enhet_export")
async def enhet_export(request: AnyRequest, format: FromQuery[str | None] = None) -> Response[bytes]:
    """The per-handler table as CSV or Excel, with the page's columns and the sum row."""
    units = await pages.report_units(request)
    criteria, errors = pages.parse(request, enhet_values(request.query_params), units)
    if errors or criteria.enhet is None:
        raise NotFound(_("Rapporten mangler gyldige kriterier. Velg dem på nytt."))
    write_off.require_unit_viewer(current_user(request), criteria.enhet)
    header, body = pages.export_rows(criteria, await pages.table(criteria))
    return download(
        format,
        f"restanser-i-egen-enhet-{criteria.report_date.isoformat()}",
        _("Restanser i egen enhet"),
        header,
        body,
    )


@get("/enhet/kort", name="restanse:enhet_card")
async def enhet_card(request: AnyRequest) -> Template:
    """The leader's front-page card (htmx fragment): per unit led today, its restanser and the
    handlers at or over the threshold, as *Restanser i egen enhet* shows them."""
    user = current_user(request)
    if not user.is_leader:
        raise Forbidden(_("Kortet er for lederen av enheten, og stedfortrederen mens lederen har fravær."))
    return fragment(
        "restanse/_enhet_card.html", units=await pages.unit_cards(request), threshold=config.threshold()
    )


router = Router(path="/restanse", route_handlers=[enhet, run_report, enhet_list, enhet_export, enhet_card])
