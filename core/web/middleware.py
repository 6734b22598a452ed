"""ASGI middleware: security and caching headers on every response, and the signed-in user per
request."""

from __future__ import annotations

import os
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.types import ASGIApp, BeforeMessageSendHookHandler, Empty, Message, Receive, Scope, Send

from core import i18n
from core.auth.user import load_user
from core.settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
NO_STORE = (b"cache-control", b"no-store")
STATIC_PREFIX = "/static/"


def security_headers(settings: Settings) -> BeforeMessageSendHookHandler:
    """App-level ``before_send`` for ``settings``:

    - a strict CSP (no inline script or style) and the other security headers on every
      response, 404s and error pages included;
    - ``Cache-Control: no-store`` on every response but static files (pages, fragments,
      exports and documents: nothing a signed-in person saw stays in a browser or proxy cache);
    - HSTS when the public base URL (``ARKIV_PUBLIC_BASE_URL``) is https.
    """
    extra = [HSTS] if settings.public_base_url.startswith("https://") else []

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers", []))
        if not scope.get("path", "").startswith(STATIC_PREFIX):
            cache = [bytes(v) for k, v in headers if bytes(k).lower() == NO_STORE[0]]
            if not any(b"no-store" in value for value in cache):
                headers = [(k, v) for k, v in headers if bytes(k).lower() != NO_STORE[0]] + [NO_STORE]
        present = {bytes(name).lower() for name, _ in headers}
        headers += [(k, v) for k, v in [*SECURITY_HEADERS, *extra] if k not in present]
        message["headers"] = headers

    return add_security_headers


async def add_worker_pid(message: Message, scope: Scope) -> None:
    """``before_send`` outside production only: ``X-Worker-Pid`` names the worker process that
    answered, so a test can prove that several workers share sessions."""
    if message["type"] == "http.response.start":
        message["headers"] = [*message.get("headers", []), (b"x-worker-pid", str(os.getpid()).encode())]


def user_middleware(app: ASGIApp) -> ASGIApp:
    """Load the signed-in person from the session into ``scope["user"]`` and set the language.

    Runs inside the session middleware. A session whose person may no longer sign in
    (deactivated, or inside a sign-in pause) ends here: it is emptied, so the session
    middleware deletes it from the store and clears the cookie.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        conn: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        session = conn.session if "session" in scope else {}
        person_id = session.get("person_id") if isinstance(session, dict) else None
        user = await load_user(int(person_id)) if person_id else None
        if person_id and user is None:
            scope["session"] = Empty
        scope["user"] = user
        default = scope["app"].state["runtime"].settings.default_language
        language = (session.get("language") if isinstance(session, dict) else None) or (
            user.language if user else None
        )
        i18n.set_language(language or default)
        await app(scope, receive, send)

    return middleware
