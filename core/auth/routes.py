"""Sign-in pages: ``/logg-inn``, the OIDC callback, dev login and ``/logg-ut``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from core import audit
from core.auth import oidc
from core.auth.identity import person_for_claims
from core.auth.user import may_sign_in
from core.contributions import AnyRequest
from core.i18n import _
from core.request_connection import give_back_request_connection
from core.runtime import runtime_of
from core.sessions import SESSION_COOKIE
from core.tables import Person, Unit

PUBLIC = {"public": True}


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another site after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


async def _new_session(request: AnyRequest, data: dict[str, Any]) -> None:
    """Replace the session, under a new session id (no session fixation).

    Litestar's server-side sessions keep the id from the request's cookie. The old session is
    deleted from the store, and the session cookie is dropped from the connection's parsed
    cookies (the dict the session middleware reads when it stores the response's session),
    so the middleware generates a fresh id and sets it as the cookie.
    """
    old_id = request.cookies.pop(SESSION_COOKIE, None)
    request.clear_session()
    if old_id:
        await request.app.stores.get("sessions").delete(old_id)
    request.set_session(data)


async def _sign_in(request: AnyRequest, person_id: int, method: str) -> None:
    session = request.scope.get("session")  # Empty (truthy) once cleared, so check the type
    language = session.get("language") if isinstance(session, dict) else None
    await _new_session(request, {"person_id": person_id, **({"language": language} if language else {})})
    await audit.record(
        actor_id=person_id,
        action="auth.signed_in",
        object_type="person",
        object_id=person_id,
        summary=_("Logget inn") + f" ({method})",
    )


@get("/logg-inn", name="core:login", opt=PUBLIC, sync_to_thread=True)
def login(request: AnyRequest, neste: FromQuery[str | None] = None) -> Template | Redirect:
    settings = runtime_of(request.app).settings
    if settings.auth_mode == "dev":
        return Redirect(f"/dev-logg-inn?neste={_safe_next(neste)}")
    try:
        flow = oidc.start_flow(settings)
    except oidc.SignInError as exc:
        return _failed(_(str(exc)), status_code=503)
    request.set_session({**(request.session or {}), "auth_flow": flow, "next": _safe_next(neste)})
    return Redirect(flow["auth_uri"])


def _failed(message: str, status_code: int = 403) -> Template:
    return Template(
        "auth/failed.html",
        context={"message": message, "user": None, "nav": {"main": [], "admin": []}},
        status_code=status_code,
    )


@get("/auth/callback", name="core:auth_callback", opt=PUBLIC)
async def auth_callback(request: AnyRequest) -> Template | Redirect:
    settings = runtime_of(request.app).settings
    session = dict(request.session or {})
    flow = session.pop("auth_flow", None)
    target = _safe_next(session.pop("next", None))
    # The flow is single-use, whatever happens next; only the language choice survives.
    language = session.get("language")
    if language:
        request.set_session({"language": language})
    else:
        request.clear_session()
    try:
        claims = await _complete(settings, flow, dict(request.query_params))
        person_id = await person_for_claims(settings, claims)
    except oidc.SignInError as exc:
        await audit.record(
            actor_id=None,
            action="auth.sign_in_failed",
            object_type="auth",
            object_id="-",
            summary=str(exc),
        )
        return _failed(_(str(exc)))
    await _sign_in(request, person_id, "Entra ID")
    return Redirect(target)


async def _complete(settings: Any, flow: Any, query: dict[str, str]) -> oidc.Claims:
    await give_back_request_connection()  # no connection held while Entra ID answers
    return await anyio.to_thread.run_sync(oidc.complete_flow, settings, flow, query)


@get("/dev-logg-inn", name="core:dev_login", opt=PUBLIC)
async def dev_login_page(request: AnyRequest, neste: FromQuery[str | None] = None) -> Template:
    if runtime_of(request.app).settings.auth_mode != "dev":
        raise NotFoundException()
    people = (
        await Person.select(Person.id, Person.name, Person.initials, Person.unit.code.as_alias("unit_code"))
        .where(Person.active.eq(True))
        .order_by(Person.name)
    )
    units = await Unit.count()
    return Template(
        "auth/dev_login.html",
        context={
            "people": people,
            "units": units,
            "neste": _safe_next(neste),
            "user": None,
            "nav": {"main": [], "admin": []},
        },
    )


@post("/dev-logg-inn", name="core:dev_login_post", opt=PUBLIC, status_code=303)
async def dev_login(
    request: AnyRequest,
    data: URLEncodedBody[dict[str, str]],
) -> Redirect:
    if runtime_of(request.app).settings.auth_mode != "dev":
        raise NotFoundException()
    try:
        person_id = int(data.get("person_id", ""))
    except ValueError:
        return Redirect("/dev-logg-inn", status_code=303)
    if not await Person.exists().where((Person.id == person_id) & may_sign_in()):
        return Redirect("/dev-logg-inn", status_code=303)
    await _sign_in(request, person_id, "utviklerinnlogging")
    return Redirect(_safe_next(data.get("neste")), status_code=303)


@post("/logg-ut", name="core:logout", status_code=303)
async def logout(request: AnyRequest) -> Redirect:
    user = request.scope.get("user")
    if user is not None:
        await audit.record(
            actor_id=user.person_id,
            action="auth.signed_out",
            object_type="person",
            object_id=user.person_id,
            summary=_("Logget ut"),
        )
    request.clear_session()
    settings = runtime_of(request.app).settings
    if settings.auth_mode == "oidc":
        await give_back_request_connection()  # no connection held while Entra ID answers
        end_session = await anyio.to_thread.run_sync(oidc.logout_url, settings)
        if end_session:
            back = urlencode({"post_logout_redirect_uri": f"{settings.public_base_url}/logget-ut"})
            separator = "&" if "?" in end_session else "?"
            return Redirect(f"{end_session}{separator}{back}", status_code=303)
    return Redirect("/logget-ut", status_code=303)


@get("/logget-ut", name="core:logged_out", opt=PUBLIC)
async def logged_out() -> Template:
    return Template("auth/logged_out.html", context={"user": None, "nav": {"main": [], "admin": []}})


ROUTES = [login, auth_callback, dev_login_page, dev_login, logout, logged_out]
