"""Two indexes of the restanse spans for the front page's cards, each carrying the columns its
count reads (``INCLUDE`` on PostgreSQL, more key columns on SQLite), so each count reads only
the open restanser it counts from the index, nothing of the archive's history:

- ``core_restanse_span_enhet_open`` (unit, til_dato; saksbehandler, journalposttype, fra_dato,
  forfallsdato): the forfalt restanser of a unit per handler
  (:func:`core.archive.ledger.overdue_per_handler`: the leader's card and *Restanser i egen
  enhet*); ``core_restanse_span_enhet`` is by journaldato, for a report's period;
- ``core_restanse_span_gammel`` (til_dato, fra_dato; saksbehandler): the open restanser older
  than three months per handler (:mod:`core.archive.queries.signals`: the training
  follow-up's signal and the card of Fellestjenesten/Arkiv), which read every old recipient of
  the archive by the rule before (158 ms at 200 000 posts, now a few)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T20:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "restanse spans: a unit's open spans and the old open spans, covering the cards' counts"

INDEXES = {
    "core_restanse_span_enhet_open": ("enhet, til_dato", "saksbehandler, journalposttype, fra_dato, forfallsdato"),
    "core_restanse_span_gammel": ("til_dato, fra_dato", "saksbehandler"),
}


def _engine_type() -> str:
    return str(Table._meta.db.engine_type)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        for name, (keys, carried) in INDEXES.items():
            if _engine_type() == "postgres":
                target = f"ON core_restanse_span ({keys}) INCLUDE ({carried})"
            else:
                target = f"ON core_restanse_span ({keys}, {carried})"
            await Table.raw(f"CREATE INDEX IF NOT EXISTS {name} {target}")

    async def drop() -> None:
        for name in INDEXES:
            await Table.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
