"""Fill who registered each foreløpig svar, and when, from the hendelseslogg (the newest
``archive.foreloepig_svar`` event of the recipient; imported ones have none and stay empty, so
nobody can undo them), and index the posts named as foreløpig svar (partial: most recipients
name none), which deleting a reserved post checks. The same SQL on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T19:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "foreløpig svar: fill registered by and at, index the answering post"

_EVENT = (
    "(SELECT e.{column} FROM core_audit_event e WHERE e.object_type = 'korrespondansepart' "
    "AND e.object_id = CAST(core_korrespondansepart.id AS TEXT) AND e.action = 'archive.foreloepig_svar' "
    "ORDER BY e.id DESC LIMIT 1)"
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def fill() -> None:
        await Table.raw(
            f"UPDATE core_korrespondansepart SET foreloepig_svar_av = {_EVENT.format(column='actor')}, "
            f"foreloepig_svar_registrert = {_EVENT.format(column='at')} "
            "WHERE foreloepig_svar_dato IS NOT NULL"
        )
        await Table.raw(
            "CREATE INDEX IF NOT EXISTS core_korrespondansepart_foreloepig_svar_journalpost "
            "ON core_korrespondansepart (foreloepig_svar_journalpost) "
            "WHERE foreloepig_svar_journalpost IS NOT NULL"
        )

    async def drop() -> None:
        await Table.raw("DROP INDEX IF EXISTS core_korrespondansepart_foreloepig_svar_journalpost")

    manager.add_raw(fill)
    manager.add_raw_backwards(drop)
    return manager
