"""*Egne restanser* (thin handlers; the rules live in ``services.write_off``).

* ``GET /restanse``: the signed-in person's own restanser (``sorter``, ``side``); htmx gets
  only the list region (``_egne.html``). Without ``sorter`` the sort the person chose last;
  restanser distributed to them since their previous visit are marked «Ny».
* ``POST /restanse/avskriv``: *Avskriv JP* for the ticked restanser (avskrivningsmåte, for BU/BN
  the answering post per restanse, optional merknad).
* ``GET /restanse/eksport?format=csv|xlsx``: the list as a file, with the page's columns.
* ``GET /restanse/kort``: the dashboard card (refreshed on ``restanse-endret``).
* ``GET /restanse/veiledning``: the write-off guide.

The foreløpig svar (its form, registering and undoing it) is in ``routes.foreloepig``.

After an action a plain form gets a redirect (303) with flash messages; htmx gets the updated
region, with the messages and the menu badge out of band and the ``restanse-endret`` event
(:func:`core.web.actions.answer`).
"""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromQuery
from litestar.response import Response, Template

from core.archive.queries.restanse_lists import iter_restanser, own_summary
from core.archive.queries.restanser import Scope
from core.archive.queries.visibility import Viewer
from core.errors import ValidationFailed
from core.i18n import _, ngettext
from core.timeutil import today
from core.web.actions import Selected
from core.web.downloads import download
from core.web.forms import form_page, form_value, form_values
from core.web.pages import AnyRequest, current_user, fragment, page, runtime
from plugins.restanse import config, forms
from plugins.restanse.pages.egne import own_answer, own_header, own_response, own_row
from plugins.restanse.services import write_off


@get("/", name="restanse:index")
async def index(
    request: AnyRequest, sorter: FromQuery[str | None] = None, side: FromQuery[int | None] = None
) -> Template:
    return await own_response(request, sorter, side)


@get("/kort", name="restanse:card")
async def card(request: AnyRequest) -> Template:
    """The front-page card (htmx fragment): own restanser (the ledger's count, the menu badge's
    statement), forfalt, and past § 11 a (one statement over the handler's open spans)."""
    user = current_user(request)
    summary = await own_summary(user.person_id)
    return fragment("restanse/_card.html", summary=summary, unit_report=write_off.uses_unit_report(user))


@post("/avskriv", name="restanse:avskriv")
async def avskriv(request: AnyRequest) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    sorter, side = forms.own_sort(form_value(form, "sorter")), form_page(form)
    maate = form_value(form, "avskrivningsmaate")
    try:
        selected = Selected.parse_all(form_values(form, "valgt"), message=forms.invalid_selection())
        answers = {s.id: form_value(form, write_off.answer_field(s.id)) for s in selected}
        outcome = await write_off.write_off(
            runtime(request).settings, user, selected, maate, form_value(form, "merknad"), answers
        )
    except ValidationFailed as exc:
        return await own_response(
            request, sorter, side, errors=exc.errors, form=forms.write_off_entered(form), status_code=422
        )
    success = ""
    if outcome.done:
        count = len(outcome.done)
        maate_name = next(m["name"] for m in write_off.maate_choices() if m["code"] == maate)
        success = ngettext(
            "%(post)s er avskrevet: %(maate)s.", "%(num)s restanser er avskrevet: %(maate)s.", count
        ) % {"post": outcome.done[0].label, "num": count, "maate": maate_name}
    return await own_answer(request, outcome, success, sorter, side)


@get("/eksport", name="restanse:export")
async def export(
    request: AnyRequest, format: FromQuery[str | None] = None, sorter: FromQuery[str | None] = None
) -> Response[bytes]:
    """*Egne restanser* as CSV or Excel, with the columns of the page (titles masked as there)."""
    user = current_user(request)
    viewer = await Viewer.of(user)
    rows: list[list[Any]] = []
    async for batch in iter_restanser(
        viewer, Scope(saksbehandler_id=user.person_id), sort=forms.own_sort(sorter)
    ):
        rows += [own_row(row) for row in batch]
    return download(format, f"egne-restanser-{today().isoformat()}", _("Egne restanser"), own_header(), rows)


@get("/veiledning", name="restanse:guide")
async def guide(request: AnyRequest) -> Template:
    """*Avskriving av restanser som ikke skal besvares med utgående brev*: for every signed-in
    user (linked from Egne restanser and from the monthly mails)."""
    return await page(request, "restanse/veiledning.html", threshold=config.threshold())


router = Router(path="/restanse", route_handlers=[index, card, avskriv, export, guide])
