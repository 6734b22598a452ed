"""The runtime of one app instance: settings, plugins, plugin manager, templates.

Built once by :func:`build_runtime`, stored in ``app.state.runtime`` and handed to services,
jobs and CLI commands that need hooks, templates or settings. Never a module global: a test
can build two apps with different plugins side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from jinja2 import Environment

from core.contributions import Job, Permission, TaskKind
from core.plugins import LoadedPlugin, active_plugins, collect_sync, make_plugin_manager
from core.settings import Settings
from core.templating import build_environment

if TYPE_CHECKING:
    from litestar import Litestar


@dataclass
class Runtime:
    settings: Settings
    plugins: list[LoadedPlugin]
    pm: pluggy.PluginManager
    templates: Environment

    @property
    def jobs(self) -> list[Job]:
        jobs: list[Job] = collect_sync(self.pm.hook.register_jobs())
        return sorted(jobs, key=lambda j: j.name)

    def job(self, name: str) -> Job | None:
        return next((j for j in self.jobs if j.name == name), None)

    @property
    def permissions(self) -> list[Permission]:
        perms: list[Permission] = collect_sync(self.pm.hook.register_permissions())
        return sorted(perms, key=lambda p: p.name)

    @cached_property
    def audit_labels(self) -> dict[str, str]:
        """Every hendelseslogg action's label (untranslated, ``N_``): core's and each plugin's,
        from the ``audit_labels`` hook. Translate with ``_()`` where shown."""
        labels: dict[str, str] = {}
        for part in self.pm.hook.audit_labels():
            labels.update(part or {})
        return labels

    @cached_property
    def task_kinds(self) -> dict[str, TaskKind]:
        """Every kind of task, by name: core's and each plugin's, from the ``task_kinds`` hook."""
        kinds: list[TaskKind] = collect_sync(self.pm.hook.task_kinds())
        return {kind.name: kind for kind in sorted(kinds, key=lambda k: k.name)}

    def static_dirs(self) -> list[tuple[str, Path]]:
        dirs = [(p.meta.name, p.static) for p in self.plugins if p.static]
        dirs += collect_sync(self.pm.hook.static_dirs())
        return [(name, Path(path)) for name, path in dirs]

    def render(self, template: str, **context: Any) -> str:
        return self.templates.get_template(template).render(**context)


def build_runtime(settings: Settings, plugins: list[LoadedPlugin] | None = None) -> Runtime:
    plugins = active_plugins(settings) if plugins is None else plugins
    pm = make_plugin_manager(plugins, trace=settings.trace_hooks)
    runtime = Runtime(
        settings, plugins, pm, build_environment(plugins, pm, auto_reload=not settings.production)
    )
    pm.hook.startup(runtime=runtime)
    return runtime


def runtime_of(app: Litestar) -> Runtime:
    runtime: Runtime = app.state["runtime"]
    return runtime
