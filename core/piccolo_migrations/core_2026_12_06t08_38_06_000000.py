"""Task lists: composite indexes for the inbox (own, role, taken, deputy), the sent tasks and
the tasks about one object. The same statements run on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T08:38:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "task list indexes"

STATEMENTS = [
    "CREATE INDEX core_task_receiver_state ON core_task (receiver_person, state)",
    "CREATE INDEX core_task_role_state ON core_task (receiver_role, state)",
    "CREATE INDEX core_task_taken_state ON core_task (taken_by, state)",
    "CREATE INDEX core_task_sender_created ON core_task (sender, created)",
    "CREATE INDEX core_task_object ON core_task (object_type, object_id)",
]


def _drop(statement: str) -> str:
    name = statement.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
    return f"DROP INDEX {name}"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        for statement in STATEMENTS:
            await Table.raw(statement)

    async def drop() -> None:
        for statement in STATEMENTS:
            await Table.raw(_drop(statement))

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
