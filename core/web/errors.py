"""Error pages (401 → sign-in, 403, 404, 405, 500) as full pages and as htmx fragments.

For htmx requests the error is retargeted to the page's message area (``#meldinger``), so a
failed click shows a clear Norwegian message instead of silently doing nothing.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

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


def internal_error_handler(request: PlainRequest, exc: Exception) -> Response[Any]:
    error_id = uuid.uuid4().hex[:8]
    log.exception("Uventet feil %s ved %s %s", error_id, request.method, request.url.path, exc_info=exc)
    return error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, error_id=error_id)
