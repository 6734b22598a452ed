"""Implements every hook in core.hookspecs; each is asserted by tests/core/test_hooks.py."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from litestar import Router, get, post
from litestar.exceptions import NotFoundException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Response, Template

from core.contributions import ChecklistLine, DashboardCard, Event, Job, MenuLink, Permission, TaskKind
from core.errors import Conflict, Forbidden
from core.hookspecs import hookimpl
from core.settings import ConfigError
from core.web.actions import Done, Outcome, Selected, answer, attempt, outcome_messages
from core.web.forms import form_values
from core.web.pages import fragment, page

HERE = Path(__file__).parent
EVENTS: list[Event] = []
JOB_CALLS: list[str] = []
STARTUPS: list[Any] = []
FAIL_VARIABLE = "DUMMY_PLUGIN_FAIL_AT_START"


@hookimpl
def startup(runtime: Any) -> None:
    STARTUPS.append(runtime)
    if os.environ.get(FAIL_VARIABLE):
        raise ConfigError(f"{FAIL_VARIABLE} er satt: testtillegget nekter å starte.")


@hookimpl
def audit_labels() -> dict[str, str]:
    return {"dummy_plugin.noted": "Testnotat skrevet"}


@get("/", name="dummy_plugin:index")
async def index(request: HTMXRequest) -> Template:
    return await page(request, "dummy/index.html")


@get("/kort", name="dummy_plugin:card")
async def card() -> Template:
    return fragment("dummy/_card.html")


@get("/mangler", name="dummy_plugin:missing")
async def missing() -> None:
    """A handler that finds nothing: its 404 page is rendered in the user's language."""
    raise NotFoundException()


@post("/handling", name="dummy_plugin:act")
async def act(request: HTMXRequest) -> Response[Any]:
    """The action kit end to end: row 2 loses a race, row 3 is refused, the others are done."""
    form = await request.form()
    selected = Selected.parse_all(form_values(form, "valgt"))
    outcome = Outcome()
    for choice in selected:

        async def action(choice: Selected = choice) -> None:
            if choice.id == 2:
                raise Conflict("endret")
            if choice.id == 3:
                raise Forbidden("Du kan ikke dette.")

        async def on_conflict(choice: Selected = choice) -> str:
            return f"Rad {choice.id} ble endret av Kari Nordmann først."

        if await attempt(outcome, f"Rad {choice.id}", action, on_conflict):
            outcome.done.append(Done(choice, None, f"Rad {choice.id}"))
    return await answer(
        request,
        outcome_messages(outcome, f"{len(outcome.done)} rader er gjort."),
        redirect_to="/dummy_plugin",
        fragment_template="dummy/_liste.html",
        context={"done": outcome.done},
        badge=MenuLink("Testlenke", "/dummy_plugin", count=len(outcome.done), count_label="ting"),
        event="dummy-endret",
        status_code=outcome.status_code,
    )


@hookimpl
def register_routes() -> list[Router]:
    return [Router(path="/dummy_plugin", route_handlers=[index, card, missing, act])]


@hookimpl
async def menu_links(user: Any, request: Any) -> list[MenuLink]:
    return [MenuLink("Testlenke", "/dummy_plugin", order=500, count=3, count_label="ting")]


@hookimpl
def dashboard_cards(user: Any) -> list[DashboardCard]:
    return [DashboardCard("dummy", "Testkort", "/dummy_plugin/kort", order=500)]


@hookimpl
def register_permissions() -> list[Permission]:
    return [Permission("dummy_plugin.view", "Se testtillegget")]


async def dummy_job(ctx: Any) -> str:
    JOB_CALLS.append(ctx.slot.isoformat())
    return "kjørt"


@hookimpl
def register_jobs() -> list[Job]:
    return [Job("dummy_plugin.tick", "*/5 * * * *", dummy_job, "Testjobb")]


@hookimpl
def register_commands(cli: click.Group) -> None:
    @cli.group("dummy", help="Testkommandoer.")
    def dummy() -> None:
        pass

    @dummy.command("hei")
    def hei() -> None:
        click.echo("hei fra testtillegget")


@hookimpl
def task_kinds() -> list[TaskKind]:
    return [
        TaskKind(
            "dummy_plugin.check",
            "Testoppgave",
            row_template="dummy/_task_row.html",
            reminder_days=1,
            escalation_days=3,
        ),
        TaskKind(
            "dummy_plugin.approve", "Testgodkjenning", url="/dummy_plugin/oppgave/{id}", edits_documents=True
        ),
    ]


@hookimpl
async def handle_event(event: Event) -> None:
    EVENTS.append(event)


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["rop"] = lambda text: f"{text}!".upper()


@hookimpl
def template_dirs() -> list[Path]:
    return [HERE / "extra_templates"]


@hookimpl
def static_dirs() -> list[tuple[str, Path]]:
    return [("dummy-extra", HERE / "static")]


@hookimpl
async def demo_data(ctx: Any) -> None:
    from tests.dummy_plugin.tables import DummyNote

    await DummyNote.insert(DummyNote(text=f"demo {ctx.rng.randint(1, 9)}"))


@hookimpl
async def leaver_checklist(person_id: int) -> list[ChecklistLine]:
    return [ChecklistLine("dummy_plugin.notes", "Testnotater", person_id % 3, "/dummy_plugin")]
