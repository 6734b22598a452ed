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

if TYPE_CHECKING:
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
    """A card on the front page. Its body is loaded with htmx from ``url`` (a fragment)."""

    key: str
    title: str
    url: str
    order: int = 100


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


@dataclass
class DemoContext:
    """What a plugin's ``demo_data`` hook gets: a seeded generator and the demo organisation."""

    settings: Settings
    rng: random.Random
    scale: int
    units: dict[str, int] = field(default_factory=dict)
    """Unit code -> id."""
    leaders: dict[str, int] = field(default_factory=dict)
    """Unit code -> leader's person id."""
    handlers: dict[str, list[int]] = field(default_factory=dict)
    """Unit code -> person ids of the unit's case handlers (leader excluded)."""
    archive_staff: list[int] = field(default_factory=list)
