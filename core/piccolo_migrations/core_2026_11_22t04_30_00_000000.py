"""Composite and lookup indexes that the auto migration cannot express portably.

SQLite cannot ``ALTER TABLE ... ADD CONSTRAINT``, so composite uniqueness is a unique index;
the same statements run on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-22T04:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX core_person_role_person_role ON core_person_role (person, role)",
    "CREATE UNIQUE INDEX core_identity_oid_tid ON core_identity (oid, tid)",
    "CREATE UNIQUE INDEX core_job_run_job_slot ON core_job_run (job, slot)",
    "CREATE INDEX core_audit_event_object ON core_audit_event (object_type, object_id)",
    "CREATE INDEX core_deputy_period_dates ON core_deputy_period (deputy, starts, ends)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create_indexes() -> None:
        for statement in STATEMENTS:
            await Table.raw(statement)

    async def drop_indexes() -> None:
        for statement in STATEMENTS:
            name = statement.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
            await Table.raw(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
