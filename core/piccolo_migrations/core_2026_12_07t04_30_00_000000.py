"""Search: on PostgreSQL the trigram-and-date indexes of the public titles and of the
correspondents' names hold only the rows the search can find (partial indexes), so a date
window reads fewer index entries.

- ``offentlig_tittel``: only rows with a public title (``WHERE offentlig_tittel <> ''``; an empty
  one matches no search text, which has at least two characters). At 1 million posts a third of
  the posts and a quarter of the cases have one.
- ``navn``: only the external correspondents (``WHERE NOT intern``; the search never matches an
  internal recipient's name), 56 % of the parties.

The search's statements carry the same conditions, so the planner takes these indexes
(:mod:`core.archive.queries.search`). Each replaces the index of migration
``core_2026_12_06t17_10_01`` over every row. Where ``pg_trgm``/``btree_gin`` are missing the
old indexes were never made; then nothing is done here either (search stays unindexed, and
correct). On SQLite nothing is done."""

import logging

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from core.archive.tables import Saksmappe

ID = "2026-12-07T04:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search: partial trigram-and-date indexes for public titles and external names (PostgreSQL)"

log = logging.getLogger(__name__)

INDEXES = {
    "core_saksmappe_offentlig_tittel_del": (
        "core_saksmappe",
        "offentlig_tittel gin_trgm_ops, saksdato",
        "offentlig_tittel <> ''",
        "core_saksmappe_offentlig_tittel_dato",
    ),
    "core_journalpost_offentlig_tittel_del": (
        "core_journalpost",
        "offentlig_tittel gin_trgm_ops, journaldato",
        "offentlig_tittel <> ''",
        "core_journalpost_offentlig_tittel_dato",
    ),
    "core_korrespondansepart_navn_ekstern": (
        "core_korrespondansepart",
        "navn gin_trgm_ops, journaldato",
        "NOT intern",
        "core_korrespondansepart_navn_dato",
    ),
}
"""New index → (table, columns, predicate, the index over every row it replaces)."""


def engine_type() -> str:
    return str(Saksmappe._meta.db.engine_type)


async def _extensions() -> bool:
    """``pg_trgm`` and ``btree_gin`` are installed (created by the earlier migrations where the
    database allowed it)."""
    rows = await Table.raw("SELECT COUNT(*) AS n FROM pg_extension WHERE extname IN ('pg_trgm', 'btree_gin')")
    return int(rows[0]["n"]) == 2


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        if engine_type() != "postgres":
            return
        if not await _extensions():
            log.warning("pg_trgm eller btree_gin mangler; søket beholder indeksene det har")
            return
        for name, (table, columns, where, old) in INDEXES.items():
            await Table.raw(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({columns}) WHERE {where}"
            )
            await Table.raw(f"DROP INDEX IF EXISTS {old}")

    async def back() -> None:
        if engine_type() != "postgres" or not await _extensions():
            return
        for name, (table, columns, _where, old) in INDEXES.items():
            await Table.raw(f"CREATE INDEX IF NOT EXISTS {old} ON {table} USING gin ({columns})")
            await Table.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(back)
    return manager
