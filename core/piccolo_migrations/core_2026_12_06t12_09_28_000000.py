"""Fordeling at scale: a partial index for the queues *Til fordeling*, and the sender
suggestion's table filled from the history.

- ``core_korrespondansepart_til_fordeling`` on ``core_korrespondansepart (administrativ_enhet,
  journalpost) WHERE intern AND saksbehandler IS NULL``: the internal recipients without a
  handler, the only ones a queue or its counts can hold
  (:func:`core.archive.queries.distribution.queue_condition` states both terms literally, so
  the planner can prove the predicate). A unit's queue reads its key range; the central queue
  the ``administrativ_enhet IS NULL`` range; the counts of every queue the whole (small) index
  instead of every recipient of the archive.
- PostgreSQL only: extended statistics ``core_korrespondansepart_til_fordeling_stat`` (MCV of
  ``intern, saksbehandler``), then ``ANALYZE``. The planner otherwise multiplies the share of
  internal recipients by the share of rows without a handler (most external parties have
  none) and expects ~25 % of the table in the queues, where a few hundred wait: it then hashed
  the whole journalpost table for the counts. With the combined statistics it expects the
  few hundred and reads them through the index.
- ``core_avsender_saksbehandler_key``: the unique key (enhet, avsender, saksbehandler,
  tilgangsrestriksjon) of the table made by the previous migration, which the upserts of
  :mod:`core.archive.sender_handlers` name in ``ON CONFLICT``; the suggestion reads it by
  (enhet, avsender).
- The table filled with one set-based statement over the distributed recipients (the same
  statement as :func:`core.archive.sender_handlers.history`, kept here as it was written).

The same SQL on SQLite and PostgreSQL (partial indexes and window functions exist in both),
except the statistics.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from core.archive.tables import Korrespondansepart

ID = "2026-12-06T12:09:28:000000"
VERSION = "1.38.0"
DESCRIPTION = "fordeling: queue partial index, sender suggestion table filled"

FILL = (
    "INSERT INTO core_avsender_saksbehandler"
    " (enhet, avsender, saksbehandler, tilgangsrestriksjon, fordelt_dato, korrespondansepart)"
    " SELECT enhet, avsender, saksbehandler, tilgangsrestriksjon, fordelt_dato, korrespondansepart FROM ("
    " SELECT k2.administrativ_enhet AS enhet, e.navn AS avsender, k2.saksbehandler,"
    " j2.tilgangsrestriksjon, k2.fordelt_dato, k2.id AS korrespondansepart, ROW_NUMBER() OVER ("
    "  PARTITION BY k2.administrativ_enhet, e.navn, k2.saksbehandler, j2.tilgangsrestriksjon"
    "  ORDER BY (k2.fordelt_dato IS NULL), k2.fordelt_dato DESC, k2.id DESC) AS rn"
    " FROM core_korrespondansepart k2"
    " JOIN core_korrespondansepart e ON e.journalpost = k2.journalpost"
    "  AND NOT e.intern AND e.korrespondanseparttype = 'EA' AND e.navn <> ''"
    " JOIN core_journalpost j2 ON j2.id = k2.journalpost"
    " WHERE k2.intern AND k2.saksbehandler IS NOT NULL AND k2.administrativ_enhet IS NOT NULL"
    ") latest WHERE rn = 1"
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        await Table.raw(
            "CREATE INDEX IF NOT EXISTS core_korrespondansepart_til_fordeling ON core_korrespondansepart "
            "(administrativ_enhet, journalpost) WHERE intern AND saksbehandler IS NULL"
        )
        await Table.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS core_avsender_saksbehandler_key ON core_avsender_saksbehandler "
            "(enhet, avsender, saksbehandler, tilgangsrestriksjon)"
        )
        await Table.raw("DELETE FROM core_avsender_saksbehandler")
        await Table.raw(FILL)
        if Korrespondansepart._meta.db.engine_type == "postgres":
            await Table.raw(
                "CREATE STATISTICS IF NOT EXISTS core_korrespondansepart_til_fordeling_stat (mcv) "
                "ON intern, saksbehandler FROM core_korrespondansepart"
            )
            await Table.raw("ANALYZE core_korrespondansepart")
            await Table.raw("ANALYZE core_avsender_saksbehandler")

    async def drop() -> None:
        if Korrespondansepart._meta.db.engine_type == "postgres":
            await Table.raw("DROP STATISTICS IF EXISTS core_korrespondansepart_til_fordeling_stat")
        await Table.raw("DROP INDEX IF EXISTS core_avsender_saksbehandler_key")
        await Table.raw("DROP INDEX IF EXISTS core_korrespondansepart_til_fordeling")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
