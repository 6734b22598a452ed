"""*Mine journalposter* and its front-page card count the posts distributed to a handler in
the last days (:mod:`core.archive.queries.mine`): an index on the internal recipients by
handler and ``fordelt_dato`` answers that from the recent rows alone. Without it the count read
all of the busiest handler's 26 642 recipients at 1 million posts (42 ms, on every front
page of that handler); the same SQL on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T18:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "internal recipients by handler and fordelt_dato"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        await Table.raw(
            "CREATE INDEX IF NOT EXISTS core_korrespondansepart_behandler_fordelt "
            "ON core_korrespondansepart (saksbehandler, fordelt_dato) WHERE intern"
        )

    async def drop() -> None:
        await Table.raw("DROP INDEX IF EXISTS core_korrespondansepart_behandler_fordelt")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
