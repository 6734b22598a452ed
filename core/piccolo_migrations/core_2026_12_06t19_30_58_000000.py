"""core_list_preference's key: one row per person and list (core.web.list_preferences upserts
on it, and reads a person's row of a list by it). SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T19:30:58:000000"
VERSION = "1.38.0"
DESCRIPTION = "list preferences: unique key (person, list_key)"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        await Table.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS core_list_preference_key ON core_list_preference (person, list_key)"
        )

    async def drop() -> None:
        await Table.raw("DROP INDEX IF EXISTS core_list_preference_key")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
