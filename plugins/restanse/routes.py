"""HTTP routes of the handler's pages (thin handlers; the rules live in ``services``).

* ``GET /restanse``: *Egne restanser*, the signed-in person's own restanser (``sorter``,
  ``side``); htmx gets only the list region (``_egne.html``).
* ``POST /restanse/avskriv``: *Avskriv JP* for the ticked restanser (avskrivningsmåte, for BU/BN
  the answering post per restanse, optional merknad).
* ``POST /restanse/foreloepig``: register a foreløpig svar for one restanse (the button value).
* ``GET /restanse/eksport?format=csv|xlsx``: the list as a file, with the page's columns.
* ``GET /restanse/kort``: the dashboard card (refreshed on ``restanse-endret``).
* ``GET /restanse/veiledning``: the write-off guide.
* ``/restanse/enhet``: *Restanser i egen enhet* (:mod:`plugins.restanse.routes_enhet`).

After an action a plain form gets a redirect (303) with flash messages; htmx gets the updated
region, with the messages and the menu badge out of band and the ``restanse-endret`` event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Router, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Response, Template

from core.archive.queries.visibility import Viewer
from core.errors import ValidationFailed
from core.i18n import _, ngettext
from core.timeutil import today
from core.web.flash import flash
from core.web.pages import current_user, fragment, is_fragment_request, page, runtime
from plugins.restanse import config, queries_enhet, routes_enhet, rule, services
from plugins.restanse.routes_enhet import download
from plugins.restanse.services import Selected

AnyRequest = HTMXRequest
CHANGED_EVENT = "restanse-endret"
"""Sent with ``HX-Trigger`` after every change; the card listens for it."""
OWN_SORTS = ("eldst", "nyest", "forfall", "sak")
GUIDE_URL = "/restanse/veiledning"
DEFAULT_MAATE = "TE"
"""Chosen in a fresh form: most restanser that need no letter are *tatt til etterretning*."""


def own_sort(value: str | None) -> str:
    return value if value in OWN_SORTS else rule.DEFAULT_SORT


def own_url(sorter: str, side: int | None = None) -> str:
    params: dict[str, str] = {}
    if sorter != rule.DEFAULT_SORT:
        params["sorter"] = sorter
    if side and side > 1:
        params["side"] = str(side)
    return "/restanse" + ("?" + urlencode(params) if params else "")


def form_value(form: FormMultiDict, key: str) -> str:
    raw = form.get(key)
    return raw.strip() if isinstance(raw, str) else ""


def form_values(form: FormMultiDict, key: str) -> list[str]:
    return [v.strip() for v in form.getall(key, []) if isinstance(v, str) and v.strip()]


def form_page(form: FormMultiDict) -> int | None:
    raw = form_value(form, "side")
    return int(raw) if services.is_number(raw) else None


# --- the menu badge and the card -----------------------------------------------------------


async def menu_count(person_id: int) -> int:
    """The menu badge: the person's own restanser today (one counting statement)."""
    return await rule.count(today(), rule.Scope(saksbehandler_id=person_id))


async def menu_badge(request: AnyRequest) -> dict[str, Any]:
    """The menu link's label and count, as :func:`plugins.restanse.hooks.menu_links` shows it."""
    count = await menu_count(current_user(request).person_id)
    return {"label": _("Restanser"), "count": count, "count_label": _("restanser")}


@get("/kort", name="restanse:card")
async def card(request: AnyRequest) -> Template:
    """The front-page card (htmx fragment): own restanser, forfalt, and past § 11 a."""
    user = current_user(request)
    summary = await queries_enhet.own_summary(user.person_id)
    return fragment("restanse/_card.html", summary=summary, unit_report=services.uses_unit_report(user))


# --- Egne restanser ------------------------------------------------------------------------


