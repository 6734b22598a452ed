"""The monthly restanse mails in the UI (Fellestjenesten/Arkiv): prepare, preview, send.

* ``GET /restanse/utsending``: the form (report date, comparison date, deadline; the threshold
  shown) and the latest months' runs. ``?rapportdato=…&sammenligningsdato=…&frist=…`` fills
  the form (used by *Forbered på nytt*).
* ``POST /restanse/utsending``: prepare the draft (:func:`plugins.restanse.mailing.prepare`),
  then the preview.
* ``GET /restanse/utsending/{run}``: the preview: recipients, warnings, the full text of each
  mail, and the *Send n e-poster* button.
* ``POST /restanse/utsending/{run}/send``: send (with the version the preview showed). htmx
  gets the updated region (``_utsending.html``) with the message out of band; without
  JavaScript: 303 back to the preview with a flash message.
* ``GET /restanse/utsending/{run}/epost/{item}``: one mail as the recipient sees it.
"""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template
from markupsafe import Markup

from core.errors import Conflict, ValidationFailed
from core.i18n import _
from core.web.flash import flash
from core.web.pages import current_user, fragment, is_fragment_request, page, runtime
from plugins.restanse import config, mail_texts, mailing

AnyRequest = HTMXRequest
FIELDS = ("rapportdato", "sammenligningsdato", "frist")


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


async def _form_page(
    request: AnyRequest,
    form: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    alert: str = "",
    status_code: int = 200,
) -> Template:
    user = current_user(request)
    runs = await mailing.recent_runs(user)
    return await page(
        request,
        "restanse/utsending.html",
        status_code=status_code,
        form=form,
        errors=errors or {},
        alert=alert,
        runs=runs,
        terskel=config.threshold(),
        status_label=mailing.status_label,
    )


@get("/utsending", name="restanse:mail_form")
async def mail_form(
    request: AnyRequest,
    rapportdato: FromQuery[str | None] = None,
    sammenligningsdato: FromQuery[str | None] = None,
    frist: FromQuery[str | None] = None,
) -> Template:
    mailing.require_archive(current_user(request))
    form = mailing.form_values(mailing.default_dates())
    given = {"rapportdato": rapportdato, "sammenligningsdato": sammenligningsdato, "frist": frist}
    form.update({k: v.strip() for k, v in given.items() if v and v.strip()})
    return await _form_page(request, form)


@post("/utsending", name="restanse:mail_prepare")
async def mail_prepare(request: AnyRequest) -> Response[Any]:
    user = current_user(request)
    mailing.require_archive(user)
    data = await request.form()
    form = {name: _text(data.get(name)) for name in FIELDS}
    try:
        dates = mailing.parse_form(form)
        prepared = await mailing.prepare(
            runtime(request).settings,
            user,
            rapportdato=dates.rapportdato,
            sammenligningsdato=dates.sammenligningsdato,
            frist=dates.frist,
        )
    except ValidationFailed as exc:
        return await _form_page(request, form, errors=exc.errors, status_code=422)
    except Conflict as exc:
        return await _form_page(request, form, alert=str(exc.detail), status_code=409)
    flash(request, prepared.message())
    return Redirect(f"/restanse/utsending/{prepared.run_id}", status_code=303)


async def _preview_context(request: AnyRequest, run_id: int) -> dict[str, Any]:
    view = await mailing.preview(current_user(request), run_id)
    return {
        "view": view,
        "run": view.run,
        "again_query": "&".join(
            f"{name}={mail_texts.long_date(view.run[name])}"
            for name in ("rapportdato", "sammenligningsdato", "frist")
            if view.run[name]
        ),
        "outbox_labels": {
            "queued": _("I utboksen"),
            "sending": _("Sendes"),
            "sent": _("Sendt"),
            "failed": _("Feilet"),
        },
    }


@get("/utsending/{run_id:int}", name="restanse:mail_preview")
async def mail_preview(request: AnyRequest, run_id: FromPath[int]) -> Template:
    context = await _preview_context(request, run_id)
    return await page(request, "restanse/utsending_visning.html", **context)


@post("/utsending/{run_id:int}/send", name="restanse:mail_send")
async def mail_send(request: AnyRequest, run_id: FromPath[int]) -> Response[Any]:
    user = current_user(request)
    mailing.require_archive(user)
    data = await request.form()
    raw = _text(data.get("version"))
    messages: list[dict[str, str]]
    status_code = 200
    if not raw.isdigit() or int(raw) > mailing.MAX_ID:
        messages = [{"category": "error", "text": _("Skjemaet er ugyldig. Last siden på nytt.")}]
        status_code = 422
    else:
        try:
            result = await mailing.send(runtime(request).settings, user, run_id, version=int(raw))
        except Conflict as exc:
            messages = [{"category": "error", "text": str(exc.detail)}]
            status_code = 409
        else:
            category = "success" if result.queued else "info"
            if result.without_email:
                category = "warning"
            messages = [{"category": category, "text": result.message()}]
    if is_fragment_request(request):
        context = await _preview_context(request, run_id)
        return fragment(
            "restanse/_utsending.html", status_code=status_code, messages=messages, oob=True, **context
        )
    for message in messages:
        flash(request, message["text"], message["category"])
    return Redirect(f"/restanse/utsending/{run_id}", status_code=303)


@get("/utsending/{run_id:int}/epost/{item_id:int}", name="restanse:mail_item")
async def mail_item(request: AnyRequest, run_id: FromPath[int], item_id: FromPath[int]) -> Template:
    run, item = await mailing.item(current_user(request), run_id, item_id)
    body = Markup(mail_texts.render_html_body(mail_texts.parse_text(item["tekst"]), for_mail=False))  # noqa: S704 - escaped by mail_texts
    return await page(request, "restanse/utsending_epost.html", run=run, item=item, body=body)


router = Router(
    path="/restanse",
    route_handlers=[mail_form, mail_prepare, mail_preview, mail_send, mail_item],
)
