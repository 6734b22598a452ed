"""The restanse spans keep their post's forfallsdato and their recipient's foreløpig svar, so the
card's *forfalt*, *§ 11 a* and *foreløpig svar* read the handler's spans alone
(:func:`core.archive.queries.restanse_lists.own_summary`) instead of looking up a post and a
recipient per restanse (150 ms for a handler with 10 000 restanser at 1 million posts). The
next migration fills them (Piccolo runs a migration's raw statements before its new columns);
the ledger's refreshes keep them current (the foreløpig svar and a post's edit refresh them)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "restanse spans: forfallsdato and foreløpig svar"


def _column(manager: MigrationManager, name: str) -> None:
    manager.add_column(
        table_class_name="RestanseSpan",
        tablename="core_restanse_span",
        column_name=name,
        db_column_name=name,
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


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    _column(manager, "forfallsdato")
    _column(manager, "foreloepig_svar_dato")

    return manager
