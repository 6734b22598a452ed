"""The queues *Til fordeling* from the write side: the index a queue's count reads, and the
spans filled from the records (:func:`core.archive.fordeling_spans.rebuild`).

``core_fordeling_span_queue`` on (enhet, fra_dato) carries ``til_dato`` and ``mottatt`` too —
``INCLUDE`` on PostgreSQL, more key columns on SQLite — so a queue's count and oldest item
(:func:`core.archive.fordeling_spans.summary_query`) read no table rows.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from core.archive import fordeling_spans

ID = "2026-12-06T19:27:32:000000"
VERSION = "1.38.0"
DESCRIPTION = "fordeling spans: queue index, filled from the records"


def _engine_type() -> str:
    return str(Table._meta.db.engine_type)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        if _engine_type() == "postgres":
            target = "ON core_fordeling_span (enhet, fra_dato) INCLUDE (til_dato, mottatt)"
        else:
            target = "ON core_fordeling_span (enhet, fra_dato, til_dato, mottatt)"
        await Table.raw(f"CREATE INDEX IF NOT EXISTS core_fordeling_span_queue {target}")
        await fordeling_spans.rebuild(lambda query: Table.raw("{}", query))

    async def back() -> None:
        await Table.raw("DROP INDEX IF EXISTS core_fordeling_span_queue")

    manager.add_raw(create)
    manager.add_raw_backwards(back)
    return manager
