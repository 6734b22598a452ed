"""Core's Piccolo app: organisation, identities, audit log, outbox, job runs, sessions."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=list(TABLES),
    migration_dependencies=[],
    commands=[],
)
