"""Core pages: front page, language switch, health checks."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import get, post, route
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Response, Template

from core import audit
from core.contributions import DashboardCard
from core.db import pending_migrations
from core.i18n import LANGUAGE_NAMES
from core.plugins import collect
from core.tables import Person
from core.web import dashboard
from core.web.pages import AnyRequest, current_user, page, runtime


@get("/", name="core:home")
async def home(request: AnyRequest) -> Template:
    user = current_user(request)
    cards: list[DashboardCard] = await collect(
        runtime(request).pm.hook.dashboard_cards(user=user, request=request)
    )
    return await page(request, "home.html", sections=await dashboard.sections(user, cards))


@post("/sprak", name="core:language", status_code=303)
async def set_language(request: AnyRequest, data: URLEncodedBody[dict[str, str]]) -> Redirect:
    """Switch language (nb/nn); remembered on the person and in the session."""
    user = current_user(request)
    language = data.get("sprak", "")
    if language in LANGUAGE_NAMES:
        request.set_session({**request.session, "language": language})
        if user.language != language:
            await Person.update({Person.language: language}).where(Person.id == user.person_id)
            await audit.record(
                actor_id=user.person_id,
                action="person.language_changed",
                object_type="person",
                object_id=user.person_id,
                summary=f"Språk: {language}",
            )
    back = data.get("tilbake", "/")
    return Redirect(back if back.startswith("/") and not back.startswith("//") else "/", status_code=303)


@route(
    "/{rest:path}",
    http_method=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    name="core:not_found",
    opt={"public": True},
    include_in_schema=False,
)
async def not_found(rest: FromPath[str]) -> None:
    """Catch-all for addresses no route serves. Unlike Litestar's own 404 (raised before any
    middleware), it runs after the session and user middleware, so the 404 page shows in the
    user's language with the navigation."""
    raise NotFoundException()


READY_TIMEOUT_SECONDS = 5.0
"""``/readyz`` answers 503 when the database has not answered within this time."""


@get("/healthz", name="core:healthz", opt={"public": True}, include_in_schema=False)
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. Touches neither the database nor the session store (the
    session middleware skips this path), so it stays 200 while the database is away."""
    return {"status": "ok"}


@get("/readyz", name="core:readyz", opt={"public": True}, include_in_schema=False)
async def readyz(request: AnyRequest) -> Response[dict[str, Any]]:
    """Readiness: the database answers (within :data:`READY_TIMEOUT_SECONDS`) and every
    migration is applied; otherwise 503 with a short reason."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            pending = await pending_migrations(runtime(request).settings)
    except Exception as exc:
        return Response(
            {"status": "error", "database": f"utilgjengelig: {type(exc).__name__}"}, status_code=503
        )
    if pending:
        return Response({"status": "error", "pending_migrations": pending}, status_code=503)
    return Response({"status": "ok"}, status_code=200)


ROUTES = [not_found, home, set_language, healthz, readyz]
