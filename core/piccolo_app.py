"""Core's Piccolo app: organisation, identities, audit log, outbox, job runs, sessions, the
archive's Noark 5 records and the tasks (oppgaver)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.archive.tables import ARCHIVE_TABLES
from core.tables import TABLES
from core.tasks.tables import TASK_TABLES

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[*TABLES, *ARCHIVE_TABLES, *TASK_TABLES],
    migration_dependencies=[],
    commands=[],
)
