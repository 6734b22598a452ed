"""Each correspondence party keeps its post's journaldato, so the search's name condition and
its date window are answered by one index (``navn`` trigrams and ``journaldato`` in one GIN
index, next migration) instead of looking up the post of every party with a matching name
(9 683 for a common surname at 1 million posts) to learn its date. A post's journaldato is
set when it is registered (or imported) and never changes; every insert of a party writes it.
The next migration fills it and builds the indexes (Piccolo runs a migration's raw
statements before its new columns)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "korrespondansepart: journaldato"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Korrespondansepart",
        tablename="core_korrespondansepart",
        column_name="journaldato",
        db_column_name="journaldato",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": None,
            "null": True,
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
    return manager
