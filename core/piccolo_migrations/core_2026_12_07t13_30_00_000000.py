"""The two front-page cards that counted rows they then read one by one
(:mod:`core.archive.queries.mine`) count from an index alone:

- ``core_journalpost_uekspedert``: a handler's outgoing letters (U) not yet ekspedert (R, F, G),
  by journaldato, for *Mine journalposter*'s count and list. The count read every such post's
  page through ``(saksbehandler, journalstatus)`` to check its type.
- ``core_korrespondansepart_behandler_fordelt_post``: migration ``core_2026_12_06t18_20_00``'s
  index of internal recipients by handler and ``fordelt_dato``, with the post's id, so the card
  counts the distinct posts from the index instead of looking up each post. It replaces that
  index (every query that used it can use this one).
- ``core_journalpost_registrert``: the incoming posts (I, N) by the person who registered them
  and journaldato, with the id, for Fellestjenesten/Arkiv's *Registrering* card (how many today,
  and the newest). It read all of the day's incoming posts, everyone's.

At 1 million posts the handler's card went from 1.1 to about 0.25 ms of PostgreSQL's CPU and
the archive's from 1.1–1.9 to about 0.25 ms (docs/benchmarks.md). SQLite and PostgreSQL, the
same SQL (no ``INCLUDE``: SQLite has none, so the id is a last key column)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T13:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes for the counts of the Mine journalposter and Registrering cards"

INDEXES = {
    "core_journalpost_uekspedert": (
        "core_journalpost (saksbehandler, journaldato, id) "
        "WHERE journalposttype = 'U' AND journalstatus IN ('R', 'F', 'G')"
    ),
    "core_korrespondansepart_behandler_fordelt_post": (
        "core_korrespondansepart (saksbehandler, fordelt_dato, journalpost) WHERE intern"
    ),
    "core_journalpost_registrert": (
        "core_journalpost (opprettet_av, journaldato, id) WHERE journalposttype IN ('I', 'N')"
    ),
}
"""Index name → ``ON`` clause."""
REPLACED = ("core_korrespondansepart_behandler_fordelt", "core_korrespondansepart (saksbehandler, fordelt_dato) WHERE intern")
"""The index the recipients' one replaces, and its ``ON`` clause (to make it again backwards)."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        for name, on in INDEXES.items():
            await Table.raw(f"CREATE INDEX IF NOT EXISTS {name} ON {on}")
        await Table.raw(f"DROP INDEX IF EXISTS {REPLACED[0]}")

    async def drop() -> None:
        await Table.raw(f"CREATE INDEX IF NOT EXISTS {REPLACED[0]} ON {REPLACED[1]}")
        for name in INDEXES:
            await Table.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
