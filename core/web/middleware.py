"""ASGI middleware: security and caching headers on every response, the signed-in user per
request, a memo per request (:mod:`core.memo`), and bounded input (ids in range, no NUL in
text) before any handler runs."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, get_args
from urllib.parse import unquote_to_bytes

from litestar.connection import ASGIConnection, Request
from litestar.enums import ParamType, ScopeType
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import ParameterKwarg
from litestar.types import (
    ASGIApp,
    BeforeMessageSendHookHandler,
    Empty,
    Message,
    Receive,
    ReceiveMessage,
    Scope,
    Send,
)

from core import i18n
from core.auth.user import load_user
from core.errors import UserFacingError
from core.i18n import _
from core.memo import request_memo
from core.request_connection import give_back_request_connection, request_connection
from core.settings import Settings
from core.validation import has_nul, in_id_range

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
FRAMED_FILE_CSP = "default-src 'none'; frame-ancestors 'self'; sandbox"
"""The CSP of a document shown inside a page (``/arkiv/dokument/<id>/vis``: a PDF in the
fordeling panel's frame). Only a page of the app may frame it; it may load nothing and, being
sandboxed, run nothing. The pages' own CSP needs no change for the frame: ``frame-src`` falls
back to ``default-src 'self'``, and ``object-src`` stays ``'none'`` (no ``<object>``/``<embed>``).
Every other response keeps ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``."""
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


def request_memo_middleware(app: ASGIApp) -> ASGIApp:
    """A fresh :mod:`core.memo` for every HTTP request: a count that a page, its menu badge and
    its card ask for is computed once while the request is answered, and never outlives it.

    The request's statements also share one database connection
    (:func:`core.request_connection.request_connection`), given back when the response starts."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return

        async def send_without_the_connection(message: Message) -> None:
            if message["type"] == "http.response.start":
                await give_back_request_connection()
            await send(message)

        with request_memo():
            async with request_connection():
                await app(scope, receive, send_without_the_connection)

    return middleware


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


class InvalidText(UserFacingError):
    """A NUL character in the address or a form (400)."""

    def __init__(self) -> None:
        super().__init__(
            detail=_("Teksten inneholder et tegn som ikke er tillatt (NUL-tegnet). Fjern det og prøv igjen.")
        )


class InvalidNumber(UserFacingError):
    """A number in the query string outside 1 … 2³¹−1 where the page expects an id or a page (400)."""

    def __init__(self, name: str) -> None:
        super().__init__(
            detail=_("«%(name)s» i adressen må være et helt tall fra 1 til 2147483647.") % {"name": name}
        )


def _int_query_names(handler: BaseRouteHandler, path_params: dict[str, Any]) -> dict[str, str]:
    """The query parameters a handler takes as ``int`` (``FromQuery[int | None]``, or an
    ``int`` parameter Litestar infers as a query parameter): query key -> parameter name."""
    names: dict[str, str] = {}
    signature = getattr(handler, "parsed_fn_signature", None)
    dependencies = handler.resolve_dependencies() if signature else {}
    for name, field in (signature.parameters if signature else {}).items():
        kwarg = field.kwarg_definition
        if isinstance(kwarg, ParameterKwarg):
            if kwarg.param_type != ParamType.QUERY or kwarg.header or kwarg.cookie:
                continue
            key = kwarg.name or kwarg.query or name
        elif kwarg is None and name not in path_params and name not in dependencies:
            key = name
        else:
            continue
        types = get_args(field.annotation) or (field.annotation,)
        if int in types and bool not in types:
            names[key] = name
    return names


def _check_path_and_query(scope: Scope) -> None:
    if has_nul(scope["path"]) or b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
        raise InvalidText()
    for value in scope.get("path_params", {}).values():
        if isinstance(value, int) and not in_id_range(value):
            raise NotFoundException()
        if isinstance(value, str) and has_nul(value):
            raise InvalidText()
    handler = scope.get("route_handler")
    int_names = (
        _int_query_names(handler, scope["path_params"]) if isinstance(handler, BaseRouteHandler) else {}
    )
    if not int_names:
        return
    for key, values in ASGIConnection(scope).query_params.dict().items():
        if key in int_names:
            for raw in values:
                text = raw.strip().lstrip("+-")
                if text.isascii() and text.isdigit() and not in_id_range(int(raw)):
                    raise InvalidNumber(key)


class _MultipartScanner:
    """Finds a NUL in the text fields (and part headers) of a streamed multipart body, skipping
    the content of file parts, with a bounded buffer."""

    MAX_HEADERS = 16 * 1024

    def __init__(self, boundary: bytes) -> None:
        self.delimiter = b"\r\n--" + boundary
        self.buffer = b"\r\n"  # the first delimiter comes without a line break before it
        self.in_headers = False
        self.in_file = True  # the preamble is not a field
        self.done = False

    def feed(self, chunk: bytes) -> bool:
        """True when a text field or a part header holds a NUL."""
        if self.done:
            return False
        self.buffer += chunk
        while True:
            if self.in_headers:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(self.buffer) > self.MAX_HEADERS:
                        self.done = True  # not a form a browser sends; the parser will refuse it
                    return False
                headers = self.buffer[:end]
                if b"\x00" in headers:
                    return True
                self.in_file = b"filename=" in headers.lower()
                self.buffer = self.buffer[end + 4 :]
                self.in_headers = False
                continue
            index = self.buffer.find(self.delimiter)
            if index < 0:
                keep = len(self.delimiter) - 1
                content, self.buffer = self.buffer[:-keep], self.buffer[-keep:]
                return not self.in_file and b"\x00" in content
            content = self.buffer[:index]
            if not self.in_file and b"\x00" in content:
                return True
            self.buffer = self.buffer[index + len(self.delimiter) :]
            self.in_headers = True


EAGER_FORM_BYTES = 1024 * 1024
"""An urlencoded form is read and checked before the handler runs, up to this size (a larger
one is checked while the handler reads the rest), so a handler that never reads its form is
refused too. A multipart form (an upload) is checked only as the handler reads it."""


def _body_checker(scope: Scope) -> tuple[Callable[[bytes], bool], int] | None:
    """A function that tells whether the next body chunk brings a NUL into a form field, and how
    many bytes to check before the handler runs; None when the body is not a form."""
    content_type, options = Request[Any, Any, Any](scope).content_type
    if content_type == "application/x-www-form-urlencoded":
        tail = b""

        def urlencoded(chunk: bytes) -> bool:
            nonlocal tail
            data = tail + chunk
            tail = data[-2:]
            return b"\x00" in data or b"%00" in data

        return urlencoded, EAGER_FORM_BYTES
    if content_type == "multipart/form-data" and options.get("boundary"):
        return _MultipartScanner(options["boundary"].encode("latin-1")).feed, 0
    return None


def bounded_input_middleware(app: ASGIApp) -> ASGIApp:
    """Refuse out-of-range ids and NUL characters before a handler sees them.

    * an ``int`` path parameter outside 1 … 2³¹−1 (``/arkiv/sak/99999999999``): 404, since no
      record has that id;
    * an ``int`` query parameter (``?side=0``, ``?enhet=99999999999``) outside that range: 400;
    * a NUL character in the path, the query string, or a form field (urlencoded or multipart;
      the content of uploaded files is not text and may hold any byte): 400.

    An urlencoded form is checked before the handler runs (see :data:`EAGER_FORM_BYTES`); a
    multipart body is checked as it streams to the handler, never buffered here, so an upload
    with a refused field is not stored. Runs inside the user middleware, so the error page is in
    the user's language.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        _check_path_and_query(scope)
        checker = _body_checker(scope)
        if checker is None:
            await app(scope, receive, send)
            return
        check, eager = checker

        async def checked_receive() -> ReceiveMessage:
            message = await receive()
            if message["type"] == "http.request" and check(message.get("body", b"")):
                raise InvalidText()
            return message

        read: list[ReceiveMessage] = []
        size, more = 0, eager > 0
        while more and size <= eager:
            message = await checked_receive()
            read.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            more = message.get("more_body", False)

        async def replayed_receive() -> ReceiveMessage:
            return read.pop(0) if read else await checked_receive()

        await app(scope, replayed_receive, send)

    return middleware
