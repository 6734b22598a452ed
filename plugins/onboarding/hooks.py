"""The onboarding plugin's hook implementations (the only module core registers)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from core import roles
from core.auth.user import User
from core.contributions import DashboardCard, DemoContext, Job, MenuLink, TaskKind
from core.hookspecs import hookimpl
from core.i18n import N_, _
from plugins.onboarding import jobs, routes
from plugins.onboarding.services import (
    demo_checklist,
    form_demo,
    form_kinds,
    form_settings,
    training,
)


@hookimpl
def startup() -> None:
    form_settings.validate()  # a bad ARKIV_ONBOARDING_FRISTDAGER stops the app at start


@hookimpl
def register_routes() -> list[ControllerRouterHandler]:
    return list(routes.ROUTERS)


@hookimpl
def task_kinds() -> list[TaskKind]:
    return [*form_kinds.task_kinds(), *training.task_kinds()]


@hookimpl
def register_jobs() -> list[Job]:
    return [
        Job(
            jobs.DEACTIVATE_JOB,
            jobs.DEACTIVATE_SCHEDULE,
            jobs.deactivate_leavers,
            N_("Deaktiverer personer som har sluttet (avgang fullført, siste arbeidsdag passert)"),
        )
    ]


@hookimpl
def menu_links(user: User) -> list[MenuLink]:
    links = [MenuLink(_("IKT-tilgang/-avgang"), "/onboarding", order=40)]
    if user.is_archive or user.led_unit_ids:
        links.append(MenuLink(_("Opplæring"), "/onboarding/opplaering", order=45))
    return links


@hookimpl
def dashboard_cards() -> list[DashboardCard]:
    # The leader fills in the forms (and sees who is leaving with open lines in the checklist);
    # Fellestjenesten/Arkiv, Lønn and IKT do their steps: each role's own steps are its tasks of
    # the kind (core's task card, earliest frist first). Fellestjenesten/Arkiv also follows up
    # training: the signals and the follow-ups under way.
    title = _("IKT-tilgang/-avgang")
    steps = {roles.ARKIV: form_kinds.ARKIV, roles.LONN: form_kinds.LONN, roles.IKT: form_kinds.IKT}
    return (
        [
            DashboardCard("onboarding", title, "/onboarding/kort?rolle=leder", order=40, role=roles.LEADER),
            *(
                DashboardCard("onboarding", title, "/onboarding/kort", order=40, role=role)
                for role in (roles.ARKIV, roles.LONN, roles.IKT)
            ),
        ]
        + [
            DashboardCard(
                "onboarding_steg",
                _("Dine steg i IKT-skjemaet"),
                f"/oppgaver/kort?oppgavetype={kind}",
                order=41,
                role=role,
            )
            for role, kind in steps.items()
        ]
        + [
            DashboardCard(
                "opplaering",
                _("Opplæring og veiledning"),
                "/onboarding/opplaering/kort",
                order=45,
                role=roles.ARKIV,
            )
        ]
    )


@hookimpl
def audit_labels() -> dict[str, str]:
    return {
        "onboarding.checklist_override": N_("Avgang fullført med åpne punkter (begrunnet)"),
        **training.audit_labels(),
    }


@hookimpl
async def demo_data(ctx: DemoContext) -> None:
    await demo_checklist.populate(ctx)
    await form_demo.populate(ctx)
