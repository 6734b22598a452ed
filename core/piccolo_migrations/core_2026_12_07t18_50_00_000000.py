"""The restanse spans keep their post's number (its case's saksår and sekvensnummer, its own
journalpostnummer), so a restanse list sorted by case number reads its page's place from the
spans (:data:`core.archive.queries.restanse_lists.SPAN_SORTS`) instead of joining every restanse of the
scope to its post and case (0.16 s for the busiest handler's 10 674 restanser at 1 million
posts). None of the three changes after registration. The next migration fills them (Piccolo
runs a migration's raw statements before its new columns); the ledger's refreshes write them
with every span."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T18:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "restanse spans: the post's number"

COLUMNS = ("saksaar", "sakssekvensnummer", "journalpostnummer")


def _column(manager: MigrationManager, name: str) -> None:
    manager.add_column(
        table_class_name="RestanseSpan",
        tablename="core_restanse_span",
        column_name=name,
        db_column_name=name,
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    for name in COLUMNS:
        _column(manager, name)
    return manager
