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
from core.db import migrate  # noqa: E402
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


@pytest.fixture(scope="session", autouse=True)
def _migrated(base_settings: Settings) -> Iterator[None]:
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


@pytest.fixture
def app(settings: Settings, db: None) -> Any:
    return create_app(settings)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Any]:
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, raise_server_exceptions=False) as test_client:
        test_client.follow_redirects = False
        yield test_client
