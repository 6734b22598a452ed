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
    from plugins.restanse import config as restanse_config
    from plugins.restanse import routes_oppfolging

    restanse_config.validate()  # a bad ARKIV_RESTANSE_TERSKEL stops the app at start
    handlers.append(routes_oppfolging.router)
    # area: mails
    from plugins.restanse import routes_mail

    handlers.append(routes_mail.router)
    return handlers


@hookimpl
async def menu_links(user: User, request: Any) -> list[MenuLink]:
    # area: handler and leader (the badge: the user's own restanser today)
    count = await routes.menu_count(user.person_id)
    return [MenuLink(_("Restanser"), "/restanse", order=20, count=count, count_label=_("restanser"))]


@hookimpl
def dashboard_cards(user: User, request: Any) -> list[DashboardCard]:
    # area: handler and leader (own restanser, forfalt, § 11 a)
    return [DashboardCard("restanse", _("Restanser"), "/restanse/kort", order=20)]


@hookimpl
def register_permissions() -> list[Permission]:
    permissions: list[Permission] = []
    # area: handler and leader
    from core.i18n import N_

    permissions += [
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
    ]
    # area: monthly report (oppfølging)
    from core.i18n import N_

    permissions.append(
        Permission(
            "restanse.oppfolging",
            N_("Se Restanseoppfølging, trender og eksport for alle enheter (Fellestjenesten/Arkiv)"),
        )
    )
    # area: mails
    from core.i18n import N_

    permissions.append(
        Permission(
            "restanse.send_mails",
            N_("Forberede, se over og sende de månedlige restanse-e-postene (Fellestjenesten/Arkiv)"),
        )
    )
    return permissions


@hookimpl
def register_jobs() -> list[Job]:
    jobs: list[Job] = []
    # area: monthly report (snapshot)
    from core.i18n import N_
    from plugins.restanse import snapshots

    jobs.append(
        Job(
            snapshots.SNAPSHOT_JOB,
            snapshots.SNAPSHOT_SCHEDULE,
            snapshots.snapshot_job,
            N_("Lagrer restansetallene per enhet og saksbehandler ved utgangen av forrige måned"),
        )
    )
    # area: handler and leader (weekly reminder)
    from core.i18n import N_
    from plugins.restanse import reminders

    jobs.append(
        Job(
            reminders.WEEKLY_JOB,
            reminders.WEEKLY_SCHEDULE,
            reminders.weekly_leader_reminder,
            N_("Minner lederen (eller stedfortrederen) hver mandag om enhetens restanser"),
        )
    )
    # area: mails (monthly draft)
    from core.i18n import N_
    from plugins.restanse import mail_job

    jobs.append(
        Job(
            mail_job.DRAFT_JOB,
            mail_job.DRAFT_SCHEDULE,
            mail_job.monthly_mail_draft,
            N_(
                "Lager utkastet til de månedlige restanse-e-postene og varsler Arkiv første hverdag i måneden"
            ),
        )
    )
    return jobs


@hookimpl
def register_commands(cli: click.Group) -> None:
    # area: monthly report (CLI `arkivrutiner restanse rapport`)
    from plugins.restanse import cli as restanse_cli

    cli.add_command(restanse_cli.restanse)
    del cli
