"""Restanse lists by journaldato: an index on ``core_restanse_span (saksbehandler, fra_dato)``.

*Egne restanser* sorted by journaldato (the default, oldest first) reads its page from the
handler's open spans in ``fra_dato`` order (:func:`core.archive.ledger.open_page_ids`); a unit's
list uses ``core_restanse_span_enhet (enhet, fra_dato)``. Same SQL on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "restanse: span index by handler and journaldato"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        await Table.raw(
            "CREATE INDEX IF NOT EXISTS core_restanse_span_behandler_dato ON core_restanse_span "
            "(saksbehandler, fra_dato)"
        )

    async def drop() -> None:
        await Table.raw("DROP INDEX IF EXISTS core_restanse_span_behandler_dato")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
