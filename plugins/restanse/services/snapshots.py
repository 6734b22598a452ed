"""Monthly snapshots: the counts per unit and handler on a report date, stored as the record of
what was reported and for trends (``restanse_snapshot``).

The counts are always computed from the records; a snapshot only stores what they were. Taking
a snapshot for a date again replaces that date's rows in one transaction (idempotent). The job
``restanse.snapshot`` runs early on the 1st of each month and stores the counts at the end of
the month before (the date the monthly report and the trends use).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from core import audit
from core.archive.ledger import counts_per_handler
from core.archive.queries.people import person_names
from core.archive.queries.units import units_by_id
from core.db import writing
from core.i18n import _
from core.timeutil import now
from plugins.restanse.tables import Snapshot


async def take(day: date, *, actor_id: int | None = None) -> int:
    """Store the restanser on ``day`` per unit and handler (the unit's restanser without a
    handler as a row with ``saksbehandler`` NULL), replacing the date's earlier rows.
    Returns the number of rows stored."""
    counts = await counts_per_handler([day])
    stamp = now()
    rows = [
        Snapshot(
            dato=day,
            administrativ_enhet=c.unit_id,
            saksbehandler=c.person_id,
            antall=c.counts[0],
            registrert=stamp,
        )
        for c in counts
    ]
    total = sum(c.counts[0] for c in counts)
    async with writing(Snapshot):
        await Snapshot.delete().where(Snapshot.dato == day)
        if rows:
            await Snapshot.insert(*rows)
        await audit.record(
            actor_id=actor_id,
            action="restanse.snapshot",
            object_type="restanse_snapshot",
            object_id=day.isoformat(),
            summary=_("Restanser per %(day)s lagret: %(total)s restanser i %(rows)s rader")
            % {"day": day.strftime("%d.%m.%Y"), "total": total, "rows": len(rows)},
            details={"dato": day.isoformat(), "rader": len(rows), "restanser": total},
        )
    return len(rows)


async def stored(day: date) -> list[dict[str, Any]]:
    """The stored rows of ``day``: unit code and name, handler name and count, by unit code and
    name (the unit's row without a handler first)."""
    rows = await Snapshot.select(Snapshot.administrativ_enhet, Snapshot.saksbehandler, Snapshot.antall).where(
        Snapshot.dato == day
    )
    unit_rows = await units_by_id([int(r["administrativ_enhet"]) for r in rows])
    names = await person_names([int(r["saksbehandler"]) for r in rows if r["saksbehandler"] is not None])
    result = []
    for row in rows:
        unit = unit_rows.get(int(row["administrativ_enhet"]), {})
        person = row["saksbehandler"]
        result.append(
            {
                "unit_id": int(row["administrativ_enhet"]),
                "code": unit.get("code", ""),
                "unit_name": unit.get("name", ""),
                "person_id": person,
                "person_name": names.get(person) if person is not None else None,
                "antall": int(row["antall"]),
            }
        )
    result.sort(key=lambda r: (r["code"], r["person_name"] is not None, r["person_name"] or ""))
    return result
