"""The restanse plugin's hook implementations (the only module core registers).

The plugin has three areas: the handler's and leader's pages (*Egne restanser*, *Restanser i
egen enhet*, the guide), the archive service's monthly report (*Restanseoppfølging*, trends,
exports, CLI) and the monthly mails. See README.md.
"""

from __future__ import annotations

from typing import Any

import click
from litestar.types import ControllerRouterHandler

from core.auth.user import User
from core.contributions import DashboardCard, Job, MenuLink, Permission
from core.hookspecs import hookimpl
from core.i18n import N_, _
from plugins.restanse import (
    cli as restanse_cli,
)
from plugins.restanse import (
    config,
    mail_job,
    reminders,
    routes,
    routes_mail,
    routes_oppfolging,
    snapshots,
)


@hookimpl
def register_routes() -> list[ControllerRouterHandler]:
    config.validate()  # a bad ARKIV_RESTANSE_TERSKEL stops the app at start
    return [routes.router, routes_oppfolging.router, routes_mail.router]


@hookimpl
async def menu_links(user: User, request: Any) -> list[MenuLink]:
    # The badge: the user's own restanser today (one indexed count).
    count = await routes.menu_count(user.person_id)
    return [MenuLink(_("Restanser"), "/restanse", order=20, count=count, count_label=_("restanser"))]


@hookimpl
def dashboard_cards(user: User, request: Any) -> list[DashboardCard]:
    # Own restanser, how many are forfalt and past § 11 a.
    return [DashboardCard("restanse", _("Restanser"), "/restanse/kort", order=20)]


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(
            "restanse.egne",
            N_("Se og avskrive egne restanser, og registrere foreløpig svar (alle saksbehandlere)"),
        ),
        Permission(
            "restanse.enhet",
            N_(
                "Se Restanser i egen enhet per saksbehandler (leder, stedfortreder i lederens fravær, "
                "Fellestjenesten/Arkiv)"
            ),
        ),
        Permission(
            "restanse.oppfolging",
            N_("Se Restanseoppfølging, trender og eksport for alle enheter (Fellestjenesten/Arkiv)"),
        ),
        Permission(
            "restanse.send_mails",
            N_("Forberede, se over og sende de månedlige restanse-e-postene (Fellestjenesten/Arkiv)"),
        ),
    ]


@hookimpl
def register_jobs() -> list[Job]:
    return [
        Job(
            snapshots.SNAPSHOT_JOB,
            snapshots.SNAPSHOT_SCHEDULE,
            snapshots.snapshot_job,
            N_("Lagrer restansetallene per enhet og saksbehandler ved utgangen av forrige måned"),
        ),
        Job(
            reminders.WEEKLY_JOB,
            reminders.WEEKLY_SCHEDULE,
            reminders.weekly_leader_reminder,
            N_("Minner lederen (eller stedfortrederen) hver mandag om enhetens restanser"),
        ),
        Job(
            mail_job.DRAFT_JOB,
            mail_job.DRAFT_SCHEDULE,
            mail_job.monthly_mail_draft,
            N_(
                "Lager utkastet til de månedlige restanse-e-postene og varsler Arkiv første hverdag i måneden"
            ),
        ),
    ]


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(restanse_cli.restanse)
