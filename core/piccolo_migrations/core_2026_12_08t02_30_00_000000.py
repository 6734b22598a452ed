"""Undispatched outgoing letters by handler: a partial index
``core_journalpost_unsent (saksbehandler, journaldato) WHERE journalposttype = 'U' AND
journalstatus IN ('R', 'S', 'F', 'G')``.

The training follow-up's signal (:func:`core.archive.queries.signals.unsent_query`: each
handler's letters not dispatched two weeks after their journaldato) combined the indexes on
``journalstatus`` and ``journalposttype`` and read every outgoing letter's entry (280 000 at a
million posts, 23–29 ms); the index holds only the letters not yet dispatched (about 8 000).
The codes are written out in the statement (:func:`core.admin.common.codes_in`), so SQLite,
which compares the text of a partial index's condition, uses it too. Same SQL on SQLite and
PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-08T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial index of undispatched outgoing letters by handler"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        await Table.raw(
            "CREATE INDEX IF NOT EXISTS core_journalpost_unsent ON core_journalpost "
            "(saksbehandler, journaldato) WHERE journalposttype = 'U' AND journalstatus IN ('R', 'S', 'F', 'G')"
        )

    async def drop() -> None:
        await Table.raw("DROP INDEX IF EXISTS core_journalpost_unsent")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
