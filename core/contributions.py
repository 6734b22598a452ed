"""Small typed values that plugins return from hooks, or get from them (the contract's vocabulary)."""

from __future__ import annotations

import importlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from litestar.plugins.htmx import HTMXRequest

from core import roles

if TYPE_CHECKING:
    import pluggy

    from core.jobs import JobContext
    from core.settings import Settings

AnyRequest = HTMXRequest
"""The request every handler receives (htmx-aware). Defined here, once; import it from here or
from :mod:`core.web.pages`."""


@dataclass(frozen=True)
class PluginMeta:
    """Who a plugin is. Each plugin package exposes one as ``PLUGIN`` in its ``__init__``."""

    name: str
    label: str
    description: str
    package: str = ""

    @property
    def directory(self) -> Path:
        module = importlib.import_module(self.package)
        return Path(str(module.__file__)).parent


@dataclass(frozen=True)
class MenuLink:
    """A link in the main navigation. ``count`` is shown as a badge (for example queue length)."""

    label: str
    href: str
    order: int = 100
    count: int | None = None
    count_label: str = ""
    section: str = "main"
    """``main`` for the top navigation, ``admin`` for the administration menu."""


@dataclass(frozen=True)
class DashboardCard:
    """A card on the front page. Its body is loaded with htmx from ``url`` (a fragment).

    ``role`` is the front-page section the card belongs to, one of
    :data:`core.roles.CARD_ROLES`: ``saksbehandler`` (everyone's own work, the default),
    ``leder`` (leader, or deputy while the leader is away), or an app role (``arkiv``,
    ``lonn``, ``ikt``, ``admin``). Core shows a card only to users who have its role; a plugin
    returns one card per role it serves (same ``key``, each with its own ``url``).
    """

    key: str
    title: str
    url: str
    order: int = 100
    role: str = roles.HANDLER


@dataclass(frozen=True)
class Permission:
    """A named permission ``<plugin>.<verb>`` with a Norwegian description for the admin page."""

    name: str
    description: str


JobFunc = Callable[["JobContext"], Awaitable[str | None]]


@dataclass(frozen=True)
class Job:
    """A scheduled job. ``schedule`` is a five-field cron expression in Europe/Oslo time.

    ``func`` receives a :class:`core.jobs.JobContext` and may return a short summary that is
    stored with the run. A run is recorded per (name, slot), so a slot never runs twice.
    """

    name: str
    schedule: str
    func: JobFunc
    description: str = ""


@dataclass(frozen=True)
class Event:
    """Something that happened, broadcast to every plugin through ``handle_event``.

    ``name`` is ``<plugin>.<what>`` (for example ``fordeling.distributed``); ``data`` holds plain
    values only, so plugins need no imports from each other to read it.
    """

    name: str
    data: dict[str, Any] = field(default_factory=dict)
    actor_id: int | None = None
    at: datetime | None = None


TASK_PAGE = "/oppgaver/{id}"
"""Core's generic task page; a kind with its own action page gives another ``url``."""


@dataclass(frozen=True)
class TaskKind:
    """A kind of task (*oppgave*) a plugin sends, declared through the ``task_kinds`` hook.

    ``name`` is ``<plugin>.<kind>`` (the ``kind`` column of ``core_task``); ``label`` is the
    bokmål name people see (mark it with ``N_()``). ``url`` is the kind's action page, with
    ``{id}`` for the task id (default: core's generic task page). ``row_template`` is an
    optional fragment the inbox renders in the kind's rows, given ``task``. ``edits_documents``:
    the receiver of an open task of this kind may add document versions to the journal post
    it is about (the approver). ``reminder_days`` / ``escalation_days`` are working days
    before the receiver is reminded / the receiver's leader is told (None: the settings
    ``ARKIV_OPPGAVE_PURREDAGER`` / ``ARKIV_OPPGAVE_ESKALERINGSDAGER``).
    """

    name: str
    label: str
    url: str = TASK_PAGE
    row_template: str = ""
    edits_documents: bool = False
    reminder_days: int | None = None
    escalation_days: int | None = None

    def url_for(self, task_id: int) -> str:
        """The kind's page for one task."""
        return self.url.format(id=task_id)

    @property
    def has_own_page(self) -> bool:
        return self.url != TASK_PAGE


@dataclass(frozen=True)
class ChecklistLine:
    """One line of a leaver's checklist (``leaver_checklist`` hook): what still lies with the
    person and must move before they leave.

    ``key`` is ``<plugin>.<what>`` (core's lines ``archive.<what>``, ``tasks.open``); ``label``
    is the bokmål text people see (translate with ``_()`` inside the hook); ``count`` the number
    of open items (0: nothing left, the line is done); ``url`` the list behind the count.
    """

    key: str
    label: str
    count: int
    url: str = ""
    order: int = 100


@dataclass
class DemoContext:
    """What a plugin's ``demo_data`` hook gets: a seeded generator and the demo organisation."""

    settings: Settings
    rng: random.Random
    scale: int
    pm: pluggy.PluginManager
    """The plugin manager, for a demo that goes through hooks (an avgang asks every plugin's
    checklist lines)."""
    units: dict[str, int] = field(default_factory=dict)
    """Unit code -> id."""
    leaders: dict[str, int] = field(default_factory=dict)
    """Unit code -> leader's person id."""
    handlers: dict[str, list[int]] = field(default_factory=dict)
    """Unit code -> person ids of the unit's case handlers (leader excluded)."""
    archive_staff: list[int] = field(default_factory=list)
