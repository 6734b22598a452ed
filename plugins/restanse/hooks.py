"""The restanse plugin's hook implementations (the only module core registers).

Each hook collects the contributions of the plugin's three areas: the handler's and leader's
pages (*Egne restanser*, *Restanser i egen enhet*), the archive service's monthly report
(*Restanseoppfølging*, trends, exports, CLI) and the monthly mails.
"""

from __future__ import annotations

from typing import Any

import click
from litestar.types import ControllerRouterHandler

from core.auth.user import User
from core.contributions import DashboardCard, Job, MenuLink, Permission
from core.hookspecs import hookimpl
from core.i18n import _
from plugins.restanse import routes


@hookimpl
def register_routes() -> list[ControllerRouterHandler]:
    handlers: list[ControllerRouterHandler] = [routes.router]
    # area: monthly report (oppfølging)
    # area: mails
    return handlers


@hookimpl
def menu_links(user: User, request: Any) -> list[MenuLink]:
    return [MenuLink(_("Restanser"), "/restanse", order=20)]


@hookimpl
def dashboard_cards(user: User, request: Any) -> list[DashboardCard]:
    return [DashboardCard("restanse", _("Restanser"), "/restanse/kort", order=20)]


@hookimpl
def register_permissions() -> list[Permission]:
    permissions: list[Permission] = []
    # area: handler and leader
    # area: monthly report (oppfølging)
    # area: mails
    return permissions


@hookimpl
def register_jobs() -> list[Job]:
    jobs: list[Job] = []
    # area: handler and leader (weekly reminder)
    # area: mails (monthly draft)
    return jobs


@hookimpl
def register_commands(cli: click.Group) -> None:
    # area: monthly report (CLI `arkivrutiner restanse rapport`)
    del cli
