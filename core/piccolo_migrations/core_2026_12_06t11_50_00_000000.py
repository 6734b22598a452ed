"""Search: trigram GIN indexes on PostgreSQL for the ``ILIKE '%…%'`` of the archive search
(case and post titles, public titles, correspondents' names), so a search of a million posts
reads the index instead of every row.

Needs the ``pg_trgm`` extension (shipped with PostgreSQL; *trusted*, so the database owner may
create it). Where it cannot be created, the migration logs why and leaves search unindexed,
which still works. On SQLite nothing is done: ``LIKE '%…%'`` has no index there, and search at
SQLite's scale (a single-user or test install) is fast enough without one."""

import logging

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from core.archive.tables import Saksmappe

ID = "2026-12-06T11:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "trigram search indexes (PostgreSQL)"

log = logging.getLogger(__name__)


def engine_type() -> str:
    return str(Saksmappe._meta.db.engine_type)

INDEXES = {
    "core_saksmappe_tittel_trgm": ("core_saksmappe", "tittel"),
    "core_saksmappe_offentlig_tittel_trgm": ("core_saksmappe", "offentlig_tittel"),
    "core_journalpost_tittel_trgm": ("core_journalpost", "tittel"),
    "core_journalpost_offentlig_tittel_trgm": ("core_journalpost", "offentlig_tittel"),
    "core_korrespondansepart_navn_trgm": ("core_korrespondansepart", "navn"),
}


async def _create_extension() -> bool:
    """``CREATE EXTENSION pg_trgm`` in a savepoint (the migration runs in a transaction);
    False when the database refuses it."""
    await Table.raw("SAVEPOINT trgm")
    try:
        await Table.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # noqa: BLE001 - any refusal leaves search working, unindexed
        await Table.raw("ROLLBACK TO SAVEPOINT trgm")
        log.warning("pg_trgm kunne ikke opprettes (%s); søket virker, men uten trigramindeks", error)
        return False
    await Table.raw("RELEASE SAVEPOINT trgm")
    return True


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        if engine_type() != "postgres" or not await _create_extension():
            return
        for name, (table, column) in INDEXES.items():
            await Table.raw(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")

    async def drop() -> None:
        if engine_type() != "postgres":
            return
        for name in INDEXES:
            await Table.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
