"""The restanse plugin's hook implementations (the only module core registers).

The plugin has three areas: the handler's and leader's pages (*Egne restanser*, *Restanser i
egen enhet*, the guide), the archive service's monthly report (*Restanseoppfølging*, trends,
exports, CLI) and the monthly mails. See README.md.
"""

from __future__ import annotations

import click
from litestar.types import ControllerRouterHandler

from core import roles
from core.auth.user import User
from core.contributions import DashboardCard, Job, MenuLink, Permission
from core.hookspecs import hookimpl
from core.i18n import N_, _
from plugins.restanse import cli as restanse_cli
from plugins.restanse import config, jobs, pages, routes


@hookimpl
def startup() -> None:
    config.validate()  # a bad ARKIV_RESTANSE_TERSKEL stops the app at start


@hookimpl
def audit_labels() -> dict[str, str]:
    return {
        "restanse.mails_prepared": N_("Restanse-e-poster forberedt"),
        "restanse.mails_sent": N_("Restanse-e-poster sendt"),
        "restanse.criteria_saved": N_("Rapportkriterier lagret"),
        "restanse.snapshot": N_("Restansetall lagret for måneden"),
    }


@hookimpl
def register_routes() -> list[ControllerRouterHandler]:
    return list(routes.ROUTERS)


@hookimpl
async def menu_links(user: User) -> list[MenuLink]:
    # The badge: the user's own restanser today (one indexed count).
    return [await pages.menu_link(user)]


@hookimpl
def dashboard_cards() -> list[DashboardCard]:
    # Own restanser (how many are forfalt and past § 11 a); the leader's units; the archive's
    # monthly mailing.
    return [
        DashboardCard("restanse", _("Restanser"), "/restanse/kort", order=20),
        DashboardCard(
            "restanse", _("Restanser i enheten"), "/restanse/enhet/kort", order=20, role=roles.LEADER
        ),
        DashboardCard(
            "restanse", _("Restanseoppfølging"), "/restanse/utsending/kort", order=20, role=roles.ARKIV
        ),
    ]


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
            jobs.SNAPSHOT_JOB,
            jobs.SNAPSHOT_SCHEDULE,
            jobs.snapshot_job,
            N_("Lagrer restansetallene per enhet og saksbehandler ved utgangen av forrige måned"),
        ),
        Job(
            jobs.WEEKLY_JOB,
            jobs.WEEKLY_SCHEDULE,
            jobs.weekly_leader_reminder,
            N_("Minner lederen (eller stedfortrederen) hver mandag om enhetens restanser"),
        ),
        Job(
            jobs.DRAFT_JOB,
            jobs.DRAFT_SCHEDULE,
            jobs.monthly_mail_draft,
            N_(
                "Lager utkastet til de månedlige restanse-e-postene og varsler Arkiv første hverdag i måneden"
            ),
        ),
    ]


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(restanse_cli.restanse)
