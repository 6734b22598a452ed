"""``core_restanse_open`` (core.archive.open_counts): its unique key, on which a ledger refresh
upserts and by which a unit's forfalt is read, and the index by date by which every handler's old
restanser are read (the training card of Fellestjenesten/Arkiv), each carrying ``antall``
(``INCLUDE`` on PostgreSQL; on SQLite the second has more key columns); then filled from the
restanse spans (:func:`core.archive.open_counts.rebuild`, as ``arkivrutiner
rebuild-restanse-ledger`` does)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from core.archive import open_counts

ID = "2026-12-06T22:21:18:000000"
VERSION = "1.38.0"
DESCRIPTION = "restanse: keys of the open counts, filled from the spans"


def _engine_type() -> str:
    return str(Table._meta.db.engine_type)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        key = "ON core_restanse_open (akse, noekkel, periode, dato)"
        by_date = "ON core_restanse_open (akse, periode, dato"
        if _engine_type() == "postgres":
            key, by_date = f"{key} INCLUDE (antall)", f"{by_date}) INCLUDE (noekkel, antall)"
        else:
            by_date = f"{by_date}, noekkel, antall)"
        await Table.raw(f"CREATE UNIQUE INDEX IF NOT EXISTS core_restanse_open_key {key}")
        await Table.raw(f"CREATE INDEX IF NOT EXISTS core_restanse_open_dato {by_date}")
        await open_counts.rebuild(lambda query: Table.raw("{}", query))

    async def back() -> None:
        await Table.raw("DROP INDEX IF EXISTS core_restanse_open_dato")
        await Table.raw("DROP INDEX IF EXISTS core_restanse_open_key")

    manager.add_raw(create)
    manager.add_raw_backwards(back)
    return manager
