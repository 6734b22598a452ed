"""Migrations apply on the configured engine, readiness reflects them, writes are serialised."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.db import close_engine, pending_migrations, prepare_engine, sorted_app_names, writing
from core.tables import Unit

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "core.cli"]


def run_cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARKIV_DATABASE_URL": database_url, "ARKIV_EXTRA_PLUGINS": ""}
    return subprocess.run([*CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


async def test_every_app_is_migrated(settings) -> None:
    assert sorted_app_names(settings)[0] == "core"
    assert {"fordeling", "restanse", "godkjenning", "onboarding", "dummy_plugin"} <= set(
        sorted_app_names(settings)
    )
    assert await pending_migrations(settings) == []


async def test_readyz_is_ok_when_migrated(client) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert (await client.get("/healthz")).json() == {"status": "ok"}


def test_fresh_sqlite_database_migrates_from_the_command_line(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    first = run_cli("migrate", database_url=url)
    assert first.returncode == 0, first.stderr
    assert "nye migreringer kjørt" in first.stdout
    second = run_cli("migrate", database_url=url)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "Databasen er oppdatert."
    journal = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sqlite3;print(sqlite3.connect({str(tmp_path / 'fresh.sqlite')!r}).execute('pragma journal_mode').fetchone()[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert journal.stdout.strip() == "wal"


def test_readiness_reports_pending_migrations(tmp_path) -> None:
    script = (
        "import asyncio, json; from core.settings import load_settings;"
        "from core.db import pending_migrations;"
        "print(json.dumps(asyncio.run(pending_migrations(load_settings()))))"
    )
    env = {
        **os.environ,
        "ARKIV_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}",
        "ARKIV_EXTRA_PLUGINS": "",
    }
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "core:2026-11-22T04:24:51:818812" in result.stdout


def test_invalid_configuration_stops_the_command_with_a_norwegian_message() -> None:
    result = run_cli("migrate", database_url="mysql://nope")
    assert result.returncode == 2
    assert "ARKIV_DATABASE_URL må begynne med sqlite:/// eller postgresql://" in result.stderr


async def test_concurrent_write_transactions_do_not_lose_updates(settings, db) -> None:
    unit = Unit(code="TELL", name="0", active=True)
    await unit.save()

    async def increment() -> None:
        async with writing(Unit):
            row = await Unit.select(Unit.name).where(Unit.id == unit.id).first()
            await asyncio.sleep(0)
            await Unit.update({Unit.name: str(int(row["name"]) + 1)}).where(Unit.id == unit.id)

    if settings.is_postgres:
        # PostgreSQL's default isolation lets read-then-write race; callers lock or use versions.
        pytest.skip("read-modify-write serialisation is an SQLite IMMEDIATE property")
    await asyncio.gather(*(increment() for _ in range(20)))
    row = await Unit.select(Unit.name).where(Unit.id == unit.id).first()
    assert row["name"] == "20"


@pytest.mark.skipif(os.environ.get("ARKIV_TEST_DATABASE") != "postgres", reason="PostgreSQL's settings")
async def test_postgresql_sessions_run_with_the_apps_settings(db) -> None:
    """The app's connections switch JIT compilation and parallel workers off and plan every
    statement for its values (``core.db.SERVER_SETTINGS``: a generic plan of a prepared
    statement took 8.6 ms where the plan for the values took 0.1 ms)."""
    for name, value in {
        "jit": "off",
        "max_parallel_workers_per_gather": "0",
        "plan_cache_mode": "force_custom_plan",
    }.items():
        rows = await Unit.raw(f"SHOW {name}")
        assert rows[0][name] == value, name


@pytest.mark.skipif(os.environ.get("ARKIV_TEST_DATABASE") != "postgres", reason="PostgreSQL's pool")
async def test_the_pool_sends_no_reset_after_each_statement(db) -> None:
    """A pooled connection goes back without asyncpg's reset query (one more round trip per
    statement); what a transaction set with ``SET LOCAL`` still ends with the transaction."""
    engine = Unit._meta.db
    await prepare_engine(engine, pool_size=1)
    try:
        await Unit.raw("SELECT 1 AS x")
        connection = engine.pool._holders[0]._con
        before = connection._protocol.queries_count
        for _ in range(5):
            await Unit.raw("SELECT 1 AS x")
        assert connection._protocol.queries_count - before == 5
        async with engine.transaction():
            await Unit.raw("SET LOCAL enable_hashjoin = off")
            assert (await Unit.raw("SHOW enable_hashjoin"))[0]["enable_hashjoin"] == "off"
        assert (await Unit.raw("SHOW enable_hashjoin"))[0]["enable_hashjoin"] == "on"
    finally:
        await close_engine(engine)
