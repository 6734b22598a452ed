"""Pages for organisation maintenance, leaders' absence and the hendelseslogg.

``/admin/enheter``, ``/admin/personer``, ``/admin/stedfortredere``, ``/admin/hendelseslogg``
(with its export ``/admin/hendelseslogg/eksport?format=csv|xlsx``; administrator or
Fellestjenesten/Arkiv) and ``/fravaer`` (leaders). Handlers are thin: the
services in :mod:`core.admin` check access, validate and write the hendelseslogg. Forms are plain
HTML forms (303 after a successful POST; htmx gets a client redirect); a form with errors is
shown again with what the user typed and the field errors, with status 422.

The person page's tilgangskoder section (``admin/_tilgang.html``) is the exception: its forms
post through :mod:`core.archive.services` (``grant_access``/``revoke_access``), and htmx gets
the section back, swapped in place, with the message in the page's message area.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Response, Template

from core import roles
from core.admin import absence as absence_services
from core.admin import auditlog
from core.admin import deputies as deputy_services
from core.admin import people as people_services
from core.admin import units as unit_services
from core.admin.common import STATUS_ACTIVE, STATUSES
from core.admin.deputies import DeputyForm
from core.admin.people import PersonForm
from core.admin.units import UnitForm
from core.archive import access as archive_access
from core.archive import kodelister
from core.archive import services as archive_services
from core.auth.user import User
from core.dates import show_date
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import _
from core.sessions import end_person_sessions
from core.timeutil import today
from core.web import downloads
from core.web.flash import flash
from core.web.pages import AnyRequest, current_user, fragment, is_fragment_request, page, runtime


def _done(request: AnyRequest, url: str) -> Response[Any]:
    """After a successful POST: 303 for a plain form, a client redirect for htmx."""
    if request.htmx:
        redirect = ClientRedirect(url)
        redirect.status_code = 200  # ClientRedirect leaves it unset, and a POST defaults to 201
        return redirect
    return Redirect(url, status_code=303)


def _query(**values: str | int | None) -> str:
    return urlencode({k: v for k, v in values.items() if v})


def _status(value: str | None) -> str:
    return value if value in STATUSES else STATUS_ACTIVE


# --- enheter -------------------------------------------------------------------------------


@get("/admin/enheter", name="admin:units")
async def units(
    request: AnyRequest,
    sok: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    side: FromQuery[int | None] = None,
) -> Template:
    user = current_user(request)
    search, state = (sok or "").strip(), _status(status)
    result = await unit_services.list_units(user, search=search, status=state, page=side)
    return await page(
        request,
        "admin/enheter.html",
        result=result,
        sok=search,
        status=state,
        query=_query(sok=search, status=state),
    )


async def _unit_form_page(
    request: AnyRequest,
    *,
    unit_id: int | None,
    form: UnitForm | None = None,
    errors: dict[str, str] | None = None,
    leader_value: str | None = None,
    leader_errors: dict[str, str] | None = None,
    alert: str = "",
    status_code: int = 200,
) -> Template:
    user = current_user(request)
    unit = await unit_services.get_unit(user, unit_id) if unit_id is not None else None
    if form is None:
        form = (
            UnitForm(code=unit["code"], name=unit["name"], parent=str(unit["parent"] or ""))
            if unit
            else UnitForm()
        )
    if leader_value is None:
        leader_value = str(unit["leader"]["person"]) if unit and unit["leader"] else ""
    parents = await unit_services.unit_choices(user, include=unit["parent"] if unit else None)
    return await page(
        request,
        "admin/enhet.html",
        status_code=status_code,
        unit=unit,
        form=form,
        errors=errors or {},
        parents=[u for u in parents if u["id"] != unit_id],
        people=await people_services.people_choices() if unit else [],
        leader_value=leader_value,
        leader_errors=leader_errors or {},
        alert=alert,
    )


@get("/admin/enheter/ny", name="admin:unit_new")
async def unit_new(request: AnyRequest) -> Template:
    return await _unit_form_page(request, unit_id=None)


@post("/admin/enheter/ny", name="admin:unit_create")
async def unit_create(request: AnyRequest, data: URLEncodedBody[dict[str, str]]) -> Response[Any]:
    form = UnitForm.from_data(data)
    try:
        unit_id = await unit_services.create_unit(current_user(request), form)
    except ValidationFailed as exc:
        return await _unit_form_page(request, unit_id=None, form=form, errors=exc.errors, status_code=422)
    flash(request, _("Enheten %(code)s er opprettet.") % {"code": form.code})
    return _done(request, f"/admin/enheter/{unit_id}")


@get("/admin/enheter/{unit_id:int}", name="admin:unit")
async def unit_edit(request: AnyRequest, unit_id: FromPath[int]) -> Template:
    return await _unit_form_page(request, unit_id=unit_id)


@post("/admin/enheter/{unit_id:int}", name="admin:unit_update")
async def unit_update(
    request: AnyRequest, unit_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    form = UnitForm.from_data(data)
    try:
        changed = await unit_services.update_unit(current_user(request), unit_id, form)
    except ValidationFailed as exc:
        return await _unit_form_page(request, unit_id=unit_id, form=form, errors=exc.errors, status_code=422)
    flash(
        request,
        _("Endringene er lagret.") if changed else _("Ingen endringer å lagre."),
        "success" if changed else "info",
    )
    return _done(request, f"/admin/enheter/{unit_id}")


@post("/admin/enheter/{unit_id:int}/leder", name="admin:unit_leader")
async def unit_leader(
    request: AnyRequest, unit_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    value = (data.get("leader") or "").strip()
    try:
        changed = await unit_services.set_leader(current_user(request), unit_id, value)
    except ValidationFailed as exc:
        return await _unit_form_page(
            request, unit_id=unit_id, leader_value=value, leader_errors=exc.errors, status_code=422
        )
    if changed:
        flash(request, _("Lederen er lagret.") if value else _("Lederen er fjernet."))
    else:
        flash(request, _("Ingen endringer å lagre."), "info")
    return _done(request, f"/admin/enheter/{unit_id}")


async def _unit_state(request: AnyRequest, unit_id: int, active: bool) -> Response[Any]:
    try:
        await unit_services.set_unit_active(current_user(request), unit_id, active)
    except Conflict as exc:
        return await _unit_form_page(request, unit_id=unit_id, alert=exc.detail, status_code=409)
    flash(request, _("Enheten er aktivert igjen.") if active else _("Enheten er deaktivert."))
    return _done(request, f"/admin/enheter/{unit_id}")


@post("/admin/enheter/{unit_id:int}/deaktiver", name="admin:unit_deactivate")
async def unit_deactivate(request: AnyRequest, unit_id: FromPath[int]) -> Response[Any]:
    return await _unit_state(request, unit_id, False)


@post("/admin/enheter/{unit_id:int}/aktiver", name="admin:unit_reactivate")
async def unit_reactivate(request: AnyRequest, unit_id: FromPath[int]) -> Response[Any]:
    return await _unit_state(request, unit_id, True)


# --- personer ------------------------------------------------------------------------------


@get("/admin/personer", name="admin:people")
async def people(
    request: AnyRequest,
    sok: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    side: FromQuery[int | None] = None,
) -> Template:
    user = current_user(request)
    search, state = (sok or "").strip(), _status(status)
    result = await people_services.list_people(user, search=search, status=state, page=side)
    return await page(
        request,
        "admin/personer.html",
        result=result,
        sok=search,
        status=state,
        query=_query(sok=search, status=state),
        role_labels={r: _(roles.ROLE_LABELS[r]) for r in roles.APP_ROLES},
    )


async def _person_form_page(
    request: AnyRequest,
    *,
    person_id: int | None,
    form: PersonForm | None = None,
    errors: dict[str, str] | None = None,
    alert: str = "",
    access: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    user = current_user(request)
    person = await people_services.get_person(user, person_id) if person_id is not None else None
    if person is not None and access is None and may_manage_access(user):
        access = await _access_context(person["id"])
    if form is None:
        form = (
            PersonForm(
                name=person["name"],
                initials=person["initials"],
                email=person["email"],
                unit=str(person["unit"] or ""),
                active=person["active"],
                roles=frozenset(person["roles"]),
            )
            if person
            else PersonForm()
        )
    return await page(
        request,
        "admin/person.html",
        status_code=status_code,
        person=person,
        form=form,
        errors=errors or {},
        units=await unit_services.unit_choices(user, include=person["unit"] if person else None),
        role_options=[(r, _(roles.ROLE_LABELS[r])) for r in roles.APP_ROLES],
        roles_from_entra=runtime(request).settings.auth_mode == "oidc",
        alert=alert,
        access=access,
    )


@get("/admin/personer/ny", name="admin:person_new")
async def person_new(request: AnyRequest) -> Template:
    return await _person_form_page(request, person_id=None)


@post("/admin/personer/ny", name="admin:person_create")
async def person_create(request: AnyRequest, data: URLEncodedBody[dict[str, str]]) -> Response[Any]:
    form = PersonForm.from_data(data)
    try:
        person_id = await people_services.create_person(current_user(request), form)
    except ValidationFailed as exc:
        return await _person_form_page(request, person_id=None, form=form, errors=exc.errors, status_code=422)
    flash(request, _("%(name)s er registrert.") % {"name": form.name})
    return _done(request, f"/admin/personer/{person_id}")


@get("/admin/personer/{person_id:int}", name="admin:person")
async def person_edit(request: AnyRequest, person_id: FromPath[int]) -> Template:
    return await _person_form_page(request, person_id=person_id)


@post("/admin/personer/{person_id:int}", name="admin:person_update")
async def person_update(
    request: AnyRequest, person_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    form = PersonForm.from_data(data)
    try:
        changed = await people_services.update_person(current_user(request), person_id, form)
    except ValidationFailed as exc:
        return await _person_form_page(
            request, person_id=person_id, form=form, errors=exc.errors, status_code=422
        )
    if changed and not form.active:
        await end_person_sessions(request.app.stores.get("sessions"), person_id)
    flash(
        request,
        _("Endringene er lagret.") if changed else _("Ingen endringer å lagre."),
        "success" if changed else "info",
    )
    return _done(request, f"/admin/personer/{person_id}")


async def _person_state(request: AnyRequest, person_id: int, active: bool) -> Response[Any]:
    try:
        await people_services.set_person_active(current_user(request), person_id, active)
    except Conflict as exc:
        return await _person_form_page(request, person_id=person_id, alert=exc.detail, status_code=409)
    if not active:  # the person's sessions end at once, in whichever store holds them
        await end_person_sessions(request.app.stores.get("sessions"), person_id)
    flash(request, _("Personen er aktivert igjen.") if active else _("Personen er deaktivert."))
    return _done(request, f"/admin/personer/{person_id}")


@post("/admin/personer/{person_id:int}/deaktiver", name="admin:person_deactivate")
async def person_deactivate(request: AnyRequest, person_id: FromPath[int]) -> Response[Any]:
    return await _person_state(request, person_id, False)


@post("/admin/personer/{person_id:int}/aktiver", name="admin:person_reactivate")
async def person_reactivate(request: AnyRequest, person_id: FromPath[int]) -> Response[Any]:
    return await _person_state(request, person_id, True)


# --- tilgangskoder (skjerming) on the person page -------------------------------------------

ACCESS_FIELD = "tilgangsrestriksjon"


def may_manage_access(user: User) -> bool:
    """Whether to show the tilgangskoder section; mirrors
    :func:`core.archive.permissions.access_admin` (the services decide)."""
    return user.is_archive or user.is_admin


def _code_label(kode: str) -> str:
    return f"{kode} {kodelister.name(kodelister.TILGANGSRESTRIKSJON, kode)}"


async def _access_context(
    person_id: int,
    *,
    selected: str = "",
    errors: dict[str, str] | None = None,
    alert: str = "",
    message: str = "",
    focus: str = "",
) -> dict[str, Any]:
    """What ``admin/_tilgang.html`` shows: the codes held (in the standard's order; a code no
    longer in the list last), the codes still to give, the form state and, after an htmx swap,
    the message and where focus goes (``heading`` or ``field``)."""
    held = await archive_access.access_codes(person_id)
    codes = kodelister.codes(kodelister.TILGANGSRESTRIKSJON)
    return {
        "held": [{"code": c, "name": n} for c, n in codes.items() if c in held]
        + [{"code": c, "name": ""} for c in sorted(held - codes.keys())],
        "available": [{"code": c, "name": n} for c, n in codes.items() if c not in held],
        "selected": selected,
        "errors": errors or {},
        "alert": alert,
        "message": message,
        "focus": focus,
    }


async def _access_answer(
    request: AnyRequest, person_id: int, *, status_code: int = 200, **state: Any
) -> Template:
    """The section alone for htmx, else the whole person page (after an error)."""
    if is_fragment_request(request):
        person = await people_services.get_person(current_user(request), person_id)
        access = await _access_context(person_id, **state)
        return fragment("admin/_tilgang.html", status_code=status_code, person=person, access=access)
    state.pop("focus", None)
    return await _person_form_page(
        request,
        person_id=person_id,
        access=await _access_context(person_id, **state),
        status_code=status_code,
    )


async def _access_done(request: AnyRequest, person_id: int, message: str) -> Response[Any]:
    if is_fragment_request(request):
        return await _access_answer(request, person_id, message=message, focus="heading")
    flash(request, message)
    return Redirect(f"/admin/personer/{person_id}#tilgang", status_code=303)


async def _person_name(request: AnyRequest, person_id: int) -> str:
    name: str = (await people_services.get_person(current_user(request), person_id))["name"]
    return name


@post("/admin/personer/{person_id:int}/tilgang", name="admin:person_access_grant")
async def person_access_grant(
    request: AnyRequest, person_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    kode = (data.get(ACCESS_FIELD) or "").strip()
    settings = runtime(request).settings
    try:
        granted = await archive_services.grant_access(settings, current_user(request), person_id, kode)
    except ValidationFailed as exc:
        errors = {ACCESS_FIELD: " ".join(exc.errors.values())}
        return await _access_answer(
            request, person_id, selected=kode, errors=errors, focus="field", status_code=422
        )
    values = {"name": await _person_name(request, person_id), "code": _code_label(kode)}
    if not granted:
        errors = {ACCESS_FIELD: _("%(name)s har allerede tilgangskode %(code)s.") % values}
        return await _access_answer(request, person_id, errors=errors, focus="field", status_code=422)
    return await _access_done(request, person_id, _("%(name)s har fått tilgangskode %(code)s.") % values)


@post("/admin/personer/{person_id:int}/tilgang/fjern", name="admin:person_access_revoke")
async def person_access_revoke(
    request: AnyRequest, person_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    kode = (data.get(ACCESS_FIELD) or "").strip()
    settings = runtime(request).settings
    try:
        revoked = await archive_services.revoke_access(settings, current_user(request), person_id, kode)
    except ValidationFailed as exc:
        alert = " ".join(exc.errors.values())
        return await _access_answer(request, person_id, alert=alert, focus="heading", status_code=422)
    values = {"name": await _person_name(request, person_id), "code": _code_label(kode)}
    if not revoked:
        alert = _("%(name)s har ikke tilgangskode %(code)s. Listen er oppdatert.") % values
        return await _access_answer(request, person_id, alert=alert, focus="heading", status_code=409)
    return await _access_done(
        request, person_id, _("Tilgangskode %(code)s er fjernet fra %(name)s.") % values
    )


# --- stedfortredere ------------------------------------------------------------------------


@get("/admin/stedfortredere", name="admin:deputies")
async def deputies(
    request: AnyRequest, enhet: FromQuery[int | None] = None, side: FromQuery[int | None] = None
) -> Template:
    user = current_user(request)
    result = await deputy_services.list_deputy_periods(user, unit=enhet, page=side)
    return await page(
        request,
        "admin/stedfortredere.html",
        result=result,
        units=await unit_services.unit_choices(user, include=enhet),
        enhet=enhet,
        query=_query(enhet=enhet),
    )


async def _deputy_form_page(
    request: AnyRequest,
    form: DeputyForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    user = current_user(request)
    return await page(
        request,
        "admin/stedfortreder_ny.html",
        status_code=status_code,
        form=form or DeputyForm(starts=show_date(today())),
        errors=errors or {},
        units=await unit_services.unit_choices_with_leaders(user),
        people=await people_services.people_choices(),
    )


@get("/admin/stedfortredere/ny", name="admin:deputy_new")
async def deputy_new(request: AnyRequest, enhet: FromQuery[int | None] = None) -> Template:
    return await _deputy_form_page(request, DeputyForm(unit=str(enhet or ""), starts=show_date(today())))


@post("/admin/stedfortredere/ny", name="admin:deputy_create")
async def deputy_create(request: AnyRequest, data: URLEncodedBody[dict[str, str]]) -> Response[Any]:
    form = DeputyForm.from_data(data)
    try:
        await deputy_services.register_deputy(current_user(request), form)
    except ValidationFailed as exc:
        return await _deputy_form_page(request, form, exc.errors, status_code=422)
    flash(request, _("Stedfortrederen er registrert."))
    return _done(request, "/admin/stedfortredere")


@post("/admin/stedfortredere/{period_id:int}/slett", name="admin:deputy_delete")
async def deputy_delete(request: AnyRequest, period_id: FromPath[int]) -> Response[Any]:
    await deputy_services.delete_deputy_period(current_user(request), period_id)
    flash(request, _("Stedfortrederperioden er slettet."))
    return _done(request, "/admin/stedfortredere")


# --- fravær (leaders) ----------------------------------------------------------------------


async def _absence_page(
    request: AnyRequest,
    *,
    form: DeputyForm | None = None,
    errors: dict[str, str] | None = None,
    side: int | None = None,
    alert: str = "",
    status_code: int = 200,
) -> Template:
    user = current_user(request)
    led = await absence_services.led_units(user)
    if form is None:
        form = DeputyForm(unit=str(led[0]["id"]) if len(led) == 1 else "", starts=show_date(today()))
    return await page(
        request,
        "admin/fravaer.html",
        status_code=status_code,
        units=led,
        form=form,
        errors=errors or {},
        people=await absence_services.deputy_choices(user),
        result=await absence_services.list_own_absences(user, page=side),
        alert=alert,
    )


@get("/fravaer", name="core:absence")
async def absence(request: AnyRequest, side: FromQuery[int | None] = None) -> Template:
    return await _absence_page(request, side=side)


@post("/fravaer", name="core:absence_register")
async def absence_register(request: AnyRequest, data: URLEncodedBody[dict[str, str]]) -> Response[Any]:
    form = DeputyForm.from_data(data)
    try:
        await absence_services.register_absence(current_user(request), form)
    except ValidationFailed as exc:
        return await _absence_page(request, form=form, errors=exc.errors, status_code=422)
    flash(request, _("Fraværet og stedfortrederen er registrert."))
    return _done(request, "/fravaer")


@post("/fravaer/{period_id:int}/avlys", name="core:absence_cancel")
async def absence_cancel(request: AnyRequest, period_id: FromPath[int]) -> Response[Any]:
    try:
        await absence_services.cancel_absence(current_user(request), period_id)
    except Conflict as exc:
        return await _absence_page(request, alert=exc.detail, status_code=409)
    flash(request, _("Fraværsperioden er avlyst."))
    return _done(request, "/fravaer")


# --- hendelseslogg -------------------------------------------------------------------------


def _audit_filter(**values: str | None) -> auditlog.AuditFilter:
    return auditlog.AuditFilter.from_query(values)


@get("/admin/hendelseslogg", name="admin:audit_log")
async def audit_log(
    request: AnyRequest,
    fra: FromQuery[str | None] = None,
    til: FromQuery[str | None] = None,
    utfort_av: FromQuery[str | None] = None,
    handling: FromQuery[str | None] = None,
    objekttype: FromQuery[str | None] = None,
    objekt: FromQuery[str | None] = None,
    tekst: FromQuery[str | None] = None,
    side: FromQuery[int | None] = None,
) -> Template:
    user = current_user(request)
    filters = _audit_filter(
        fra=fra,
        til=til,
        utfort_av=utfort_av,
        handling=handling,
        objekttype=objekttype,
        objekt=objekt,
        tekst=tekst,
    )
    choices = await auditlog.filter_choices(user, labels=runtime(request).audit_labels)
    try:
        result = await auditlog.list_events(user, filters, page=side, labels=runtime(request).audit_labels)
    except ValidationFailed as exc:
        return await page(
            request,
            "admin/hendelseslogg.html",
            status_code=422,
            filters=filters,
            errors=exc.errors,
            result=None,
            query="",
            people=choices["people"],
            actions=choices["actions"],
            object_types=choices["object_types"],
        )
    return await page(
        request,
        "admin/hendelseslogg.html",
        filters=filters,
        errors={},
        result=result,
        query=filters.query_string(),
        people=choices["people"],
        actions=choices["actions"],
        object_types=choices["object_types"],
    )


EXPORT_FORMATS = ("csv", "xlsx")


@get(
    ["/admin/hendelseslogg/eksport", "/admin/hendelseslogg/eksport.csv"],
    name="admin:audit_export",
)
async def audit_export(
    request: AnyRequest,
    format: FromQuery[str | None] = None,
    fra: FromQuery[str | None] = None,
    til: FromQuery[str | None] = None,
    utfort_av: FromQuery[str | None] = None,
    handling: FromQuery[str | None] = None,
    objekttype: FromQuery[str | None] = None,
    objekt: FromQuery[str | None] = None,
    tekst: FromQuery[str | None] = None,
) -> Response[Any]:
    """The filtered hendelseslogg as a file: ``?format=csv`` (the default) or ``xlsx``.
    ``/admin/hendelseslogg/eksport.csv`` (the older address) gives CSV only."""
    filters = _audit_filter(
        fra=fra,
        til=til,
        utfort_av=utfort_av,
        handling=handling,
        objekttype=objekttype,
        objekt=objekt,
        tekst=tekst,
    )
    try:
        table = auditlog.export_table(current_user(request), filters, labels=runtime(request).audit_labels)
    except ValidationFailed:
        query = filters.query_string()
        return Redirect("/admin/hendelseslogg" + (f"?{query}" if query else ""), status_code=303)
    kind = format or "csv"
    if kind not in EXPORT_FORMATS or (request.url.path.endswith(".csv") and kind != "csv"):
        raise NotFound(_("Hendelsesloggen kan lastes ned som CSV eller Excel (csv, xlsx)."))
    filename = f"hendelseslogg-{today():%Y%m%d}.{kind}"
    if kind == "xlsx":
        title = f"{_('Hendelseslogg')} {today():%d.%m.%Y}"
        return await downloads.xlsx_stream_response(filename, title, table.header, table.rows, seconds=True)
    return downloads.csv_stream_response(filename, table.header, table.rows, seconds=True)


ROUTES = [
    units,
    unit_new,
    unit_create,
    unit_edit,
    unit_update,
    unit_leader,
    unit_deactivate,
    unit_reactivate,
    people,
    person_new,
    person_create,
    person_edit,
    person_update,
    person_deactivate,
    person_reactivate,
    person_access_grant,
    person_access_revoke,
    deputies,
    deputy_new,
    deputy_create,
    deputy_delete,
    absence,
    absence_register,
    absence_cancel,
    audit_log,
    audit_export,
]
