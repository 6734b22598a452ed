"""Test database helpers: create/drop a PostgreSQL database, empty every table."""

from __future__ import annotations

import asyncio
import contextlib
import os
from urllib.parse import urlsplit

from core.db import app_registry, bind_tables
from core.settings import Settings

POSTGRES_ADMIN_DSN = os.environ.get("ARKIV_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


class PostgresUnreachableError(Exception):
    """PostgreSQL does not answer at :data:`POSTGRES_ADMIN_DSN`; the message says what to do."""


def postgres_url(name: str) -> str:
    """The URL of database ``name`` on the test server."""
    return POSTGRES_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"


def create_postgres_database(name: str) -> str:
    """Create an empty database; fail loudly (never skip) when PostgreSQL is unreachable."""
    import asyncpg

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
    import asyncpg

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
        import asyncpg

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
