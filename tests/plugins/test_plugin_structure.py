"""Every shipped plugin has the one shape docs/writing-a-plugin.md describes, and this test holds
each plugin to it: the meta, the modules and what each may hold, the routes, templates, the
Piccolo app, the README, the module size, and no imports of another plugin."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from litestar import Router
from litestar.handlers import BaseRouteHandler

from core.contributions import PluginMeta
from core.db import app_registry
from core.plugins import INSTALLED_PLUGINS, LoadedPlugin, collect_sync, load_plugins, make_plugin_manager
from core.settings import Settings

PLUGIN_NAMES = [package.rsplit(".", 1)[-1] for package in INSTALLED_PLUGINS]
pytestmark = pytest.mark.parametrize("package", INSTALLED_PLUGINS, ids=PLUGIN_NAMES)

REQUIRED = (
    "__init__.py",
    "hooks.py",
    "routes",
    "tables",
    "piccolo_app.py",
    "piccolo_migrations",
    "README.md",
    "templates",
)
"""Every plugin has these (``routes`` a package; ``tables`` a module or a package)."""
BY_ROLE = ("pages", "forms", "services", "queries", "jobs", "cli", "config", "static")
"""A plugin has these when it has that kind of code: each a module, or a package of the same
name once it grows past :data:`MAX_LINES`."""
MAX_LINES = 400
ROUTE_NAME = re.compile(r"^[a-z]+:[a-z][a-z0-9_]*$")


def loaded(package: str) -> LoadedPlugin:
    return load_plugins([package])[0]


def name_of(package: str) -> str:
    return package.rsplit(".", 1)[-1]


def role_of(name: str) -> str:
    """``jobs.py`` and ``jobs/`` both play the role ``jobs``."""
    return name.removesuffix(".py")


def sources(plugin: LoadedPlugin) -> list[Path]:
    return [p for p in plugin.directory.rglob("*.py") if "piccolo_migrations" not in p.parts]


@pytest.mark.engine_independent
def test_plugin_meta(package: str) -> None:
    module = importlib.import_module(package)
    meta = getattr(module, "PLUGIN", None)
    assert isinstance(meta, PluginMeta)
    assert meta.name == name_of(package)
    assert meta.package == package
    assert meta.label.strip() and meta.description.strip()
    assert module.__doc__, "the package docstring says what the routine is"


@pytest.mark.engine_independent
def test_top_level_has_the_shape(package: str) -> None:
    directory = loaded(package).directory
    present = {p.name for p in directory.iterdir() if not p.name.startswith((".", "__pycache__"))}
    roles = {role_of(name) for name in present}
    for required in REQUIRED:
        assert role_of(required) in roles, f"{package} needs {required} (docs/writing-a-plugin.md)"
    assert (directory / "routes" / "__init__.py").is_file(), "routes/ is a package"
    allowed = {role_of(r) for r in REQUIRED} | set(BY_ROLE)
    stray = sorted(name for name in present if role_of(name) not in allowed)
    assert not stray, f"{package}: {stray} fit no role of the plugin shape (docs/writing-a-plugin.md)"
    for role in (*BY_ROLE, "tables"):
        assert not ((directory / f"{role}.py").exists() and (directory / role).is_dir()), (
            f"{package}: {role} is a module or a package, not both"
        )


@pytest.mark.engine_independent
def test_hooks_module_is_the_only_one_with_hookimpls(package: str) -> None:
    plugin = loaded(package)
    assert (plugin.directory / "hooks.py").is_file()
    assert plugin.hooks_module.__name__ == f"{package}.hooks"
    make_plugin_manager([plugin])  # registers cleanly (check_pending)
    for source in sources(plugin):
        if source.name == "hooks.py" and source.parent == plugin.directory:
            continue
        assert "@hookimpl" not in source.read_text(encoding="utf-8"), f"{source}: hookimpls live in hooks.py"


@pytest.mark.engine_independent
def test_modules_stay_small(package: str) -> None:
    for source in sources(loaded(package)):
        lines = len(source.read_text(encoding="utf-8").splitlines())
        assert lines <= MAX_LINES, f"{source} has {lines} lines: split it (docs/writing-a-plugin.md)"


@pytest.mark.engine_independent
def test_each_routes_module_has_its_router(package: str) -> None:
    plugin = loaded(package)
    name = plugin.meta.name
    routes = importlib.import_module(f"{package}.routes")
    modules = sorted(p.stem for p in (plugin.directory / "routes").glob("*.py") if p.stem != "__init__")
    assert modules, "at least one page area"
    routers = []
    for module_name in modules:
        module = importlib.import_module(f"{package}.routes.{module_name}")
        router = getattr(module, "router", None)
        assert isinstance(router, Router), f"{module.__name__} has a `router`"
        assert router.path == f"/{name}"
        routers.append(router)
    assert {id(r) for r in routes.ROUTERS} == {id(r) for r in routers}, "routes.ROUTERS lists every router"


@pytest.mark.engine_independent
def test_routes_live_under_the_plugin_name(package: str) -> None:
    plugin = loaded(package)
    name = plugin.meta.name
    routes = collect_sync(make_plugin_manager([plugin]).hook.register_routes())
    assert routes, "every plugin has at least its page and its card"
    for item in routes:
        if isinstance(item, Router):
            assert item.path == f"/{name}"
            handlers = [h for route in item.routes for h in route.route_handlers]
            assert all(route.path.startswith(f"/{name}") for route in item.routes)
        else:
            assert isinstance(item, BaseRouteHandler)
            assert all(p == f"/{name}" or p.startswith(f"/{name}/") for p in item.paths)
            handlers = [item]
        for handler in handlers:
            if getattr(handler, "http_methods", None) == {"OPTIONS"} and handler.name is None:
                continue  # Litestar adds an OPTIONS handler to every path
            assert handler.name and handler.name.startswith(f"{name}:"), handler
            assert ROUTE_NAME.match(handler.name), f"{handler.name}: route names are <plugin>:<snake_name>"


@pytest.mark.engine_independent
def test_templates_are_namespaced(package: str) -> None:
    plugin = loaded(package)
    name = plugin.meta.name
    templates = plugin.directory / "templates"
    assert (templates / name).is_dir()
    stray = [p for p in templates.iterdir() if p.name != name and not p.name.startswith(".")]
    assert not stray, f"templates outside templates/{name}/: {stray}"
    for fragment in (templates / name).rglob("_*.html"):
        assert "{% extends" not in fragment.read_text(encoding="utf-8"), f"{fragment} is a fragment"


def test_piccolo_app(package: str, settings: Settings) -> None:
    plugin = loaded(package)
    name = plugin.meta.name
    assert (plugin.directory / "piccolo_app.py").is_file()
    config = importlib.import_module(f"{package}.piccolo_app").APP_CONFIG
    assert config.app_name == name
    migrations = Path(config.migrations_folder_path)
    assert migrations == plugin.directory / "piccolo_migrations"
    assert (migrations / "__init__.py").is_file()
    assert "core.piccolo_app" in config.migration_dependencies
    tables = importlib.import_module(f"{package}.tables")
    assert list(config.table_classes) == list(tables.TABLES), (
        "piccolo_app takes its tables from tables.TABLES"
    )
    for table in config.table_classes:
        assert table._meta.tablename.startswith(f"{name}_"), table
    assert name in app_registry(settings).app_configs


@pytest.mark.engine_independent
def test_readme_describes_the_routine(package: str) -> None:
    readme = loaded(package).directory / "README.md"
    assert readme.is_file()
    headings = [
        h.lower() for h in re.findall(r"^#{1,3} (.+)$", readme.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    for topics in (("routine", "rutine"), ("states", "tilstander"), ("permissions", "tilganger")):
        assert any(any(t in h for t in topics) for h in headings), f"README.md needs a section on {topics}"


@pytest.mark.engine_independent
def test_plugin_imports_no_other_plugin(package: str) -> None:
    plugin = loaded(package)
    others = {f"plugins.{n}" for n in PLUGIN_NAMES} - {package}
    for source in plugin.directory.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported = [node.module]
            else:
                continue
            for module in imported:
                assert not any(module == o or module.startswith(o + ".") for o in others), (
                    f"{source} imports {module}: plugins talk through events, not imports"
                )
