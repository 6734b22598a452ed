"""Core's own contributions, registered through the same hooks as any plugin."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from core import roles
from core.archive.queries import leaver
from core.audit import CORE_LABELS
from core.auth.user import User
from core.contributions import ChecklistLine, DashboardCard, Job, MenuLink, Permission, TaskKind
from core.hookspecs import hookimpl
from core.i18n import N_, _
from core.jobs_builtin import purge_files, purge_sessions, send_outbox, task_reminders
from core.tasks.queries import open_tasks_of
from core.web.archive import labels as archive_labels
from core.web.flash import pop_messages
from core.web.tasks.common import menu_link as tasks_menu_link


@hookimpl
async def menu_links(user: User, request: Any) -> list[MenuLink]:
    links = [
        MenuLink(_("Forside"), "/", order=0),
        MenuLink(_("Saker"), "/arkiv/saker", order=2),
        await tasks_menu_link(user),
        MenuLink(_("Søk"), "/arkiv/sok", order=60),
    ]
    if user.is_archive:
        links.append(MenuLink(_("Registrer post"), "/arkiv/registrer", order=4))
    if user.is_own_leader:
        links.append(MenuLink(_("Fravær og stedfortreder"), "/fravaer", order=900, section="admin"))
    if user.is_admin or user.is_archive:
        links += [
            MenuLink(_("Enheter"), "/admin/enheter", order=910, section="admin"),
            MenuLink(_("Personer"), "/admin/personer", order=920, section="admin"),
            MenuLink(_("Stedfortredere"), "/admin/stedfortredere", order=930, section="admin"),
            MenuLink(_("Hendelseslogg"), "/admin/hendelseslogg", order=940, section="admin"),
        ]
    if user.is_archive:
        links.append(MenuLink(_("Oppgaver uten mottaker"), "/admin/oppgaver", order=945, section="admin"))
    if user.is_admin:
        links += [
            MenuLink(_("Utboks"), "/admin/utboks", order=950, section="admin"),
            MenuLink(_("Jobber"), "/admin/jobber", order=960, section="admin"),
            MenuLink(_("Tillegg"), "/admin/tillegg", order=970, section="admin"),
        ]
    return links


@hookimpl
def dashboard_cards() -> list[DashboardCard]:
    return [
        DashboardCard("oppgaver", _("Mottatte oppgaver"), "/oppgaver/kort", order=5),
        DashboardCard("mine", _("Mine journalposter"), "/arkiv/mine/kort", order=15),
        DashboardCard("registrer", _("Registrering"), "/arkiv/registrer/kort", order=5, role=roles.ARKIV),
    ]


@hookimpl
def task_kinds() -> list[TaskKind]:
    """Core's own kind: a plain task, done on the generic task page ("Marker som behandlet")."""
    return [TaskKind("core.oppgave", N_("Oppgave"))]


@hookimpl
def prepare_jinja2_environment(env: Environment) -> None:
    """The layout's ``pop_messages`` (flash messages), and filters for the case-work pages:
    ``kode`` (a Noark 5 code's label) and ``filstorrelse``."""
    env.globals["pop_messages"] = pop_messages
    env.filters["kode"] = lambda code, kodeliste: archive_labels.label(kodeliste, code)
    env.filters["filstorrelse"] = archive_labels.file_size


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission("core.admin", N_("Vedlikeholde enheter, personer, ledere og stedfortredere")),
        Permission("core.audit", N_("Se og eksportere hendelsesloggen (Fellestjenesten/Arkiv)")),
        Permission("core.absence", N_("Registrere eget fravær og stedfortreder (ledere)")),
    ]


@hookimpl
def audit_labels() -> dict[str, str]:
    return dict(CORE_LABELS)


@hookimpl
def register_jobs() -> list[Job]:
    return [
        Job("core.send_outbox", "* * * * *", send_outbox, N_("Sender e-post fra utboksen")),
        Job("core.purge_sessions", "17 * * * *", purge_sessions, N_("Sletter utløpte økter")),
        Job(
            "core.purge_files",
            "43 3 * * *",
            purge_files,
            N_("Sletter filer i fillageret som ingen dokumentversjon viser til"),
        ),
        Job(
            "core.task_reminders",
            "0 7 * * 1-5",
            task_reminders,
            N_("Purrer på oppgaver som har ventet for lenge, og varsler lederen etter hvert"),
        ),
    ]


@hookimpl
async def leaver_checklist(person_id: int) -> list[ChecklistLine]:
    """The records' lines of a leaver's checklist (:mod:`core.archive.queries.leaver`); the
    items behind each line are listed by the page that shows the checklist."""
    counts = await leaver.counts(person_id)
    tasks = len(await open_tasks_of(person_id))
    return [
        ChecklistLine(
            "archive.restanser",
            _("Inngående post som ikke er avskrevet (restanser)"),
            counts.restanser,
            order=10,
        ),
        ChecklistLine("archive.cases", _("Åpne saker der personen er saksansvarlig"), counts.cases, order=20),
        ChecklistLine(
            "archive.unsent",
            _("Egne utgående brev og notater som ikke er ekspedert"),
            counts.unsent,
            order=30,
        ),
        ChecklistLine(
            "tasks.open",
            _("Oppgaver som venter på personen (også godkjenning)"),
            tasks,
            order=40,
        ),
        ChecklistLine(
            "org.deputy_periods",
            _("Stedfortrederperioder som ikke er slutt"),
            counts.deputy_periods,
            order=60,
        ),
    ]
