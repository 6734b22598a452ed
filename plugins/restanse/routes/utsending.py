"""The monthly restanse mails in the UI (Fellestjenesten/Arkiv): prepare, preview, send.

* ``GET /restanse/utsending``: the form (report date, comparison date, deadline; the threshold
  shown) and the latest months' runs. ``?rapportdato=…&sammenligningsdato=…&frist=…`` fills
  the form (used by *Forbered på nytt*).
* ``POST /restanse/utsending``: prepare the draft (:func:`plugins.restanse.services.mailing.prepare`),
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
from litestar.response import Redirect, Response, Template
from markupsafe import Markup

from core.errors import Conflict, ValidationFailed
from core.i18n import _
from core.timeutil import today
from core.web.actions import Message, answer
from core.web.flash import flash
from core.web.forms import form_id, form_value
from core.web.pages import AnyRequest, current_user, fragment, page, runtime
from plugins.restanse import forms
from plugins.restanse.pages import utsending as pages
from plugins.restanse.queries import mail_runs
from plugins.restanse.services import mail_texts, mailing, sending

FIELDS = ("rapportdato", "sammenligningsdato", "frist")


@get("/utsending", name="restanse:mail_form")
async def mail_form(
    request: AnyRequest,
    rapportdato: FromQuery[str | None] = None,
    sammenligningsdato: FromQuery[str | None] = None,
    frist: FromQuery[str | None] = None,
) -> Template:
    mailing.require_archive(current_user(request))
    form = forms.mail_form_values(forms.default_mail_dates())
    given = {"rapportdato": rapportdato, "sammenligningsdato": sammenligningsdato, "frist": frist}
    form.update({k: v.strip() for k, v in given.items() if v and v.strip()})
    return await pages.form_page(request, form)


@post("/utsending", name="restanse:mail_prepare")
async def mail_prepare(request: AnyRequest) -> Response[Any]:
    user = current_user(request)
    mailing.require_archive(user)
    data = await request.form()
    form = {name: form_value(data, name) for name in FIELDS}
    try:
        dates = forms.parse_mail_dates(form)
        prepared = await mailing.prepare(
            runtime(request).settings,
            user,
            rapportdato=dates.rapportdato,
            sammenligningsdato=dates.sammenligningsdato,
            frist=dates.frist,
        )
    except ValidationFailed as exc:
        return await pages.form_page(request, form, errors=exc.errors, status_code=422)
    except Conflict as exc:
        return await pages.form_page(request, form, alert=str(exc.detail), status_code=409)
    flash(request, prepared.message())
    return Redirect(f"/restanse/utsending/{prepared.run_id}", status_code=303)


@get("/utsending/{run_id:int}", name="restanse:mail_preview")
async def mail_preview(request: AnyRequest, run_id: FromPath[int]) -> Template:
    context = await pages.preview_context(request, run_id)
    return await page(request, "restanse/utsending_visning.html", **context)


@post("/utsending/{run_id:int}/send", name="restanse:mail_send")
async def mail_send(request: AnyRequest, run_id: FromPath[int]) -> Response[Any]:
    user = current_user(request)
    mailing.require_archive(user)
    version = form_id(await request.form(), "version")
    status_code = 200
    if version is None:
        messages = [Message(_("Skjemaet er ugyldig. Last siden på nytt."), "error")]
        status_code = 422
    else:
        try:
            result = await sending.send(runtime(request).settings, user, run_id, version=version)
        except Conflict as exc:
            messages = [Message(str(exc.detail), "error")]
            status_code = 409
        else:
            category = "success" if result.queued else "info"
            if result.without_email:
                category = "warning"
            messages = [Message(result.message(), category)]
    return await answer(
        request,
        messages,
        redirect_to=f"/restanse/utsending/{run_id}",
        fragment_template="restanse/_utsending.html",
        context=await pages.preview_context(request, run_id),
        status_code=status_code,
    )


@get("/utsending/{run_id:int}/epost/{item_id:int}", name="restanse:mail_item")
async def mail_item(request: AnyRequest, run_id: FromPath[int], item_id: FromPath[int]) -> Template:
    run, item = await mail_runs.item(current_user(request), run_id, item_id)
    body = Markup(mail_texts.render_html_body(mail_texts.parse_text(item["tekst"]), for_mail=False))  # noqa: S704 - escaped by mail_texts
    return await page(request, "restanse/utsending_epost.html", run=run, item=item, body=body)


@get("/utsending/kort", name="restanse:mail_card")
async def mail_card(request: AnyRequest) -> Template:
    """The archive's front-page card: this month's restanse mailing, not prepared, prepared
    (a draft) or sent, and the next step as a link (one read of the month's run)."""
    mailing.require_archive(current_user(request))
    maaned = mailing.month_of(today())
    run = await mail_runs.run_of_month(maaned)
    return fragment(
        "restanse/_utsending_card.html",
        run=run,
        sent=run is not None and run["status"] == mailing.SENT,
        month=mailing.month_label(maaned),
    )


router = Router(
    path="/restanse",
    route_handlers=[mail_form, mail_prepare, mail_preview, mail_send, mail_item, mail_card],
)
