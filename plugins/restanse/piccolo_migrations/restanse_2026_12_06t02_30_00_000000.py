"""Indexes for the restanse counts (partial, covering; the same SQL on SQLite and PostgreSQL).

- ``restanse_mottaker``: the internal recipients (IM) in id order with what the counts need, so
  the write-off join (``core_avskrivning_part``) is an index-only merge join;
- ``restanse_journalpost``: the I/N posts that are not U, with journaldato, type and status, so
  the recipients that are still open are matched to their post without reading the table;
- ``restanse_avskrivning_post``: write-offs not tied to a recipient (imported), by post.

On 1 million journal posts (PostgreSQL 15) they take the monthly table from about 1.3 s to about
0.4 s (docs/benchmarks.md).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "restanse count indexes"

STATEMENTS = [
    "CREATE INDEX restanse_mottaker ON core_korrespondansepart "
    "(id, journalpost, administrativ_enhet, saksbehandler) "
    "WHERE intern AND korrespondanseparttype = 'IM'",
    "CREATE INDEX restanse_journalpost ON core_journalpost "
    "(id, journaldato, journalposttype, journalstatus) "
    "WHERE journalposttype IN ('I', 'N') AND journalstatus <> 'U'",
    "CREATE INDEX restanse_avskrivning_post ON core_avskrivning (journalpost, avskrivningsdato) "
    "WHERE korrespondansepart IS NULL",
]


def _drop(statement: str) -> str:
    name = statement.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
    return f"DROP INDEX {name}"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="restanse", description=DESCRIPTION)

    async def create() -> None:
        for statement in STATEMENTS:
            await Table.raw(statement)

    async def drop() -> None:
        for statement in STATEMENTS:
            await Table.raw(_drop(statement))

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
