"""The restanse ledger's month totals (core.archive.ledger): keys and indexes, then
``core_restanse_month`` filled from the ledger with the ledger's own statements
(:func:`core.archive.ledger.rebuild_months`, the same as ``arkivrutiner
rebuild-restanse-ledger`` runs). SQLite and PostgreSQL, the same SQL.

- ``core_restanse_month_key`` (unique): the key and month; the refresh reads and writes a key's
  rows through it;
- ``core_restanse_month_neste``, ``core_restanse_month_enhet``, ``core_restanse_month_behandler``:
  a count on D reads the month rows with ``maaned < B <= neste`` (B: a month boundary near D),
  of all units, of some units or of one handler;
- ``core_restanse_ledger_dato``, ``core_restanse_ledger_enhet``: the ledger rows of at most half
  a month that a count adds or subtracts, of all units or of some (one handler's:
  ``core_restanse_ledger_behandler``, made with the ledger);
- ``core_restanse_span_enhet``, ``core_restanse_span_behandler``: the spans of a unit by
  journaldato (a report with a period) and a handler's open spans (the card's figures).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T14:23:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "restanse ledger: month totals, keys and indexes, filled"

INDEXES = {
    "core_restanse_month_key": "ON core_restanse_month (enhet, saksbehandler, journalposttype, maaned)",
    "core_restanse_month_neste": "ON core_restanse_month (neste, maaned)",
    "core_restanse_month_enhet": "ON core_restanse_month (enhet, neste)",
    "core_restanse_month_behandler": "ON core_restanse_month (saksbehandler, neste)",
    "core_restanse_ledger_dato": "ON core_restanse_ledger (dato)",
    "core_restanse_ledger_enhet": "ON core_restanse_ledger (enhet, dato)",
    "core_restanse_span_enhet": "ON core_restanse_span (enhet, fra_dato)",
    "core_restanse_span_behandler": "ON core_restanse_span (saksbehandler, til_dato)",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def fill() -> None:
        from core.archive.ledger import rebuild_months

        for name, target in INDEXES.items():
            unique = "UNIQUE " if name.endswith("_key") else ""
            await Table.raw(f"CREATE {unique}INDEX IF NOT EXISTS {name} {target}")
        await rebuild_months(lambda query: Table.raw("{}", query))

    async def drop() -> None:
        for name in INDEXES:
            await Table.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(fill)
    manager.add_raw_backwards(drop)
    return manager
