"""Test database helpers: create/drop a PostgreSQL database, empty every table, keep
PostgreSQL connections for the next query of the same event loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
from urllib.parse import urlsplit

import asyncpg

from core.db import app_registry, bind_tables
from core.request_connection import ArkivPostgresEngine
from core.settings import Settings

POSTGRES_ADMIN_DSN = os.environ.get("ARKIV_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


class PostgresUnreachableError(Exception):
    """PostgreSQL does not answer at :data:`POSTGRES_ADMIN_DSN`; the message says what to do."""


def postgres_url(name: str) -> str:
    """The URL of database ``name`` on the test server."""
    return POSTGRES_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"


def create_postgres_database(name: str) -> str:
    """Create an empty database; fail loudly (never skip) when PostgreSQL is unreachable."""

    async def go() -> None:
        try:
            conn = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=10)
        except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
            where = urlsplit(POSTGRES_ADMIN_DSN)
            raise PostgresUnreachableError(
                f"PostgreSQL-runden (ARKIV_TEST_DATABASE=postgres) trenger PostgreSQL på "
                f"{where.hostname}:{where.port or 5432}, men den svarer ikke ({exc.__class__.__name__}: {exc}). "
                "Start den (sudo service postgresql start), pek ARKIV_TEST_POSTGRES til en annen "
                "server, eller kjør bare SQLite-runden (make test uten CI=true)."
            ) from exc
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
            # A test database need not survive a power cut: commits do not wait for the WAL
            # flush (for this database only; the server's settings are untouched).
            await conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        finally:
            await conn.close()

    asyncio.run(go())
    return postgres_url(name)


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]

    async def go() -> None:
        conn = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=10)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(go())


async def empty_all_tables(settings: Settings) -> None:
    """Delete every row of every app table (children first), keeping the migration table and
    the code lists."""
    bind_tables(settings)
    from piccolo.table import sort_table_classes

    from core.archive.tables import Kode

    # Code lists are reference data seeded by a migration, not test data.
    tables = [
        t
        for config in app_registry(settings).app_configs.values()
        for t in config.table_classes
        if t is not Kode
    ]
    from core.tables import Unit
    from core.tasks.tables import Task

    # Units and tasks reference their parent (ON DELETE RESTRICT): cut the self-references first.
    ordered = [t._meta.tablename for t in reversed(sort_table_classes(tables))]
    # One connection and one script: the tests run without a pool (a connection per query on
    # PostgreSQL), and some 70 statements one by one cost more than most tests themselves
    # (about 1 s a test on PostgreSQL, 0.07 s this way).
    script = "".join(
        [
            f"UPDATE {Unit._meta.tablename} SET parent = NULL WHERE parent IS NOT NULL;",
            f"UPDATE {Task._meta.tablename} SET parent = NULL WHERE parent IS NOT NULL;",
            *(f"DELETE FROM {name};" for name in ordered),
        ]
    )
    if settings.is_postgres:
        conn = await asyncpg.connect(settings.database_url)
        try:
            await conn.execute(script)
        finally:
            await conn.close()
        return
    import sqlite3

    with contextlib.closing(sqlite3.connect(settings.sqlite_path, timeout=30)) as conn:
        conn.executescript(f"BEGIN IMMEDIATE;{script}COMMIT;")


async def not_analyzed_since(started: object, tables: list[str]) -> list[str]:
    """The PostgreSQL tables among ``tables`` not analyzed (by an ``ANALYZE`` command, not
    autovacuum) since ``started`` (a ``now()`` of the database)."""
    from core.tables import Person

    found = await Person.raw(
        "SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname = ANY({})", tables
    )
    analyzed = {r["relname"] for r in found if r["last_analyze"] is not None and r["last_analyze"] >= started}
    return sorted(set(tables) - analyzed)


async def database_now() -> object:
    from core.tables import Person

    return (await Person.raw("SELECT now() AS t"))[0]["t"]


# --- connections kept per event loop (PostgreSQL round) -------------------------------------
#
# The tests run without a pool (``ARKIV_DB_POOL_SIZE=0``): the app runs in the test client's
# event loop, the test body in another, and a pool belongs to one loop. Piccolo then opens a
# connection for every statement outside a transaction and for every transaction, and closes it
# after: some 120 connections a test, which cost more than half of the PostgreSQL round. Here a
# connection Piccolo closes is kept for the next statement of the same event loop instead, and
# really closed when that loop closes (every event loop of the run comes from
# :class:`ClosingLoopPolicy`). An event loop lives for one test at most (anyio's loop of an
# async test, the test client's loop, an ``asyncio.run``), so no connection outlives its test;
# within a test, what the app's statements see of a connection is what they would see of its
# production pool (``core.db.keep_session_state``: the app leaves nothing in a session).

_kept: dict[asyncio.AbstractEventLoop, list[KeptConnection]] = {}


class KeptConnection(asyncpg.Connection):  # type: ignore[misc]
    """A connection whose ``close()`` keeps it for the next statement of its event loop,
    unless it is in a transaction or already closed."""

    async def close(self, *, timeout: float | None = None) -> None:  # noqa: ASYNC109 - asyncpg's signature
        loop = asyncio.get_running_loop()
        if self.is_closed() or self.is_in_transaction() or loop.is_closed():
            await super().close(timeout=timeout)
            return
        _kept.setdefault(loop, []).append(self)

    async def really_close(self) -> None:
        await super().close(timeout=5)


class ReusingPostgresEngine(ArkivPostgresEngine):
    """The app's engine, taking a kept connection of the running event loop before opening a
    new one (see :func:`reuse_connections`)."""

    __slots__ = ()

    async def get_new_connection(self) -> asyncpg.Connection:
        kept = _kept.get(asyncio.get_running_loop(), [])
        while kept:
            connection = kept.pop()
            if not connection.is_closed():
                return connection
        return await asyncpg.connect(**self.config, connection_class=KeptConnection)


def reuse_connections(engine: object) -> None:
    """Let ``engine`` (the app's PostgreSQL engine of the test database, from
    :func:`core.db.engine_for`) keep its connections per event loop. The engine object stays
    the same (tables are bound to it). Any other engine is refused: silently leaving it as it
    was doubled the PostgreSQL round once (the app's engine had become a subclass)."""
    if type(engine) is ReusingPostgresEngine:
        return
    if type(engine) is not ArkivPostgresEngine:
        raise TypeError(
            f"reuse_connections expects the app's ArkivPostgresEngine, not {type(engine).__name__}"
        )
    engine.__class__ = ReusingPostgresEngine


class ClosingLoop(asyncio.SelectorEventLoop):
    """An event loop that closes the connections kept for it when it closes."""

    def close(self) -> None:
        kept = _kept.pop(self, [])
        if kept and not self.is_closed() and not self.is_running():
            self.run_until_complete(_close_all(kept))
        super().close()


async def _close_all(connections: list[KeptConnection]) -> None:
    await asyncio.gather(*(c.really_close() for c in connections), return_exceptions=True)


class ClosingLoopPolicy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        return ClosingLoop()
