"""The godkjenning plugin's hook implementations (the only module core registers)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from core.contributions import DashboardCard, MenuLink
from core.hookspecs import hookimpl
from core.i18n import _
from plugins.godkjenning import routes


@hookimpl
def register_routes() -> list[ControllerRouterHandler]:
    return list(routes.ROUTERS)


@hookimpl
def menu_links() -> list[MenuLink]:
    return [MenuLink(_("Mottatte oppgaver"), "/godkjenning", order=30)]


@hookimpl
def dashboard_cards() -> list[DashboardCard]:
    return [DashboardCard("godkjenning", _("Mottatte oppgaver"), "/godkjenning/kort", order=30)]
