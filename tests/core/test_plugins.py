"""The plugin registry: one PluginManager per app, disabling plugins, check_pending, ordering."""

from __future__ import annotations

import dataclasses
import logging
import textwrap
import types
import uuid
from pathlib import Path
from typing import Any

import pluggy
import pytest
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.auth.user import User
from core.contributions import DashboardCard, MenuLink, PluginMeta
from core.hookspecs import hookimpl
from core.plugins import (
    INSTALLED_PLUGINS,
    LoadedPlugin,
    collect,
    hooks_implemented,
    load_plugins,
    make_plugin_manager,
    plugin_packages,
)
from core.runtime import build_runtime, runtime_of
from core.settings import ConfigError, Settings, load_settings
from tests.support.factories import login, make_person, make_unit

pytestmark = pytest.mark.anyio


def module_plugin(name: str, directory: Path, **hooks: Any) -> LoadedPlugin:
    """A plugin whose hooks module is built in memory from ``hooks`` (functions)."""
    module = types.ModuleType(f"{name}_hooks")
    for hook_name, func in hooks.items():
        setattr(module, hook_name, hookimpl(func))
    return LoadedPlugin(PluginMeta(name, name.title(), f"Testtillegget {name}."), name, module, directory)


def write_package(root: Path, name: str, hooks_source: str, meta: bool = True) -> str:
    """Write a plugin package ``name`` under ``root`` (on sys.path) and return its import path."""
    package = root / name
    package.mkdir()
    init = "from core.contributions import PluginMeta\n"
    if meta:
        init += f'PLUGIN = PluginMeta(name="{name}", label="Test", description="Test.", package=__name__)\n'
    (package / "__init__.py").write_text(init, encoding="utf-8")
    (package / "hooks.py").write_text(
        "from core.hookspecs import hookimpl\n\n" + textwrap.dedent(hooks_source), encoding="utf-8"
    )
    return name


@pytest.fixture
def package_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


async def page_for_new_user(app: Any, path: str = "/") -> str:
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        await login(client, await make_person(unit=await make_unit()))
        response = await client.get(path)
        assert response.status_code == 200, response.text
        return response.text


async def status_for_new_user(app: Any, path: str) -> int:
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        await login(client, await make_person(unit=await make_unit()))
        return (await client.get(path)).status_code


# --- The configured plugin list --------------------------------------------------------------


async def test_configured_plugins_are_installed_plus_extra(settings: Settings) -> None:
    assert plugin_packages(settings) == [*INSTALLED_PLUGINS, "tests.dummy_plugin"]
    names = [p.meta.name for p in load_plugins(plugin_packages(settings))]
    assert names == ["fordeling", "restanse", "godkjenning", "onboarding", "dummy_plugin"]


async def test_disabled_plugins_come_from_the_environment() -> None:
    settings = load_settings({"ARKIV_DISABLED_PLUGINS": " onboarding , restanse ,"})
    assert settings.disabled_plugins == ("onboarding", "restanse")
    assert plugin_packages(settings) == ["plugins.fordeling", "plugins.godkjenning"]


async def test_unknown_disabled_plugin_is_a_config_error(settings: Settings) -> None:
    wrong = dataclasses.replace(settings, disabled_plugins=("restanse", "resstanse"))
    with pytest.raises(ConfigError, match="ARKIV_DISABLED_PLUGINS") as error:
        plugin_packages(wrong)
    assert "resstanse" in str(error.value)
    assert "restanse," not in str(error.value)
    with pytest.raises(ConfigError, match="resstanse"):
        create_app(wrong)


async def test_disabling_a_plugin_removes_its_routes_menu_link_and_card(settings: Settings, db: None) -> None:
    enabled = create_app(settings)
    assert "/restanse" in {route.path for route in enabled.routes}

    app = create_app(dataclasses.replace(settings, disabled_plugins=("restanse",)))
    assert "restanse" not in [p.meta.name for p in runtime_of(app).plugins]
    assert runtime_of(app).pm.get_plugin("restanse") is None
    assert not any(route.path.startswith("/restanse") for route in app.routes)
    home = await page_for_new_user(app)
    assert 'href="/restanse"' not in home
    assert 'hx-get="/restanse/kort"' not in home
    assert 'href="/dummy_plugin"' in home  # the other plugins are still there
    assert 'hx-get="/dummy_plugin/kort"' in home
    assert await status_for_new_user(app, "/restanse") == 404
    assert await status_for_new_user(app, "/restanse/kort") == 404
    assert await status_for_new_user(app, "/dummy_plugin") == 200


async def test_extra_plugin_can_be_disabled_by_name(settings: Settings) -> None:
    assert "tests.dummy_plugin" not in plugin_packages(
        dataclasses.replace(settings, disabled_plugins=("dummy_plugin",))
    )


# --- One PluginManager per app ---------------------------------------------------------------


