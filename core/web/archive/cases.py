"""Case pages: "Mine saker" and a unit's cases, "Ny sak", the case page with its posts,
documents, remarks and history, closing a case, and the case picker of the registration form.

Handlers are thin: :mod:`core.archive.queries` reads (with skjerming), :mod:`core.archive.services`
writes and checks. Remarks are written in place with htmx; every form also works without it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Response, Template

from core.admin.common import parse_id
from core.archive import services
from core.archive.queries import cases as case_queries
from core.archive.queries import choices, documents, history, posts, search
from core.errors import Conflict, ValidationFailed
from core.i18n import _
from core.web.archive.common import (
    Form,
    done,
    may_close_case,
    may_work_on_case,
    optional_id,
    rename_errors,
    settings_of,
    value,
    viewer_of,
)
from core.web.archive.labels import options
from core.web.flash import flash
from core.web.pages import AnyRequest, current_user, fragment, is_fragment_request, page, runtime

CASE_FIELDS = (
    "tittel",
    "offentlig_tittel",
    "administrativ_enhet_id",
    "saksansvarlig_id",
    "tilgangsrestriksjon",
    "skjermingshjemmel",
)
CASE_ERROR_FIELDS = {"administrativ_enhet": "administrativ_enhet_id", "saksansvarlig": "saksansvarlig_id"}


def _query(**items: str | int | None) -> str:
    return urlencode({k: v for k, v in items.items() if v})


# --- lists ---------------------------------------------------------------------------------


@get("/arkiv/saker", name="arkiv:cases")
async def case_list(
    request: AnyRequest,
    vis: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    enhet: FromQuery[int | None] = None,
    side: FromQuery[int | None] = None,
) -> Template:
    user = current_user(request)
    scope = vis if vis in case_queries.SCOPES else case_queries.SCOPE_MINE
    state = status if status in case_queries.STATUSES else case_queries.STATUS_OPEN
    unit_id = enhet or user.unit_id
    units = await choices.units()
    viewer = await viewer_of(request)
    if scope == case_queries.SCOPE_MINE:
        result = await case_queries.list_cases(
            viewer, saksansvarlig_id=user.person_id, status=state, page=side
        )
    else:
        result = await case_queries.list_cases(viewer, enhet_id=unit_id, status=state, page=side)
    unit = next((u for u in units if u["id"] == unit_id), None)
    return await page(
        request,
        "arkiv/saker.html",
        result=result,
        vis=scope,
        status=state,
        enhet=unit_id,
        unit=unit,
        units=units,
        query=_query(vis=scope, status=state, enhet=unit_id if scope == case_queries.SCOPE_UNIT else None),
    )


# --- ny sak --------------------------------------------------------------------------------


async def _case_form_page(
    request: AnyRequest, form: Form, errors: dict[str, str] | None = None, status_code: int = 200
) -> Template:
    return await page(
        request,
        "arkiv/sak_ny.html",
        status_code=status_code,
        form=form,
        errors=errors or {},
        units=await choices.units(),
        people=await choices.people_by_unit(),
        restrictions=options("tilgangsrestriksjon"),
    )


@get("/arkiv/sak/ny", name="arkiv:case_new")
async def case_new(request: AnyRequest) -> Template:
    user = current_user(request)
    form: Form = {
        "administrativ_enhet_id": str(user.unit_id or ""),
        "saksansvarlig_id": "" if user.is_archive else str(user.person_id),
    }
    return await _case_form_page(request, form)


def new_case_from(form: Form, errors: dict[str, str]) -> services.NewCase:
    """A :class:`services.NewCase` from the form; format errors go into ``errors``."""
    return services.NewCase(
        tittel=form.get("tittel", ""),
        offentlig_tittel=form.get("offentlig_tittel", ""),
        administrativ_enhet_id=optional_id(
            form, "administrativ_enhet_id", errors, _("Velg en enhet fra listen.")
        ),
        saksansvarlig_id=optional_id(form, "saksansvarlig_id", errors, _("Velg en person fra listen.")),
        tilgangsrestriksjon=form.get("tilgangsrestriksjon", ""),
        skjermingshjemmel=form.get("skjermingshjemmel", ""),
    )


@post("/arkiv/sak/ny", name="arkiv:case_create")
async def case_create(request: AnyRequest, data: URLEncodedBody[dict[str, str]]) -> Response[Any]:
    form: Form = {key: value(data, key) for key in CASE_FIELDS}
    errors: dict[str, str] = {}
    new_case = new_case_from(form, errors)
    if errors:
        return await _case_form_page(request, form, errors, status_code=422)
    try:
        case_id = await services.create_case(settings_of(request), current_user(request), new_case)
    except ValidationFailed as exc:
        return await _case_form_page(
            request, form, rename_errors(exc.errors, CASE_ERROR_FIELDS), status_code=422
        )
    case = await case_queries.get_case(await viewer_of(request), case_id)
    flash(request, _("Saken %(number)s er opprettet.") % {"number": case["mappe_id"]})
    return done(request, f"/arkiv/sak/{case_id}")


# --- saken ---------------------------------------------------------------------------------


async def _case_page(
    request: AnyRequest,
    saksmappe_id: int,
    *,
    side: int | None = None,
    hside: int | None = None,
    remark: str = "",
    remark_errors: dict[str, str] | None = None,
    alert: str = "",
    status_code: int = 200,
) -> Template:
    user = current_user(request)
    viewer = await viewer_of(request)
    case = await case_queries.get_case(viewer, saksmappe_id)
    post_page = await posts.list_posts_in_case(viewer, saksmappe_id, page=side)
    await documents.attach_documents(viewer, post_page.items)
    return await page(
        request,
        "arkiv/sak.html",
        status_code=status_code,
        case=case,
        posts=post_page,
        remarks=await history.remarks(case["synlig"], saksmappe_id=saksmappe_id),
        events=await history.case_history(
            viewer,
            saksmappe_id,
            case_visible=case["synlig"],
            page=hside,
            labels=runtime(request).audit_labels,
        ),
        may_work=may_work_on_case(user, case),
        may_close=may_close_case(user, case),
        remark=remark,
        remark_errors=remark_errors or {},
        alert=alert,
        side=post_page.number,
        hside=hside,
    )


@get("/arkiv/sak/{saksmappe_id:int}", name="arkiv:case")
async def case_page(
    request: AnyRequest,
    saksmappe_id: FromPath[int],
    side: FromQuery[int | None] = None,
    hside: FromQuery[int | None] = None,
) -> Template:
    return await _case_page(request, saksmappe_id, side=side, hside=hside)


async def remarks_fragment(
    request: AnyRequest,
    *,
    saksmappe_id: int | None = None,
    journalpost_id: int | None = None,
    visible: bool,
    text: str = "",
    errors: dict[str, str] | None = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    action = (
        f"/arkiv/sak/{saksmappe_id}/merknad"
        if saksmappe_id
        else f"/arkiv/journalpost/{journalpost_id}/merknad"
    )
    return fragment(
        "arkiv/_merknader.html",
        status_code=status_code,
        remarks=await history.remarks(visible, saksmappe_id=saksmappe_id, journalpost_id=journalpost_id),
        remark_action=action,
        remark=text,
        remark_errors=errors or {},
        melding=message,
        can_remark=True,
    )


@post("/arkiv/sak/{saksmappe_id:int}/merknad", name="arkiv:case_remark")
async def case_remark(
    request: AnyRequest, saksmappe_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    text = value(data, "merknadstekst")
    viewer = await viewer_of(request)
    case = await case_queries.get_case(viewer, saksmappe_id)
    try:
        await services.add_merknad(
            settings_of(request), current_user(request), text, saksmappe_id=saksmappe_id
        )
    except ValidationFailed as exc:
        errors = rename_errors(exc.errors, {"text": "merknadstekst", "merknadstekst": "merknadstekst"})
        if is_fragment_request(request):
            return await remarks_fragment(
                request,
                saksmappe_id=saksmappe_id,
                visible=case["synlig"],
                text=text,
                errors=errors,
                status_code=422,
            )
        return await _case_page(request, saksmappe_id, remark=text, remark_errors=errors, status_code=422)
    if is_fragment_request(request):
        return await remarks_fragment(
            request, saksmappe_id=saksmappe_id, visible=case["synlig"], message=_("Merknaden er lagret.")
        )
    flash(request, _("Merknaden er lagret."))
    return done(request, f"/arkiv/sak/{saksmappe_id}#merknader")


@post("/arkiv/sak/{saksmappe_id:int}/avslutt", name="arkiv:case_close")
async def case_close(
    request: AnyRequest, saksmappe_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    version = parse_id(value(data, "version")) or 0
    try:
        await services.close_case(settings_of(request), current_user(request), saksmappe_id, version)
    except Conflict as exc:
        if is_fragment_request(request):
            raise
        return await _case_page(request, saksmappe_id, alert=exc.detail, status_code=409)
    flash(request, _("Saken er avsluttet."))
    return done(request, f"/arkiv/sak/{saksmappe_id}")


# --- saksvelger (registration form) --------------------------------------------------------


@get("/arkiv/saker/velg", name="arkiv:case_picker")
async def case_picker(
    request: AnyRequest, saksnummer: FromQuery[str | None] = None, saksmappe_id: FromQuery[int | None] = None
) -> Template:
    """Open cases matching a number or title, as radio buttons (an htmx fragment)."""
    text = (saksnummer or "").strip()
    hits = await search.pick_open_cases(await viewer_of(request), text)
    return fragment("arkiv/_saksvelger.html", hits=hits, text=text, valgt=str(saksmappe_id or ""))


ROUTES = [case_list, case_new, case_create, case_page, case_remark, case_close, case_picker]
