"""The fordeling plugin's hook implementations (the only module core registers)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from core import roles
from core.archive.queries.leaver import queue_count
from core.auth.user import User
from core.contributions import ChecklistLine, DashboardCard, Job, MenuLink, Permission
from core.hookspecs import hookimpl
from core.i18n import N_, _
from plugins.fordeling import config, jobs, pages, routes, services


@hookimpl
def startup() -> None:
    config.validate()  # a bad ARKIV_FORDELING_PURREDAGER stops the app at start


@hookimpl
def register_routes() -> list[ControllerRouterHandler]:
    return list(routes.ROUTERS)


@hookimpl
async def menu_links(user: User) -> list[MenuLink]:
    if not services.uses_fordeling(user):
        return []
    return [await pages.menu_link(user)]


@hookimpl
def dashboard_cards() -> list[DashboardCard]:
    # One card per role: the leader's units, and the archive's central queue and every unit.
    return [
        DashboardCard(
            "fordeling", _("Til fordeling"), "/fordeling/kort?rolle=leder", order=10, role=roles.LEADER
        ),
        DashboardCard(
            "fordeling", _("Til fordeling"), "/fordeling/kort?rolle=arkiv", order=10, role=roles.ARKIV
        ),
    ]


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(
            "fordeling.distribute",
            N_(
                "Fordele enhetens journalposter til saksbehandlere (leder, eller stedfortreder i lederens fravær)"
            ),
        ),
        Permission(
            "fordeling.redistribute",
            N_("Omfordele åpne journalposter mellom saksbehandlere i enheten (leder eller stedfortreder)"),
        ),
        Permission(
            "fordeling.central",
            N_("Sende post uten enhet til riktig enhet, og se alle enheters kurver (Fellestjenesten/Arkiv)"),
        ),
    ]


@hookimpl
def register_jobs() -> list[Job]:
    return [
        Job(
            jobs.REMINDER_JOB,
            jobs.REMINDER_SCHEDULE,
            jobs.daily_reminder,
            N_("Minner lederen på e-post om journalposter som har ventet for lenge i Til fordeling"),
        )
    ]


@hookimpl
async def leaver_checklist(person_id: int) -> list[ChecklistLine]:
    """When a leader leaves: the posts waiting in the queues of the units they lead."""
    waiting = await queue_count(person_id)
    return [
        ChecklistLine(
            "fordeling.queue",
            _("Post som venter på fordeling i enheter personen leder"),
            waiting,
            "/fordeling",
            order=50,
        )
    ]
