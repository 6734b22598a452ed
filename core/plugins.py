"""The plugin registry: the one list of plugins, and everything derived from it.

Routers, the template search path, static directories, the Piccolo app registry, jobs and
CLI commands all come from :func:`active_plugins`; nothing else lists plugins.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar, cast

import pluggy

from core import hookspecs
from core.contributions import PluginMeta
from core.settings import ConfigError, Settings

log = logging.getLogger(__name__)

INSTALLED_PLUGINS: tuple[str, ...] = (
    "plugins.fordeling",
    "plugins.restanse",
    "plugins.godkjenning",
    "plugins.onboarding",
)
"""Import paths of the routine plugins shipped with the app, in menu order."""

T = TypeVar("T")


@dataclass(frozen=True)
class LoadedPlugin:
    """A plugin package that is active in this app instance."""

    meta: PluginMeta
    package: str
    hooks_module: ModuleType
    directory: Path

    @property
    def templates(self) -> Path | None:
        path = self.directory / "templates"
        return path if path.is_dir() else None

    @property
    def static(self) -> Path | None:
        path = self.directory / "static"
        return path if path.is_dir() else None

    @property
    def piccolo_app(self) -> str | None:
        if (self.directory / "piccolo_app.py").is_file():
            return f"{self.package}.piccolo_app"
        return None


def plugin_packages(settings: Settings) -> list[str]:
    """The configured plugin packages: installed plus extra, minus disabled (by name)."""
    packages = [*INSTALLED_PLUGINS, *settings.extra_plugins]
    known = {p.rsplit(".", 1)[-1] for p in packages}
    unknown = [name for name in settings.disabled_plugins if name not in known]
    if unknown:
        raise ConfigError("ARKIV_DISABLED_PLUGINS nevner ukjente tillegg: " + ", ".join(unknown) + ".")
    return [p for p in packages if p.rsplit(".", 1)[-1] not in settings.disabled_plugins]


def load_plugins(packages: Iterable[str]) -> list[LoadedPlugin]:
    """Import each plugin package and its ``hooks`` module."""
    loaded = []
    for package in packages:
        module = importlib.import_module(package)
        meta = getattr(module, "PLUGIN", None)
        if not isinstance(meta, PluginMeta):
            raise ConfigError(f"Tillegget {package} mangler PLUGIN = PluginMeta(...).")
        hooks_module = importlib.import_module(f"{package}.hooks")
        directory = Path(str(module.__file__)).parent
        loaded.append(LoadedPlugin(meta, package, hooks_module, directory))
    names = [p.meta.name for p in loaded]
    if len(set(names)) != len(names):
        raise ConfigError(f"To tillegg har samme navn: {names}.")
    return loaded


def active_plugins(settings: Settings) -> list[LoadedPlugin]:
    return load_plugins(plugin_packages(settings))


def make_plugin_manager(plugins: Iterable[LoadedPlugin], trace: bool = False) -> pluggy.PluginManager:
    """A fresh manager with core's built-in hooks and the given plugins registered."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    # Core's own hooks use the web layer, above this module: registered by name, like a plugin.
    pm.register(importlib.import_module("core.builtin_hooks"), "core")
    for plugin in plugins:
        pm.register(plugin.hooks_module, plugin.meta.name)
    pm.check_pending()
    if trace:
        pm.trace.root.setwriter(log.info)
        pm.enable_tracing()
    return pm


def hooks_implemented(pm: pluggy.PluginManager, name: str) -> list[str]:
    """Names of the hooks the plugin registered as ``name`` implements."""
    plugin = pm.get_plugin(name)
    callers = pm.get_hookcallers(plugin) or []
    return sorted(caller.name for caller in callers)


async def await_me_maybe(value: T | Awaitable[T]) -> T:
    """Resolve a hook result that may be a plain value or an awaitable."""
    if inspect.isawaitable(value):
        return cast(T, await value)
    return value


async def collect(results: Iterable[Any]) -> list[Any]:
    """Flatten hook results (each a list, an awaitable of a list, or None)."""
    items: list[Any] = []
    for result in results:
        resolved = await await_me_maybe(result)
        if resolved:
            items.extend(resolved)
    return items


def collect_sync(results: Iterable[Any]) -> list[Any]:
    items: list[Any] = []
    for result in results:
        if result:
            items.extend(result)
    return items
