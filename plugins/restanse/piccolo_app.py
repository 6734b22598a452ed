"""Piccolo app of the restanse plugin: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.restanse.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="restanse",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["core.piccolo_app"],
    commands=[],
)