async def own_context(
    request: AnyRequest,
    sorter: str,
    side: int | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> dict[str, Any]:
    user = current_user(request)
    viewer = await Viewer.of(user)
    result = await rule.open_restanser(
        viewer, rule.Scope(saksbehandler_id=user.person_id), sort=sorter, page=side or 1
    )
    summary = await queries_enhet.own_summary(user.person_id)
    options = await queries_enhet.answer_options(viewer, [int(row["saksmappe_id"]) for row in result.items])
    for row in result.items:
        row["svarposter"] = [
            o for o in options.get(int(row["saksmappe_id"]), []) if o["id"] != row["journalpost_id"]
        ]
        row["valgt_verdi"] = f"{row['korrespondansepart_id']}:{row['version']}"
    labels = rule.sort_labels()
    return {
        "result": result,
        "summary": summary,
        "sorter": sorter,
        "sort_labels": {key: labels[key] for key in OWN_SORTS},
        "maater": services.maate_choices(),
        "merknad_max": services.MERKNAD_MAX,
        "errors": errors or {},
        "form": form or {"valgt": [], "avskrivningsmaate": DEFAULT_MAATE, "merknad": "", "svar": {}},
        "own_url": own_url(sorter, result.number),
        "pager_query": urlencode({"sorter": sorter}) if sorter != rule.DEFAULT_SORT else "",
        "unit_report": services.uses_unit_report(user),
        "guide_url": GUIDE_URL,
        "today": today(),
    }


async def own_response(
    request: AnyRequest,
    sorter: str,
    side: int | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    context = await own_context(request, sorter, side, errors=errors, form=form)
    if is_fragment_request(request):
        return fragment("restanse/_egne.html", status_code=status_code, **context)
    return await page(request, "restanse/index.html", status_code=status_code, **context)


@get("/", name="restanse:index")
async def index(
    request: AnyRequest, sorter: FromQuery[str | None] = None, side: FromQuery[int | None] = None
) -> Template:
    return await own_response(request, own_sort(sorter), side)


@dataclass(frozen=True)
class Message:
    text: str
    category: str = "success"


async def answer(
    request: AnyRequest, messages: list[Message], sorter: str, side: int | None, *, status_code: int = 200
) -> Response[Any]:
    """Plain form: flash the messages and redirect (303). htmx: the updated list region, with
    the messages and the menu badge out of band, and the change event for the card."""
    if is_fragment_request(request):
        context = await own_context(request, sorter, side)
        return HTMXTemplate(
            template_name="restanse/_egne.html",
            context={"messages": messages, "badge": await menu_badge(request), "oob": True, **context},
            status_code=status_code,
            headers={"HX-Trigger": CHANGED_EVENT},
        )
    for message in messages:
        flash(request, message.text, message.category)
    return Redirect(own_url(sorter, side), status_code=303)


def outcome_messages(outcome: services.Outcome, done: str) -> list[Message]:
    messages = [Message(done)] if outcome.done else []
    return messages + [Message(problem, "error") for problem in outcome.problems]


def _entered(form: FormMultiDict) -> dict[str, Any]:
    """What the user typed and chose, to show the form again after a validation error."""
    return {
        "valgt": form_values(form, "valgt"),
        "avskrivningsmaate": form_value(form, "avskrivningsmaate"),
        "merknad": form_value(form, "merknad"),
        "svar": {key.removeprefix("svar-"): form_value(form, key) for key in form if key.startswith("svar-")},
    }


@post("/avskriv", name="restanse:avskriv")
async def avskriv(request: AnyRequest) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    sorter, side = own_sort(form_value(form, "sorter")), form_page(form)
    maate = form_value(form, "avskrivningsmaate")
    try:
        selected = Selected.parse_all(form_values(form, "valgt"))
        answers = {s.kid: form_value(form, services.answer_field(s.kid)) for s in selected}
        outcome = await services.write_off(
            runtime(request).settings, user, selected, maate, form_value(form, "merknad"), answers
        )
    except ValidationFailed as exc:
        return await own_response(
            request, sorter, side, errors=exc.errors, form=_entered(form), status_code=422
        )
    count = len(outcome.done)
    done = ""
    if outcome.done:
        maate_name = next(m["name"] for m in services.maate_choices() if m["code"] == maate)
        first = outcome.done[0]["item"]["nummer"]
        done = ngettext(
            "%(post)s er avskrevet: %(maate)s.", "%(num)s restanser er avskrevet: %(maate)s.", count
        ) % {"post": first, "num": count, "maate": maate_name}
    return await answer(
        request,
        outcome_messages(outcome, done),
        sorter,
        side,
        status_code=outcome.status_code,
    )


@post("/foreloepig", name="restanse:foreloepig")
async def foreloepig(request: AnyRequest) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    sorter, side = own_sort(form_value(form, "sorter")), form_page(form)
    choice = Selected.parse(form_value(form, "foreloepig"))
    if choice is None:
        return await own_response(
            request,
            sorter,
            side,
            errors={"valgt": _("Valget av restanse er ugyldig. Last siden på nytt.")},
            form=_entered(form),
            status_code=422,
        )
    outcome = await services.mark_foreloepig_svar(runtime(request).settings, user, choice)
    done = ""
    if outcome.done:
        entry = outcome.done[0]
        done = _("Foreløpig svar er registrert for %(post)s. Restansen står til den er avskrevet.") % {
            "post": entry["item"]["nummer"]
        }
    return await answer(
        request,
        outcome_messages(outcome, done),
        sorter,
        side,
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
        row["paragraf_11a"],
    ]


@get("/eksport", name="restanse:export")
async def export(
    request: AnyRequest, format: FromQuery[str | None] = None, sorter: FromQuery[str | None] = None
) -> Response[bytes]:
    """*Egne restanser* as CSV or Excel, with the columns of the page (titles masked as there)."""
    user = current_user(request)
    viewer = await Viewer.of(user)
    rows: list[list[Any]] = []
    async for batch in rule.iter_restanser(
        viewer, rule.Scope(saksbehandler_id=user.person_id), sort=own_sort(sorter)
    ):
        rows += [own_row(row) for row in batch]
    return download(format, f"egne-restanser-{today().isoformat()}", _("Egne restanser"), own_header(), rows)


# --- the guide -----------------------------------------------------------------------------


@get("/veiledning", name="restanse:guide")
async def guide(request: AnyRequest) -> Template:
    """*Avskriving av restanser som ikke skal besvares med utgående brev*: for every signed-in
    user (linked from Egne restanser and from the monthly mails)."""
    return await page(request, "restanse/veiledning.html", threshold=config.threshold())


router = Router(
    path="/restanse",
    route_handlers=[index, card, avskriv, foreloepig, export, guide, *routes_enhet.ROUTES],
)
