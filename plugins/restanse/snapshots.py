"""Monthly snapshots: the counts per unit and handler on a report date, stored as the record of
what was reported and for trends (``restanse_snapshot``).

The counts are always computed from the records; a snapshot only stores what they were. Taking
a snapshot for a date again replaces that date's rows in one transaction (idempotent). The job
``restanse.snapshot`` runs early on the 1st of each month and stores the counts at the end of
the month before (the date the monthly report and the trends use).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from core import audit
from core.archive.queries.common import QueryString, run
from core.db import writing
from core.i18n import _
from core.timeutil import OSLO, now
from plugins.restanse.rule import counts_per_handler
from plugins.restanse.tables import Snapshot

if TYPE_CHECKING:
    from core.jobs import JobContext

SNAPSHOT_JOB = "restanse.snapshot"
SNAPSHOT_SCHEDULE = "15 4 1 * *"
"""04:15 on the 1st of every month (Europe/Oslo)."""


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
    """The stored rows of ``day``: unit code, handler name and count, by unit code and name."""
    return await run(
        QueryString(
            "SELECT s.administrativ_enhet AS unit_id, u.code, u.name AS unit_name, "
            "s.saksbehandler AS person_id, p.name AS person_name, s.antall "
            "FROM restanse_snapshot s JOIN core_unit u ON u.id = s.administrativ_enhet "
            "LEFT JOIN core_person p ON p.id = s.saksbehandler WHERE s.dato = {} "
            "ORDER BY u.code, (p.name IS NOT NULL), p.name",
            day,
        )
    )


def report_date_for(slot_day: date) -> date:
    """The month-end before the job's run date (the job runs on the 1st)."""
    return slot_day.replace(day=1) - timedelta(days=1)


async def snapshot_job(ctx: JobContext) -> str:
    day = report_date_for(ctx.slot.astimezone(OSLO).date())
    rows = await take(day)
    return _("Restanser per %(day)s lagret (%(rows)s rader)") % {
        "day": day.strftime("%d.%m.%Y"),
        "rows": rows,
    }
