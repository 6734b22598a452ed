"""The godkjenning plugin's hook implementations (the only module core registers)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from core import roles
from core.contributions import ChecklistLine, DashboardCard, DemoContext, MenuLink, Permission, TaskKind
from core.hookspecs import hookimpl
from core.i18n import N_, _
from plugins.godkjenning import pages, queries, routes
from plugins.godkjenning.services import demo, kinds


@hookimpl
def register_routes() -> list[ControllerRouterHandler]:
    return list(routes.ROUTERS)


@hookimpl
def task_kinds() -> list[TaskKind]:
    return kinds.task_kinds()


@hookimpl
def menu_links() -> list[MenuLink]:
    return [pages.menu_link()]


@hookimpl
def dashboard_cards() -> list[DashboardCard]:
    # The handler's rounds; the leader's approvals waiting (core's task card for the kind).
    return [
        DashboardCard("godkjenning", _("Godkjenning"), "/godkjenning/kort", order=30),
        DashboardCard(
            "godkjenning",
            _("Til godkjenning"),
            f"/oppgaver/kort?oppgavetype={kinds.TIL_GODKJENNING}",
            order=30,
            role=roles.LEADER,
        ),
    ]


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(
            "godkjenning.send", N_("Sende egne utgående brev og notater til godkjenning (saksbehandlere)")
        ),
        Permission(
            "godkjenning.approve",
            N_(
                "Godkjenne, videresende eller returnere journalposter (godkjennerne i kjeden, og stedfortreder i fravær)"
            ),
        ),
        Permission("godkjenning.chains", N_("Vedlikeholde enhetens godkjenningskjeder (leder)")),
    ]


@hookimpl
def audit_labels() -> dict[str, str]:
    return {
        "godkjenning.sent": N_("Sendt til godkjenning"),
        "godkjenning.sent_again": N_("Sendt til godkjenning på nytt"),
        "godkjenning.forwarded": N_("Videresendt for godkjenning"),
        "godkjenning.approved": N_("Godkjent"),
        "godkjenning.not_approved": N_("Ikke godkjent"),
        "godkjenning.withdrawn": N_("Trukket tilbake fra godkjenning"),
        "godkjenning.dispatched": N_("Ekspedert etter godkjenning"),
        "godkjenning.template_saved": N_("Godkjenningskjede lagret"),
        "godkjenning.template_deleted": N_("Godkjenningskjede slettet"),
    }


@hookimpl
async def demo_data(ctx: DemoContext) -> None:
    await demo.populate(ctx)


@hookimpl
async def leaver_checklist(person_id: int) -> list[ChecklistLine]:
    as_handler, as_approver = await queries.leaver_counts(person_id)
    return [
        ChecklistLine(
            "godkjenning.rounds",
            _("Godkjenningsrunder personen har sendt, som ikke er avsluttet"),
            as_handler,
            order=35,
        ),
        ChecklistLine(
            "godkjenning.waiting",
            _("Journalposter som venter på personens godkjenning"),
            as_approver,
            order=36,
        ),
    ]
