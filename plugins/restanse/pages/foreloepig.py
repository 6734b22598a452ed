"""*Registrer foreløpig svar*: the small form for one restanse (the date, and the post of the
case that was the foreløpig svar), as its own page without JavaScript and as a panel above the
list of *Egne restanser* with htmx (``#foreloepig-skjema``)."""

from __future__ import annotations

from typing import Any

from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Template

from core.archive import kodelister
from core.archive.queries.recipients import recipient_state, recipients_by_id
from core.archive.queries.restanse_lists import foreloepig_svar_options, restanse_of
from core.archive.queries.visibility import Viewer
from core.dates import show_date
from core.errors import Conflict, Forbidden, NotFound
from core.i18n import _
from core.timeutil import today
from core.web.pages import AnyRequest, current_user, is_fragment_request, page
from plugins.restanse.pages.egne import own_url
from plugins.restanse.services import foreloepig, write_off

PANEL_ID = "foreloepig-skjema"
"""The panel's id: the list keeps an empty placeholder with it, which the form replaces."""
FRAGMENT = "restanse/_foreloepig.html"


def opener_id(korrespondansepart_id: int) -> str:
    """The id of the list's link that opens the form (focus goes back to it on *Avbryt*)."""
    return f"foreloepig-{korrespondansepart_id}"


async def _restanse(request: AnyRequest, korrespondansepart_id: int) -> dict[str, Any]:
    """The restanse the form is for: 404 unknown, 403 when the user may not act on it, 409 when
    it is no restanse (any more) or already has a foreløpig svar."""
    user = current_user(request)
    item = (await recipients_by_id([korrespondansepart_id])).get(korrespondansepart_id)
    if item is None:
        raise NotFound(_("Fant ikke restansen."))
    if not write_off.may_act(user, item):
        raise Forbidden(_("Du kan ikke registrere foreløpig svar på denne restansen."))
    restanse = await restanse_of(await Viewer.of(user), korrespondansepart_id)
    if restanse is None:
        state = await recipient_state(korrespondansepart_id)
        if state is not None and state["avskrevet"]:
            raise Conflict(
                _("%(post)s er allerede avskrevet av %(who)s (%(maate)s).")
                % {
                    "post": item["nummer"],
                    "who": state["avskrevet_av_navn"] or _("systemet"),
                    "maate": kodelister.name(kodelister.AVSKRIVNINGSMAATE, state["avskrivningsmaate"]),
                }
            )
        raise Conflict(_("%(post)s er ikke en restanse.") % {"post": item["nummer"]})
    if restanse["foreloepig_svar_dato"] is not None:
        raise Conflict(
            _("Det er allerede registrert et foreløpig svar for %(post)s (%(dato)s).")
            % {"post": restanse["nummer"], "dato": show_date(restanse["foreloepig_svar_dato"])}
        )
    return restanse


async def form_context(
    request: AnyRequest,
    korrespondansepart_id: int,
    sorter: str,
    side: int | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> dict[str, Any]:
    restanse = await _restanse(request, korrespondansepart_id)
    viewer = await Viewer.of(current_user(request))
    return {
        "restanse": restanse,
        "valgt_verdi": f"{korrespondansepart_id}:{restanse['version']}",
        "options": await foreloepig_svar_options(viewer, restanse),
        "errors": errors or {},
        "form": form or {foreloepig.DATE_FIELD: today(), foreloepig.POST_FIELD: ""},
        "date_field": foreloepig.DATE_FIELD,
        "date_label": foreloepig.date_label(),
        "post_field": foreloepig.POST_FIELD,
        "sorter": sorter,
        "side": side or 1,
        "back_url": f"{own_url(sorter, side)}#{opener_id(korrespondansepart_id)}",
        "opener_id": opener_id(korrespondansepart_id),
        "panel_id": PANEL_ID,
    }


async def form_response(
    request: AnyRequest,
    korrespondansepart_id: int,
    sorter: str,
    side: int | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    """The form: with htmx the panel (a form sent from the panel that comes back with errors is
    swapped into the panel again, not into the list it was aimed at), else the page."""
    context = await form_context(request, korrespondansepart_id, sorter, side, errors=errors, form=form)
    if is_fragment_request(request):
        return HTMXTemplate(
            template_name=FRAGMENT,
            context=context,
            status_code=status_code,
            re_target=f"#{PANEL_ID}",
            re_swap="outerHTML",
        )
    return await page(request, "restanse/foreloepig.html", status_code=status_code, **context)
