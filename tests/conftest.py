"""Shared fixtures: one test database per run (SQLite file, or PostgreSQL when
``ARKIV_TEST_DATABASE=postgres``), migrated once; tables emptied before each test that asks
for ``db``; an app and an async test client per test; helpers to sign in.

Tests are ``async def`` under anyio (asyncio backend), so the app, its PostgreSQL pool and the
test's own queries share one event loop.

Each test process (each pytest-xdist worker too) has its own temporary folder and its own
PostgreSQL database; both are removed at the end of the run, also when tests fail. An unreachable
PostgreSQL ends the run at once with one line saying so (no traceback per test).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import db as dbsupport
from tests.support.statements import statements  # noqa: F401 - a fixture for every test

_TMP = Path(tempfile.mkdtemp(prefix="arkivrutiner-test-"))
ENGINE = os.environ.get("ARKIV_TEST_DATABASE", "sqlite")
if ENGINE == "postgres":
    # Created in pytest_sessionstart (not at import: an xdist controller runs no tests).
    DATABASE_URL = dbsupport.postgres_url(f"arkivrutiner_test_{uuid.uuid4().hex[:8]}")
else:
    DATABASE_URL = f"sqlite:///{_TMP / 'test.sqlite'}"

# Settings are read from the environment by piccolo_conf and the CLI; set them before any import.
os.environ.update(
    {
        "ARKIV_ENV": "test",
        "ARKIV_DATABASE_URL": DATABASE_URL,
        "ARKIV_SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
        "ARKIV_AUTH_MODE": "dev",
        "ARKIV_EXTRA_PLUGINS": "tests.dummy_plugin",
        "ARKIV_FILE_STORE": str(_TMP / "files"),
        # The async test client runs the app in its own event loop; a pool is bound to one loop.
        "ARKIV_DB_POOL_SIZE": "0",
    }
)
for name in list(os.environ):
    if name.startswith("ARKIV_SMTP_") or name in ("ARKIV_REDIS_URL", "ARKIV_DISABLED_PLUGINS"):
        del os.environ[name]

from core.app import create_app  # noqa: E402
from core.db import engine_for, migrate  # noqa: E402
from core.settings import Settings, load_settings  # noqa: E402

_created_database = False


def _runs_tests(config: pytest.Config) -> bool:
    """False in the pytest-xdist controller, which only hands tests to its workers."""
    return hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None)


def pytest_configure(config: pytest.Config) -> None:
    """A base folder for ``tmp_path`` of this run alone, removed at the end whatever the outcome.

    pytest's own ``/tmp/pytest-of-USER/pytest-N`` keeps the last three runs (failed tests' folders
    included), and its "none" retention policy would delete the folders of other runs going on at
    the same time. pytest-xdist workers get a subfolder of the controller's.
    """
    if config.option.basetemp is None and not hasattr(config, "workerinput"):
        config.option.basetemp = str(_TMP / "pytest")


def pytest_sessionstart(session: pytest.Session) -> None:
    global _created_database
    if ENGINE == "postgres" and _runs_tests(session.config):
        try:
            dbsupport.create_postgres_database(DATABASE_URL.rsplit("/", 1)[1])
        except dbsupport.PostgresUnreachableError as exc:
            shutil.rmtree(_TMP, ignore_errors=True)  # pytest_sessionfinish does not run after this
            pytest.exit(str(exc), returncode=pytest.ExitCode.USAGE_ERROR)
        _created_database = True


def engine_independent_misuse(item: pytest.Item) -> str | None:
    """Why ``item`` may not carry the ``engine_independent`` marker, or None when it may: it
    must not use the test database (the ``db`` fixture, or ``app``/``client`` which need it),
    and no test of the archive's records (``tests/core/archive``) or of the ledger and its
    spans is engine independent (their queries differ per engine)."""
    path = Path(str(item.path)).resolve().relative_to(Path(__file__).resolve().parents[1]).as_posix()
    if path.startswith("tests/core/archive/") or "ledger" in path or "spans" in path:
        return f"{path} tests engine-specific queries"
    if "db" in getattr(item, "fixturenames", ()):
        return "it uses the test database (the db fixture, directly or through app/client)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``engine_independent`` run in the SQLite round only: in the PostgreSQL round
    they are deselected (not skipped), since running them twice tests nothing more. A marker on
    a test that may depend on the engine stops the run (both rounds) at collection."""
    misuse = [
        f"{item.nodeid}: {why}"
        for item in items
        if item.get_closest_marker("engine_independent") and (why := engine_independent_misuse(item))
    ]
    if misuse:
        raise pytest.UsageError(
            "engine_independent on tests that may depend on the engine:\n" + "\n".join(misuse)
        )
    if ENGINE != "postgres":
        return
    deselected = [item for item in items if item.get_closest_marker("engine_independent")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("engine_independent")]


