"""Database engines, transactions and migrations (Piccolo on SQLite or PostgreSQL).

SQLite is the embedded default: WAL journal, a 30 s busy timeout, and IMMEDIATE transactions
for writes so concurrent writers queue instead of failing. PostgreSQL gets one connection pool
per worker process, opened in the app's lifespan; a request runs its statements on one
connection of it (:mod:`core.request_connection`).

``piccolo_conf.py`` (used by the ``piccolo`` CLI and Piccolo's migration machinery) and
``create_app`` get their engine from :func:`engine_for`, so both share one engine object. The
app registry comes from the plugin registry (:func:`app_registry`); before migrating, this
module points the configuration module Piccolo reads (found the way Piccolo finds it) at the
settings in hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.check import CheckMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppRegistry, Finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from core.plugins import active_plugins
from core.request_connection import ArkivPostgresEngine, forget_plans
from core.settings import Settings

POOL_MAX_SIZE = 10

SERVER_SETTINGS = {
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
    "plan_cache_mode": "force_custom_plan",
}
"""PostgreSQL settings of the app's connections, for an intranet's short statements:

- ``jit``: JIT compilation pays off for long analytical statements; the planner's estimates
  for the bigger lists (search, restanser) switched it on for ~100 ms of compiling per
  statement that itself runs in milliseconds.
