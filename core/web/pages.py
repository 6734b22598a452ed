"""Render helpers: full pages get the navigation; htmx requests get fragments."""

from __future__ import annotations

from typing import Any

from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Template

from core.auth.user import User
from core.contributions import AnyRequest as AnyRequest
from core.contributions import MenuLink
from core.plugins import collect
from core.runtime import Runtime, runtime_of


def runtime(request: AnyRequest) -> Runtime:
    return runtime_of(request.app)


def current_user(request: AnyRequest) -> User:
    """The signed-in user (the login guard guarantees one on non-public routes)."""
    user: User = request.scope["user"]
    return user


async def menu(request: AnyRequest) -> dict[str, list[MenuLink]]:
    """Navigation links from every plugin's ``menu_links`` hook, by section and order."""
    user = request.scope.get("user")
    if user is None:
        return {"main": [], "admin": []}
    links: list[MenuLink] = await collect(runtime(request).pm.hook.menu_links(user=user, request=request))
    links.sort(key=lambda link: (link.order, link.label))
    return {
        "main": [link for link in links if link.section == "main"],
        "admin": [link for link in links if link.section == "admin"],
    }


def is_fragment_request(request: AnyRequest) -> bool:
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


async def page(request: AnyRequest, template: str, status_code: int = 200, **context: Any) -> Template:
    """A full page extending ``base.html``, with navigation."""
    return Template(
        template_name=template,
        context={"nav": await menu(request), "user": request.scope.get("user"), **context},
        status_code=status_code,
    )


def fragment(template: str, status_code: int = 200, **context: Any) -> Template:
    """An htmx fragment (a template starting with ``_``)."""
    return HTMXTemplate(template_name=template, context=context, status_code=status_code)


async def page_or_fragment(
    request: AnyRequest,
    page_template: str,
    fragment_template: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """One handler, one context: the fragment for htmx, the whole page otherwise (both with
    ``status_code``, e.g. 422 for a form with errors)."""
    if is_fragment_request(request):
        return fragment(fragment_template, status_code=status_code, **context)
    return await page(request, page_template, status_code=status_code, **context)
