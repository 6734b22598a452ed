"""Training follow-up: the signals page ``GET /onboarding/opplaering`` and its front-page card
``GET /onboarding/opplaering/kort``, a new follow-up
``GET/POST /onboarding/opplaering/ny``, one follow-up ``GET /onboarding/opplaering/{id}`` with
``POST …/avtal`` (agree a date) and ``POST …/lukk`` (close with what was done), and the task
link ``GET /onboarding/opplaering/oppgave/{task}``."""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from core.dates import date_into
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import _
from core.web.flash import flash
from core.web.forms import form_id, form_value
from core.web.pages import AnyRequest, current_user, fragment, page, runtime
from plugins.onboarding import queries
from plugins.onboarding.pages import training as pages
from plugins.onboarding.services import training


@get("/opplaering", name="onboarding:training")
async def index(request: AnyRequest) -> Template:
    return await page(
        request, "onboarding/opplaering.html", **await pages.index_context(current_user(request))
    )


@get("/opplaering/kort", name="onboarding:training_card")
async def card(request: AnyRequest) -> Template:
    """The front-page card of Fellestjenesten/Arkiv (htmx fragment): handlers with the signal
    *old restanser* and the follow-ups under way, both as the page shows them."""
    return fragment("onboarding/_opplaering_kort.html", **await pages.card_context(current_user(request)))


@get("/opplaering/ny", name="onboarding:training_new")
async def new_form(request: AnyRequest, person: FromQuery[int], signal: FromQuery[str] = "") -> Template:
    context = await pages.new_context(current_user(request), person, signal)
    return await page(request, "onboarding/opplaering_ny.html", **context)


@post("/opplaering/ny", name="onboarding:training_register")
async def register(request: AnyRequest) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    person = form_id(form, "person") or 0
    signal = form_value(form, "signal")
    observed = form_value(form, "observert")
    try:
        follow_up = await training.register(runtime(request).settings, user, person, observed, signal)
    except ValidationFailed as exc:
        context = await pages.new_context(user, person, signal, observed=observed, errors=exc.errors)
        return await page(request, "onboarding/opplaering_ny.html", status_code=422, **context)
    flash(request, _("Behovet er registrert og sendt som oppgave."))
    return Redirect(f"/onboarding/opplaering/{follow_up}", status_code=303)


@get("/opplaering/{follow_up_id:int}", name="onboarding:training_follow_up")
async def follow_up(request: AnyRequest, follow_up_id: FromPath[int]) -> Template:
    context = await pages.follow_up_context(current_user(request), follow_up_id)
    return await page(request, "onboarding/opplaering_oppfolging.html", **context)


@get("/opplaering/oppgave/{task_id:int}", name="onboarding:training_task")
async def from_task(task_id: FromPath[int]) -> Redirect:
    follow_up_id = await queries.follow_up_of_task(task_id)
    if follow_up_id is None:
        raise NotFound(_("Fant ingen oppfølging med dette nummeret."))
    return Redirect(f"/onboarding/opplaering/{follow_up_id}", status_code=303)


async def _act(request: AnyRequest, follow_up_id: int, action: str) -> Response[Any]:
    form = await request.form()
    user = current_user(request)
    settings = runtime(request).settings
    version = form_id(form, "version") or 0
    typed = form_value(form, "dato")
    try:
        if action == "avtal":
            errors: dict[str, str] = {}
            day = date_into(errors, "dato", typed, _("Dato"))
            if errors:
                raise ValidationFailed(errors)
            await training.agree(settings, user, follow_up_id, day, version=version)
            message = _("Tidspunktet er avtalt.")
        else:
            await training.close(
                settings, user, follow_up_id, form_value(form, "gjennomfort"), version=version
            )
            message = _("Oppfølgingen er lukket.")
    except (ValidationFailed, Conflict) as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {}
        context = await pages.follow_up_context(user, follow_up_id, errors=errors, alert=str(exc.detail))
        return await page(
            request,
            "onboarding/opplaering_oppfolging.html",
            status_code=exc.status_code,
            typed_date=typed,
            **context,
        )
    flash(request, message)
    return Redirect(f"/onboarding/opplaering/{follow_up_id}", status_code=303)


@post("/opplaering/{follow_up_id:int}/avtal", name="onboarding:training_agree")
async def agree(request: AnyRequest, follow_up_id: FromPath[int]) -> Response[Any]:
    return await _act(request, follow_up_id, "avtal")


@post("/opplaering/{follow_up_id:int}/lukk", name="onboarding:training_close")
async def close(request: AnyRequest, follow_up_id: FromPath[int]) -> Response[Any]:
    return await _act(request, follow_up_id, "lukk")


router = Router(
    path="/onboarding", route_handlers=[index, card, new_form, register, follow_up, from_task, agree, close]
)