- ``max_parallel_workers_per_gather``: starting parallel workers cost 3–5 ms per statement
  (the archive's front page counted an empty central queue in 6 ms, 1 ms without), and with
  hundreds of users the cores are better spent on other requests.
- ``plan_cache_mode``: asyncpg prepares every statement, and after five runs PostgreSQL may
  switch to a generic plan made without the values. With skewed data (one handler has 10 000
  restanser, another 10) that plan can be far off: the position of a handler's 50th
  restanse by journaldato took 8.6 ms with the generic plan and 0.1 ms planned for the
  values. Planning each statement costs well under a millisecond for most of them; the reads
  by key that every page makes ask for a generic plan instead
  (:func:`core.request_connection.raw_rows`, ``generic_plan=True``).
"""


@cache
def engine_for(database_url: str) -> Engine[Any]:
    """The engine for a database URL; one object per URL in this process."""
    if database_url.startswith(("postgres://", "postgresql://")):
        return ArkivPostgresEngine(config={"dsn": database_url, "server_settings": SERVER_SETTINGS})
    path = database_url.removeprefix("sqlite:///")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SQLiteEngine(path=path, timeout=30)


def app_registry(settings: Settings) -> AppRegistry:
    """Piccolo apps of core and every active plugin, derived from the plugin registry."""
    apps = ["core.piccolo_app"]
    apps += [p.piccolo_app for p in active_plugins(settings) if p.piccolo_app]
    return AppRegistry(apps=apps)


def bind_tables(settings: Settings) -> Engine[Any]:
    """Point every table of every active app at the engine for ``settings``."""
    engine = engine_for(settings.database_url)
    for config in app_registry(settings).app_configs.values():
        for table in config.table_classes:
            table._meta.db = engine
    return engine


def write_transaction(engine: Engine[Any]) -> Any:
    """A transaction for work that writes: IMMEDIATE on SQLite, plain on PostgreSQL."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def writing(table: type[Table]) -> Any:
    """``async with writing(SomeTable):`` opens a write transaction on that table's engine.

    Inside a transaction already open in this task (the caller's), it joins that one (Piccolo
    nests transactions on the same connection): nothing commits until the outer block ends,
    and an exception anywhere rolls back all of it. This is how a routine creates a task
    (:func:`core.tasks.services.create_task`) together with its own change."""
    return write_transaction(table._meta.db)


ANALYZE_LANES = 2
"""Statements :func:`analyze` runs at once (the tables taken in turn)."""


async def analyze(tables: Sequence[type[Table]]) -> None:
    """Refresh the planner's statistics of ``tables`` after a bulk load (``ANALYZE``, on
    PostgreSQL only; call it after the load's transaction has committed).

    Autovacuum analyzes a filled table only after a while; until then PostgreSQL plans as if
    it were empty or small (case lists took 5–7 s after an import, 0.02 s after ``ANALYZE``).
    SQLite plans well enough without statistics, so nothing is done there.

    The tables are analyzed in :data:`ANALYZE_LANES` statements at once, each on a connection
    of its own, so PostgreSQL uses more than one CPU (after the 14 628-post import, 0.8 s in
    one statement); inside a transaction in one statement."""
    if not tables or not isinstance(tables[0]._meta.db, PostgresEngine):
        return
    names = list(dict.fromkeys(table._meta.tablename for table in tables))
    engine = tables[0]._meta.db
    # Inside a transaction every statement goes to its one connection: one statement then.
    width = 1 if engine.current_transaction.get() is not None else ANALYZE_LANES
    lanes = [names[lane::width] for lane in range(width)]
    await asyncio.gather(*(engine.run_ddl(f"ANALYZE {', '.join(lane)}") for lane in lanes if lane))


async def prepare_engine(engine: Engine[Any], pool_size: int = POOL_MAX_SIZE) -> None:
    """Per-process setup: WAL for SQLite (persists in the file), the pool for PostgreSQL.

    ``pool_size=0`` means no pool: a connection per query (used by the tests, whose client runs
    the app in another event loop than the test body).
    """
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    elif isinstance(engine, PostgresEngine) and pool_size > 0:
        # min_size too: asyncpg's default (10) refuses a smaller max_size.
        await engine.start_connection_pool(
            min_size=pool_size,
            max_size=pool_size,
            reset=keep_session_state,
            init=forget_plans,
        )


async def keep_session_state(connection: Any) -> None:
    """What the pool runs when a connection comes back: nothing.

    asyncpg's default sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
    ALL`` after every statement Piccolo runs outside a transaction: one more round trip per
    statement, the largest fixed cost of a page. The app leaves nothing in a session for it to
    clear: its advisory locks are transaction locks (``pg_advisory_xact_lock``), its settings
    ``SET LOCAL``, it opens no cursors and listens to nothing; asyncpg still rolls back a
    transaction left open before this is called."""


async def close_engine(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        with contextlib.suppress(Exception):
            await engine.close_connection_pool()


@contextlib.asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[Engine[Any]]:
    """Bind tables and prepare the engine for a command-line task."""
    engine = bind_tables(settings)
    await prepare_engine(engine, settings.db_pool_size)
    try:
        yield engine
    finally:
        await close_engine(engine)


def _use_registry(settings: Settings) -> None:
    """Make Piccolo's migration machinery use this configuration's apps and engine.

    Piccolo reads ``DB`` and ``APP_REGISTRY`` from its configuration module (``piccolo_conf``,
    or the module ``PICCOLO_CONF`` names), which :class:`~piccolo.conf.apps.Finder` imports;
    setting them there is how a migration run gets ``settings`` instead of the environment's.
    """
    piccolo_conf = Finder().get_piccolo_conf_module()
    assert piccolo_conf is not None  # Finder raises when the module cannot be imported
    engine = engine_for(settings.database_url)
    piccolo_conf.DB = engine
    piccolo_conf.APP_REGISTRY = app_registry(settings)
    Migration._meta.db = engine


async def migrate(settings: Settings, quiet: bool = True) -> str:
    """Apply every pending migration of core and all active plugins, in dependency order."""
    _use_registry(settings)
    engine = engine_for(settings.database_url)
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"Migrering feilet: {result.message}\n{out.getvalue()}")
    return out.getvalue()


async def pending_migrations(settings: Settings) -> list[str]:
    """``app:migration_id`` of every migration not yet applied (empty when up to date)."""
    _use_registry(settings)
    pending = []
    with contextlib.redirect_stdout(io.StringIO()):
        for app_name in BaseMigrationManager().get_sorted_app_names():
            statuses = await CheckMigrationManager(app_name).get_migration_statuses()
            pending += [f"{s.app_name}:{s.migration_id}" for s in statuses if not s.has_ran]
    return pending


def sorted_app_names(settings: Settings) -> list[str]:
    _use_registry(settings)
    return [name for name in BaseMigrationManager().get_sorted_app_names()]