async def test_two_apps_with_different_plugins_do_not_share_hooks(
    settings: Settings, db: None, tmp_path: Path
) -> None:
    other = module_plugin("annan", tmp_path, menu_links=lambda: [MenuLink("Annan lenke", "/annan", order=60)])
    with_dummy = create_app(settings, plugins=load_plugins(["tests.dummy_plugin"]))
    with_other = create_app(settings, plugins=[other])
    pm_a, pm_b = runtime_of(with_dummy).pm, runtime_of(with_other).pm
    assert pm_a is not pm_b
    assert pm_a.get_plugin("annan") is None
    assert pm_b.get_plugin("dummy_plugin") is None

    page_a = await page_for_new_user(with_dummy)
    page_b = await page_for_new_user(with_other)
    assert "Testlenke" in page_a
    assert "Annan lenke" not in page_a
    assert "Annan lenke" in page_b
    assert "Testlenke" not in page_b
    assert 'hx-get="/dummy_plugin/kort"' not in page_b
    assert await status_for_new_user(with_other, "/dummy_plugin") == 404
    assert await status_for_new_user(with_dummy, "/fordeling") == 404  # not in this app's list
    # Building the second app did not change the first one.
    assert [p.meta.name for p in runtime_of(with_dummy).plugins] == ["dummy_plugin"]
    assert "dummy_plugin.tick" in [job.name for job in runtime_of(with_dummy).jobs]
    assert "dummy_plugin.tick" not in [job.name for job in runtime_of(with_other).jobs]
    assert "rop" in runtime_of(with_dummy).templates.filters
    assert "rop" not in runtime_of(with_other).templates.filters


async def test_core_hooks_are_registered_in_every_manager() -> None:
    pm = make_plugin_manager([])
    assert {"menu_links", "register_jobs", "register_permissions"} <= set(hooks_implemented(pm, "core"))


# --- Validation at start: check_pending and friends ------------------------------------------


async def test_misspelled_hookimpl_fails_at_make_plugin_manager(package_root: Path) -> None:
    name = write_package(
        package_root,
        unique("stavefeil"),
        """
        @hookimpl
        def menu_link(user):  # should be menu_links
            return []
        """,
    )
    plugins = load_plugins([name])
    with pytest.raises(pluggy.PluginValidationError, match="menu_link"):
        make_plugin_manager(plugins)


async def test_misspelled_hookimpl_in_an_in_memory_module_fails(tmp_path: Path) -> None:
    plugin = module_plugin("minne", tmp_path, dashbord_cards=lambda user: [])
    with pytest.raises(pluggy.PluginValidationError, match="dashbord_cards"):
        make_plugin_manager([plugin])


async def test_hookimpl_with_an_argument_the_spec_lacks_fails(tmp_path: Path) -> None:
    def menu_links(user: Any, brukar: Any) -> list[MenuLink]:
        return []

    with pytest.raises(pluggy.PluginValidationError, match="brukar"):
        make_plugin_manager([module_plugin("feilarg", tmp_path, menu_links=menu_links)])


async def test_plugin_without_meta_is_a_config_error(package_root: Path) -> None:
    name = write_package(package_root, unique("utenmeta"), "", meta=False)
    with pytest.raises(ConfigError, match="PLUGIN = PluginMeta"):
        load_plugins([name])


async def test_two_plugins_with_the_same_name_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="samme navn"):
        load_plugins(["plugins.restanse", "plugins.restanse"])


# --- Results and ordering --------------------------------------------------------------------


async def test_menu_links_and_cards_are_ordered_by_order_not_registration(
    settings: Settings, db: None, tmp_path: Path
) -> None:
    # pluggy calls the last registered plugin first; core must sort by ``order`` instead.
    first = module_plugin(
        "forst",
        tmp_path,
        menu_links=lambda: [MenuLink("Lenke fem", "/fem", order=5)],
        dashboard_cards=lambda: [DashboardCard("fem", "Kort fem", "/fem/kort", order=5)],
    )
    second = module_plugin(
        "andre",
        tmp_path,
        menu_links=lambda: [
            MenuLink("Lenke femti", "/femti", order=50),
            MenuLink("Administrer", "/admin/femti", order=50, section="admin"),
        ],
        dashboard_cards=lambda: [DashboardCard("femti", "Kort femti", "/femti/kort", order=50)],
    )
    runtime = build_runtime(settings, [first, second])
    user = User(
        person_id=1, name="Kari", initials="KA", email="ka@kommune.example", unit_id=None, unit_name=""
    )
    raw = [link.label for link in await collect(runtime.pm.hook.menu_links(user=user, request=None))]
    assert raw.index("Lenke femti") < raw.index("Lenke fem")  # registration order, reversed

    app = create_app(settings, plugins=[first, second])
    html = await page_for_new_user(app)
    nav = html[html.index('<nav class="main-nav"') : html.index("</nav>")]
    assert nav.index('href="/"') < nav.index('href="/fem"') < nav.index('href="/femti"')
    assert "Administrer" not in nav  # admin links go to the administration bar
    assert 'href="/admin/femti"' in html[html.index('<nav class="admin-nav"') :]
    assert html.index('hx-get="/fem/kort"') < html.index('hx-get="/femti/kort"')


async def test_equal_order_falls_back_to_the_label(settings: Settings, db: None, tmp_path: Path) -> None:
    plugin = module_plugin(
        "likt",
        tmp_path,
        menu_links=lambda: [MenuLink("Bbb", "/bbb", order=7), MenuLink("Aaa", "/aaa", order=7)],
    )
    html = await page_for_new_user(create_app(settings, plugins=[plugin]))
    assert html.index('href="/aaa"') < html.index('href="/bbb"')


async def test_collect_accepts_lists_awaitables_and_none() -> None:
    async def later() -> list[str]:
        return ["c"]

    assert await collect([["a", "b"], None, later(), []]) == ["a", "b", "c"]


async def test_trace_hooks_logs_every_hook_call(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    runtime = build_runtime(
        dataclasses.replace(settings, trace_hooks=True), load_plugins(["tests.dummy_plugin"])
    )
    with caplog.at_level(logging.INFO, logger="core.plugins"):
        runtime.pm.hook.register_permissions()
    assert any("register_permissions" in record.getMessage() for record in caplog.records)
