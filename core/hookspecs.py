"""The plugin contract: every hook core calls, with its exact signature.

A plugin is a package under ``plugins/`` with ``PLUGIN = PluginMeta(...)`` in ``__init__`` and
a ``hooks.py`` holding its ``@hookimpl`` functions; core registers that module. By convention
core also discovers, without hooks: ``<plugin>/templates/`` (template search path, pages under
``templates/<plugin>/``), ``<plugin>/static/`` (served at ``/static/<plugin>/``) and
``<plugin>/piccolo_app.py`` (the plugin's tables and migrations).

Rules:
- Call arguments are keyword-only; an implementation may accept any subset of them.
- An implementation may return a value, or an awaitable for the hooks marked *async ok*.
- Results come back last-registered-first: order menu links and cards by their ``order``.
- Plugins never import each other. They talk through :func:`handle_event`.

Every hook is documented in ``docs/hooks.md`` and tested by ``tests/dummy_plugin``; a test
fails when a hook here is missing from either.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click
    from jinja2 import Environment
    from litestar.plugins.htmx import HTMXRequest
    from litestar.types import ControllerRouterHandler

    from core.auth.user import User
    from core.contributions import (
        ChecklistLine,
        DashboardCard,
        DemoContext,
        Event,
        Job,
        MenuLink,
        Permission,
        TaskKind,
    )
    from core.runtime import Runtime

PROJECT = "arkivrutiner"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def startup(runtime: Runtime) -> None:
    """Check the plugin's own settings once the runtime is built, before anything is served.

    Called by :func:`core.runtime.build_runtime` for the app, the scheduler and every command.
    Raise :class:`core.settings.ConfigError` with a Norwegian sentence naming the variable to
    stop the start.
    """


@hookspec
def audit_labels() -> Mapping[str, str] | None:
    """Labels for the plugin's own hendelseslogg actions: ``{"<plugin>.<what>": N_("...")}``.

    The audit log, its exports and every record's history show them (translated with ``_()``);
    an action without a label shows its code.
    """


@hookspec
def register_routes() -> Sequence[ControllerRouterHandler] | None:
    """Routers and handlers of the plugin.

    Return Litestar ``Router`` objects whose path starts with ``/<plugin name>``. Handlers are
    guarded by core's login guard; check permissions inside the plugin's services.
    """


@hookspec
def menu_links(user: User, request: HTMXRequest) -> Sequence[MenuLink] | Awaitable[Sequence[MenuLink]] | None:
    """Links for the navigation that ``user`` may see (*async ok*).

    Filter by permission inside the implementation. ``MenuLink.section`` is ``"main"`` for the
    top navigation and ``"admin"`` for the administration menu.
    """


@hookspec
def dashboard_cards(
    user: User, request: HTMXRequest
) -> Sequence[DashboardCard] | Awaitable[Sequence[DashboardCard]] | None:
    """Cards for ``user``'s front page (*async ok*). Each card's body is an htmx fragment."""


@hookspec
def register_permissions() -> Sequence[Permission] | None:
    """Permissions the plugin defines, named ``<plugin>.<verb>``; listed on the admin page."""


@hookspec
def register_jobs() -> Sequence[Job] | None:
    """Scheduled jobs. Names are ``<plugin>.<job>``; core runs each slot at most once."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands to the ``arkivrutiner`` command line (use a group named after the
    plugin)."""


@hookspec
def task_kinds() -> Sequence[TaskKind] | None:
    """The kinds of task (*oppgaver*) the plugin sends, named ``<plugin>.<kind>``.

    Core's inbox *Mottatte oppgaver* shows each kind's label and links each task to the kind's
    ``url``; the reminder job uses the kind's ``reminder_days`` and ``escalation_days``.
    """


@hookspec
def handle_event(event: Event) -> Awaitable[None] | None:
    """React to an event broadcast with :func:`core.events.emit` (*async ok*).

    Called for every event; ignore names you do not handle. Runs after the emitting
    transaction committed; an exception is logged and does not undo the emitter's work.
    """


@hookspec
def prepare_jinja2_environment(env: Environment) -> None:
    """Add filters, tests or globals to the shared Jinja2 environment, once at start."""


@hookspec
def template_dirs() -> Sequence[Path] | None:
    """Extra template directories, searched after the conventional ``<plugin>/templates``."""


@hookspec
def static_dirs() -> Sequence[tuple[str, Path]] | None:
    """Extra static directories as ``(name, path)``, served at ``/static/<name>/``."""


@hookspec
def demo_data(ctx: DemoContext) -> Awaitable[None] | None:
    """Fill the database with the plugin's demo records (*async ok*).

    Called by ``arkivrutiner demo-data`` after core created the organisation. ``ctx`` gives a
    seeded random generator, the scale and the demo people, so the result is deterministic.
    """


@hookspec
def leaver_checklist(
    person_id: int,
) -> Sequence[ChecklistLine] | Awaitable[Sequence[ChecklistLine]] | None:
    """What still lies with ``person_id`` before they leave (*async ok*): one
    :class:`~core.contributions.ChecklistLine` per kind of open work, counted from live records.

    Core gives the records' lines (restanser, cases, unsent posts, tasks, deputy periods);
    a plugin adds its own (rounds waiting for the person, queues of units they lead).
    """
