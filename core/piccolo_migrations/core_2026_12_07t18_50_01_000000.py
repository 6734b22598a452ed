"""Fill the restanse spans' post numbers (added by the previous migration) from the posts and
their cases: one set-based statement, the same SQL on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T18:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "restanse spans: fill the post's number"

_CASE = (
    "(SELECT s.{column} FROM core_journalpost j JOIN core_saksmappe s ON s.id = j.saksmappe "
    "WHERE j.id = core_restanse_span.journalpost)"
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def fill() -> None:
        await Table.raw(
            "UPDATE core_restanse_span SET "
            f"saksaar = COALESCE({_CASE.format(column='saksaar')}, 0), "
            f"sakssekvensnummer = COALESCE({_CASE.format(column='sakssekvensnummer')}, 0), "
            "journalpostnummer = COALESCE((SELECT j.journalpostnummer FROM core_journalpost j "
            "WHERE j.id = core_restanse_span.journalpost), 0)"
        )

    manager.add_raw(fill)
    return manager
