from pathlib import Path

from piccolo.conf.apps import AppConfig

from tests.dummy_plugin.tables import DummyNote

APP_CONFIG = AppConfig(
    app_name="dummy_plugin",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[DummyNote],
    migration_dependencies=["core.piccolo_app"],
    commands=[],
)