@pytest.hookimpl(trylast=True)  # after the session fixtures are torn down
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _created_database:
        dbsupport.drop_postgres_database(DATABASE_URL)
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def database_url() -> str:
    return DATABASE_URL


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return load_settings()


if ENGINE == "postgres":
    # Every event loop closes the PostgreSQL connections kept for it (tests/support/db.py).
    asyncio.set_event_loop_policy(dbsupport.ClosingLoopPolicy())


@pytest.fixture(scope="session", autouse=True)
def _migrated(base_settings: Settings) -> Iterator[None]:
    if ENGINE == "postgres":
        dbsupport.reuse_connections(engine_for(DATABASE_URL))
    asyncio.run(migrate(base_settings))
    yield


@pytest.fixture
def settings(base_settings: Settings) -> Settings:
    return base_settings


@pytest.fixture
def db(base_settings: Settings) -> Iterator[None]:
    """An empty database (all rows deleted; schema and migrations kept)."""
    asyncio.run(dbsupport.empty_all_tables(base_settings))
    yield


# One app per settings object for the whole run (see the ``app`` fixture).
_shared_apps: dict[int, tuple[Settings, Any]] = {}


def _app_parts(app: Any) -> list[object]:
    """What a test can change in an app: its routes, stores, start/stop hooks, state, and the
    runtime's settings, plugins, hook implementations and template environment."""
    runtime = app.state["runtime"]
    env = runtime.templates
    return [
        *app.routes,
        *(handler for route in app.routes for handler in route.route_handlers),
        *app.stores._stores.items(),
        *app.on_startup,
        *app.on_shutdown,
        *app.state.dict().items(),
        runtime.settings,
        *runtime.plugins,
        *runtime.pm.list_name_plugin(),
        env,
        *env.globals.items(),
        *env.filters.items(),
        *env.tests.items(),
    ]


def _same(before: list[object], after: list[object]) -> bool:
    return len(before) == len(after) and all(
        a is b
        or (isinstance(a, tuple) and isinstance(b, tuple) and all(x is y for x, y in zip(a, b, strict=True)))
        for a, b in zip(before, after, strict=True)
    )


@pytest.fixture
def app(settings: Settings, db: None) -> Iterator[Any]:
    """The app for ``settings``, built once and shared by the tests that ask for it.

    Building an app (Litestar registering some 300 handlers, a fresh Jinja environment that
    compiles every template again) cost about 0.3 s of CPU a test, more than most tests
    themselves. An app keeps nothing of a request between requests: sessions are rows in the
    database (emptied by ``db`` before each test), and a test client starts and stops the
    app's lifespan of its own. A test that changes the app itself (registers a route, a store,
    a plugin, replaces the runtime's settings, a template global...) is noticed at its end and
    the app is thrown away, so the next test gets a new one; a test that needs an app of its
    own from the start calls ``create_app`` itself."""
    entry = _shared_apps.get(id(settings))
    if entry is None or entry[0] is not settings:
        entry = (settings, create_app(settings))
        _shared_apps[id(settings)] = entry
    shared = entry[1]
    before = _app_parts(shared)
    yield shared
    if not _same(before, _app_parts(shared)):
        del _shared_apps[id(settings)]


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Any]:
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, raise_server_exceptions=False) as test_client:
        test_client.follow_redirects = False
        yield test_client
