"""*Sendte oppgaver*: the tasks the user sent, newest first, each with where it is now.

``GET /oppgaver/sendte`` (``?side=``); htmx gets the table region (``_sendte.html``).
"""

from __future__ import annotations

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from core.tasks import queries
from core.web.pages import AnyRequest, current_user, page_or_fragment
from core.web.tasks.common import template_context


@get("/oppgaver/sendte", name="oppgaver:sent")
async def sent(request: AnyRequest, side: FromQuery[int | None] = None) -> Template:
    result = await queries.sent(current_user(request), side)
    return await page_or_fragment(
        request, "oppgaver/sendte.html", "oppgaver/_sendte.html", result=result, **template_context(request)
    )


ROUTES = [sent]
