"""Piccolo app of the restanse plugin: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

APP_CONFIG = AppConfig(
    app_name="restanse",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[],
    migration_dependencies=["core.piccolo_app"],
    commands=[],
)
