"""Core's Piccolo app: organisation, identities, audit log, outbox, job runs, sessions, and the
archive's Noark 5 records."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.archive.tables import ARCHIVE_TABLES
from core.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[*TABLES, *ARCHIVE_TABLES],
    migration_dependencies=[],
    commands=[],
)
