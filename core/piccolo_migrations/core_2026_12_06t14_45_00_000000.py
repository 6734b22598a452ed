"""Search by date window: an index on ``core_saksmappe (saksdato)``.

The search (:mod:`core.archive.queries.search`) looks for the newest hits in the last month
first, then the last year, then everywhere. A case's title candidates come from the trigram
index; with this index PostgreSQL intersects them with the window's cases (``BitmapAnd``)
instead of reading every candidate to check its date (the posts' window already had
``core_journalpost_journaldato``). Same SQL on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T14:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search: index on saksmappe.saksdato"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        await Table.raw("CREATE INDEX IF NOT EXISTS core_saksmappe_saksdato ON core_saksmappe (saksdato)")

    async def drop() -> None:
        await Table.raw("DROP INDEX IF EXISTS core_saksmappe_saksdato")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
