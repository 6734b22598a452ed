"""The restanse ledger (core.archive.ledger): its unique key (the refresh upserts on it) and an
index for one handler's count, then filled from the records with the ledger's own set-based
rebuild (the same SQL as ``arkivrutiner rebuild-restanse-ledger``), without the month totals,
whose table a later migration makes and fills. SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T12:09:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "restanse ledger: keys, filled from the records"

INDEXES = {
    "core_restanse_ledger_key": "ON core_restanse_ledger (enhet, saksbehandler, journalposttype, dato)",
    "core_restanse_ledger_behandler": "ON core_restanse_ledger (saksbehandler, dato)",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def fill() -> None:
        from core.archive.ledger import rebuild

        for name, target in INDEXES.items():
            unique = "UNIQUE " if name.endswith("_key") else ""
            await Table.raw(f"CREATE {unique}INDEX IF NOT EXISTS {name} {target}")
        await rebuild(lambda query: Table.raw("{}", query), months=False, card_columns=False, open_rows=False)

    async def drop() -> None:
        for name in INDEXES:
            await Table.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(fill)
    manager.add_raw_backwards(drop)
    return manager
