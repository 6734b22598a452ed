"""Fill the restanse spans' ``forfallsdato`` and ``foreloepig_svar_dato`` (added by the previous
migration) from the posts and the recipients: one set-based statement per column, the same SQL
on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T15:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "restanse spans: fill forfallsdato and foreløpig svar"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def fill() -> None:
        await Table.raw(
            "UPDATE core_restanse_span SET forfallsdato = "
            "(SELECT j.forfallsdato FROM core_journalpost j WHERE j.id = core_restanse_span.journalpost)"
        )
        await Table.raw(
            "UPDATE core_restanse_span SET foreloepig_svar_dato = (SELECT k.foreloepig_svar_dato "
            "FROM core_korrespondansepart k WHERE k.id = core_restanse_span.korrespondansepart)"
        )

    manager.add_raw(fill)
    return manager
