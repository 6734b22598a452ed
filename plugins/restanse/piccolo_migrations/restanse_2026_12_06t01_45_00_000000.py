"""Restanse tables: composite unique indexes (SQLite cannot add table constraints later)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T01:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "restanse unique indexes"

STATEMENTS = [
    # One snapshot row per report date, unit and handler (NULL handler: COALESCE to 0).
    "CREATE UNIQUE INDEX restanse_snapshot_dato_enhet_behandler "
    "ON restanse_snapshot (dato, administrativ_enhet, COALESCE(saksbehandler, 0))",
    "CREATE UNIQUE INDEX restanse_saved_criteria_person_rapport ON restanse_saved_criteria (person, rapport)",
    "CREATE UNIQUE INDEX restanse_mail_item_run_person_kind ON restanse_mail_item (run, person, kind)",
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
