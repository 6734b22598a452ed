"""``core_restanse_open`` (core.archive.open_counts) gets three axes per handler, for the
handler's restanse card and *Egne restanser*: forfalt (``H``, by the day after which a restanse is
forfalt), past § 11 a (``P``, the I posts without a foreløpig svar, by journaldato) and with a
foreløpig svar (``S``, by journaldato). Filled from the restanse spans
(:func:`core.archive.open_counts.rebuild` of those three axes alone; the rows of the two older
axes stay as they are). A new column value only, so no change of schema: the table, its key and
the span columns read (``journalposttype``, ``forfallsdato``, ``foreloepig_svar_dato``) exist
since the earlier migrations. SQLite and PostgreSQL, the same SQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T01:35:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "restanse: a handler's forfalt, § 11 a and foreløpig svar in the open counts, filled from the spans"

AXES = ("H", "P", "S")
""":data:`core.archive.open_counts.OWN_AXES` when this migration was written."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def fill() -> None:
        from core.archive import open_counts

        await open_counts.rebuild(lambda query: Table.raw("{}", query), axes=AXES)

    async def empty() -> None:
        await Table.raw("DELETE FROM core_restanse_open WHERE akse IN ('H', 'P', 'S')")

    manager.add_raw(fill)
    manager.add_raw_backwards(empty)
    return manager
