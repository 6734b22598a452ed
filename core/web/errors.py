"""Error pages (401 → sign-in, 403, 404, 405, 500, 503) as full pages and as htmx fragments.

For htmx requests the error is retargeted to the page's message area (``#meldinger``), so a
failed click shows a clear Norwegian message instead of silently doing nothing. When the
database (or the Redis session store) cannot be reached, the answer is 503 with a page that
says so, not 500: the fault is not in the request and goes away when the database is back.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE

from core.errors import UserFacingError
from core.i18n import _

log = logging.getLogger(__name__)

PlainRequest = Request[Any, Any, Any]
"""Exception handlers get the plain request (also for requests htmx did not make)."""


def _messages(status: int) -> tuple[str, str]:
    """Title and explanation for a status code, in the current language."""
    if status == 403:
        return _("Ingen tilgang"), _(
            "Du har ikke tilgang til denne siden eller handlingen. Spør lederen din eller "
            "Fellestjenesten om du mener du skal ha tilgang."
        )
    if status == 404:
        return _("Fant ikke siden"), _("Siden eller saken du ba om finnes ikke, eller den er flyttet.")
    if status == 405:
        return _("Handlingen er ikke tillatt"), _("Denne adressen kan ikke brukes slik.")
    if status in (400, 422):
        return _("Ugyldig forespørsel"), _("Noe i forespørselen var ugyldig. Prøv igjen.")
    if status == 409:
        return _("Konflikt"), _("Noen andre endret dette samtidig. Last siden på nytt.")
    if status == 503:
        return _("Midlertidig utilgjengelig"), _(
            "Arkivrutiner får ikke kontakt med databasen akkurat nå. Prøv igjen om litt."
        )
    return _("Noe gikk galt"), _(
        "En feil oppstod hos oss. Prøv igjen om litt. Oppgi feilkoden under hvis du kontakter brukerstøtte."
    )


def _is_htmx(request: PlainRequest) -> bool:
    return request.headers.get("hx-request") == "true"


def error_response(
    request: PlainRequest, status: int, detail: str | None = None, error_id: str = ""
) -> Response[Any]:
    title, text = _messages(status)
    context = {
        "status": status,
        "title": title,
        "text": text,
        "detail": detail or "",
        "error_id": error_id,
        "user": request.scope.get("user"),
        "nav": {"main": [], "admin": []},
    }
    if _is_htmx(request):
        return Template(
            "errors/_error.html",
            context=context,
            status_code=status,
            headers={"HX-Retarget": "#meldinger", "HX-Reswap": "innerHTML"},
        )
    return Template("errors/error.html", context=context, status_code=status)


def http_exception_handler(request: PlainRequest, exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotAuthorizedException) and request.scope.get("user") is None:
        target = "/logg-inn?neste=" + quote(request.url.path, safe="/")
        if _is_htmx(request):
            return Response(content=b"", status_code=200, headers={"HX-Redirect": target})
        return Redirect(target)
    status = exc.status_code
    if status == 401:
        status = 403
    detail = exc.detail if isinstance(exc, UserFacingError) else None
    return error_response(request, status, detail)


RETRY_AFTER_SECONDS = 30
"""``Retry-After`` on a 503 while the database is unreachable."""


_UNAVAILABLE = {
    # Found by name (module prefix, class name anywhere in the class's MRO): the drivers are
    # optional or untyped, and the check must not import them.
    ("asyncpg", "PostgresConnectionError"),  # refused, dropped, connection does not exist
    ("asyncpg", "OperatorInterventionError"),  # the server is shutting down or starting
    ("asyncpg", "TooManyConnectionsError"),
    ("redis", "ConnectionError"),
    ("redis", "TimeoutError"),
}


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or an exception it was raised from) says the database or the session
    store cannot be reached: refused or dropped connections, a server shutting down, timeouts."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError | TimeoutError):
            return True
        for kind in type(current).__mro__:
            package = kind.__module__.partition(".")[0]
            if (package, kind.__name__) in _UNAVAILABLE:
                return True
            if (package, kind.__name__) == ("asyncpg", "InterfaceError") and "closed" in str(current):
                return True
        current = current.__cause__ or current.__context__
    return False


def internal_error_handler(request: PlainRequest, exc: Exception) -> Response[Any]:
    if database_unavailable(exc):
        log.warning("Databasen er utilgjengelig ved %s %s: %r", request.method, request.url.path, exc)
        response = error_response(request, HTTP_503_SERVICE_UNAVAILABLE)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    error_id = uuid.uuid4().hex[:8]
    log.exception("Uventet feil %s ved %s %s", error_id, request.method, request.url.path, exc_info=exc)
    return error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, error_id=error_id)
