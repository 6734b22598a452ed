"""The application factory: ``create_app(settings, plugins)`` builds one Litestar app.

Everything plugin-related is derived from the plugin list: routes, templates, static files,
Piccolo tables, jobs, menu links and cards. One PluginManager per app instance.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.plugins.htmx import HTMXConfig, HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from core.auth.routes import ROUTES as AUTH_ROUTES
from core.db import bind_tables, close_engine, prepare_engine
from core.plugins import LoadedPlugin, collect_sync
from core.runtime import Runtime, build_runtime
from core.sessions import session_config, session_store
from core.settings import Settings, load_settings
from core.web.accessibility import ROUTES as ACCESSIBILITY_ROUTES
from core.web.admin_org import ROUTES as ADMIN_ORG_ROUTES
from core.web.admin_system import ROUTES as ADMIN_SYSTEM_ROUTES
from core.web.archive import ROUTES as ARCHIVE_ROUTES
from core.web.core_routes import ROUTES as CORE_ROUTES
from core.web.errors import http_exception_handler, internal_error_handler
from core.web.middleware import (
    add_worker_pid,
    bounded_input_middleware,
    request_memo_middleware,
    security_headers,
    user_middleware,
)
from core.web.tasks import ROUTES as TASK_ROUTES

log = logging.getLogger(__name__)
CORE_STATIC = Path(__file__).parent / "static"


async def require_login(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """App-wide guard: every route needs a signed-in user unless marked ``opt={"public": True}``.

    Guards are ``async`` although they await nothing: Litestar runs a plain function guard in
    its thread pool, a thread hop on every request (tests/core/test_web.py checks them all)."""
    if handler.opt.get("public"):
        return
    if connection.scope.get("user") is None:
        raise NotAuthorizedException()


def static_routers(runtime: Runtime) -> list[Router]:
    routers = [
        create_static_files_router(
            path="/static/core",
            directories=[CORE_STATIC],
            name="static",
            opt={"public": True},
            cache_control=None,
        )
    ]
    for name, directory in runtime.static_dirs():
        routers.append(
            create_static_files_router(
                path=f"/static/{name}",
                directories=[directory],
                name=f"{name}-static",
                opt={"public": True},
            )
        )
    return routers


def create_app(settings: Settings | None = None, plugins: list[LoadedPlugin] | None = None) -> Litestar:
    """Build the app for ``settings`` (default: from the environment) and ``plugins``
    (default: the configured plugin list)."""
    settings = settings or load_settings()
    runtime = build_runtime(settings, plugins)
    engine = bind_tables(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await prepare_engine(engine, settings.db_pool_size)
        try:
            yield
        finally:
            await close_engine(engine)

    plugin_routes = collect_sync(runtime.pm.hook.register_routes())
    template_config = TemplateConfig(instance=JinjaTemplateEngine.from_environment(runtime.templates))
    return Litestar(
        route_handlers=[
            *CORE_ROUTES,
            *AUTH_ROUTES,
            *ACCESSIBILITY_ROUTES,
            *ADMIN_SYSTEM_ROUTES,
            *ADMIN_ORG_ROUTES,
            *ARCHIVE_ROUTES,
            *TASK_ROUTES,
            *static_routers(runtime),
            *plugin_routes,
        ],
        plugins=[HTMXPlugin(HTMXConfig(set_request_class_globally=True))],
        template_config=template_config,
        before_send=[security_headers(settings), *([] if settings.production else [add_worker_pid])],
        middleware=[
            DefineMiddleware(request_memo_middleware),
            session_config(settings).middleware,
            DefineMiddleware(user_middleware),
            DefineMiddleware(bounded_input_middleware),
        ],
        stores={"sessions": session_store(settings)},
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="arkiv_csrf",
            header_name="x-csrftoken",
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
        ),
        guards=[require_login],
        exception_handlers={HTTPException: http_exception_handler, 500: internal_error_handler},
        lifespan=[lifespan],
        state=State({"runtime": runtime}),
        openapi_config=None,
        debug=settings.debug,
    )


def create_app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory`` (``arkivrutiner serve``)."""
    return create_app()
