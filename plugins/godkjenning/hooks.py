"""The godkjenning plugin's hook implementations (the only module core registers)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from core.contributions import DashboardCard
from core.hookspecs import hookimpl
from core.i18n import _
from plugins.godkjenning import routes


@hookimpl
def register_routes() -> list[ControllerRouterHandler]:
    return list(routes.ROUTERS)


@hookimpl
def dashboard_cards() -> list[DashboardCard]:
    return [DashboardCard("godkjenning", _("Godkjenning"), "/godkjenning/kort", order=30)]
