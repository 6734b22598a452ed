"""The godkjenning plugin's hook implementations (the only module core registers)."""

from __future__ import annotations

from typing import Any

from litestar.types import ControllerRouterHandler

from core.auth.user import User
from core.contributions import DashboardCard, MenuLink
from core.hookspecs import hookimpl
from core.i18n import _
from plugins.godkjenning import routes


@hookimpl
def register_routes() -> list[ControllerRouterHandler]:
    return [routes.router]


@hookimpl
def menu_links(user: User, request: Any) -> list[MenuLink]:
    return [MenuLink(_("Mottatte oppgaver"), "/godkjenning", order=30)]


@hookimpl
def dashboard_cards(user: User, request: Any) -> list[DashboardCard]:
    return [DashboardCard("godkjenning", _("Mottatte oppgaver"), "/godkjenning/kort", order=30)]
