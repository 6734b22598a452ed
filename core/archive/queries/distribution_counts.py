"""Counts of the fordeling queues: how many posts wait in each queue and since when, which
units have waited too long (the daily reminder), each one grouped statement over
:func:`core.archive.queries.distribution.pending_condition`; and open posts per handler
(omfordeling), from the restanse ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from core.archive import fordeling_spans, ledger
from core.archive.queries.common import QueryString, as_date, in_list, run
from core.archive.queries.distribution import (
    CENTRAL,
    age_days,
    pending_condition,
    received_before,
    received_day,
)
from core.archive.queries.restanser import Scope
from core.archive.tables import Korrespondansepart
from core.i18n import _
from core.memo import memoized
from core.timeutil import today

# --- counts and oldest age -----------------------------------------------------------------


@dataclass(frozen=True)
class QueueSummary:
    """How many items wait in one queue, and since when. ``unit_id`` None is the central queue."""

    unit_id: int | None
    code: str
    name: str
    count: int
    oldest: date | None

    @property
    def key(self) -> str:
        return CENTRAL if self.unit_id is None else str(self.unit_id)

    @property
    def label(self) -> str:
        if self.unit_id is None:
            return _("Fellestjenesten/Arkiv (uten enhet)")
        return f"{self.code} {self.name}"

    @property
    def age(self) -> int:
        return age_days(self.oldest)


def summaries_query(
    unit_ids: list[int] | None, *, central: bool = False, day: date | None = None
) -> QueryString | None:
    """The rule's grouped statement over the records (None: no queue asked for): per queue
    (``enhet``), ``n``, ``eldste_mottatt``, ``eldste_journaldato`` on ``day`` (default today).
    The pages read the same figures from the write side's spans
    (:func:`spans_summaries_query`); this is their reference (tests/core/archive/test_fordeling_spans.py)."""
    parts: list[QueryString] = []
    if unit_ids is None:
        parts.append(QueryString("k.administrativ_enhet IS NOT NULL"))
    elif unit_ids:
        parts.append(in_list("k.administrativ_enhet", unit_ids))
    if central:
        parts.append(QueryString("(k.administrativ_enhet IS NULL AND j.journalposttype = 'I')"))
    if not parts:
        return None
    return QueryString(
        "SELECT k.administrativ_enhet AS enhet, COUNT(*) AS n, MIN(COALESCE(j.mottatt_dato, j.sendt_dato)) AS eldste_mottatt, "
        "MIN(CASE WHEN j.mottatt_dato IS NULL AND j.sendt_dato IS NULL THEN j.journaldato END) AS eldste_journaldato "
        "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
        "WHERE {} AND ({}) GROUP BY k.administrativ_enhet",
        pending_condition(day),
        QueryString(" OR ".join("{}" for _ in parts), *parts),
    )


def spans_summaries_query(
    unit_ids: list[int] | None, *, central: bool = False, day: date | None = None
) -> QueryString | None:
    """The same figures as :func:`summaries_query`, from the write side's spans
    (:mod:`core.archive.fordeling_spans`; unit 0 is the central queue): what the pages run."""
    if unit_ids is None:  # every unit
        scope = QueryString("1 = 1" if central else "f.enhet <> 0")
    elif unit_ids or central:  # one range of the index per queue
        scope = in_list("f.enhet", [*unit_ids, *([0] if central else [])])
    else:
        return None
    return fordeling_spans.summary_query(scope, day or today())


async def summaries(
    unit_ids: list[int] | None, *, central: bool = False, only_waiting: bool = False
) -> list[QueueSummary]:
    """Count and oldest received date per queue, aggregated in the database.

    ``unit_ids``: the units to report (None: every active unit); ``central``: include the
    central queue. Queues without items are included (count 0) unless ``only_waiting``.
    Memoized per request (:mod:`core.memo`): the menu badge and the page ask for the same
    queues; every write that moves a queue refreshes the restanse ledger, which forgets the
    memo."""
    key = ("queue-summaries", tuple(unit_ids) if unit_ids is not None else None, central, only_waiting)
    found = await memoized(
        key,
        lambda: _summaries(unit_ids, central=central, only_waiting=only_waiting),
        in_transaction=Korrespondansepart._meta.db.transaction_exists(),
    )
    return list(found)


async def _summaries(unit_ids: list[int] | None, *, central: bool, only_waiting: bool) -> list[QueueSummary]:
    """One statement: the queues' figures from the spans, joined to the units they name (every
    unit asked for, with or without items) and the central queue first."""
    query = spans_summaries_query(unit_ids, central=central)
    if query is None:  # no units and not the central queue
        return []
    central_row = (
        "SELECT 0 AS del, NULL AS enhet, '' AS code, '' AS name, q.n, q.eldste_mottatt, "
        "q.eldste_journaldato FROM q WHERE q.enhet IS NULL UNION ALL "
        if central
        else ""
    )
    rows = await run(
        QueryString(
            f"WITH q AS ({{}}) SELECT * FROM ({central_row}"  # noqa: S608 - constant parts; values are bound
            "SELECT 1 AS del, u.id AS enhet, u.code AS code, u.name AS name, q.n, q.eldste_mottatt, "
            "q.eldste_journaldato FROM core_unit u LEFT JOIN q ON q.enhet = u.id WHERE {}"
            ") x ORDER BY x.del, x.code",
            query,
            in_list("u.id", unit_ids) if unit_ids is not None else QueryString("u.active"),
        ),
        # By key: the units' ranges of the index of waiting spans (a small table, what waits
        # today), one plan whoever asks (core.request_connection.raw_rows).
        generic_plan=True,
    )
    result: list[QueueSummary] = []
    if central and not any(int(row["del"]) == 0 for row in rows):
        result.append(QueueSummary(None, "", "", 0, None))
    for row in rows:
        days = [
            d for d in (received_day(row["eldste_mottatt"], None), as_date(row["eldste_journaldato"])) if d
        ]
        unit_id = int(row["enhet"]) if int(row["del"]) else None
        result.append(
            QueueSummary(unit_id, row["code"], row["name"], int(row["n"] or 0), min(days) if days else None)
        )
    if only_waiting:
        result = [s for s in result if s.count]
    return result


async def units_waiting_since(day: date) -> list[dict[str, Any]]:
    """Units whose queue holds items received before ``day``: ``{unit_id, code, name, count,
    overdue, oldest}`` (``count`` is the whole queue, ``overdue`` the old ones)."""
    rows = await run(
        QueryString(
            "SELECT k.administrativ_enhet AS enhet, u.code, u.name, COUNT(*) AS n, "
            "SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS gamle, MIN(COALESCE(j.mottatt_dato, j.sendt_dato)) AS eldste_mottatt, "
            "MIN(CASE WHEN j.mottatt_dato IS NULL AND j.sendt_dato IS NULL THEN j.journaldato END) AS eldste_journaldato "
            "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
            "JOIN core_unit u ON u.id = k.administrativ_enhet "
            "WHERE {} AND k.administrativ_enhet IS NOT NULL "
            "GROUP BY k.administrativ_enhet, u.code, u.name "
            "HAVING SUM(CASE WHEN {} THEN 1 ELSE 0 END) > 0 ORDER BY u.code",
            received_before(day),
            pending_condition(),
            received_before(day),
        )
    )
    result = []
    for row in rows:
        days = [
            d for d in (received_day(row["eldste_mottatt"], None), as_date(row["eldste_journaldato"])) if d
        ]
        result.append(
            {
                "unit_id": int(row["enhet"]),
                "code": row["code"],
                "name": row["name"],
                "count": int(row["n"]),
                "overdue": int(row["gamle"]),
                "oldest": min(days) if days else None,
            }
        )
    return result


async def open_counts_by_handler(unit_id: int) -> dict[int, int]:
    """Open items per handler in a unit today (for the redistribution page: the same items as
    :func:`~core.archive.queries.distribution.open_items_of`, the unit's restanser by their
    current handler), from the restanse ledger the write side keeps (:mod:`core.archive.ledger`,
    the same rule): counting the unit's recipients took 0.2 s for a big unit at a million posts."""
    counts = await ledger.counts_per_key([today()], Scope(unit_ids=(unit_id,)))
    return {handler: found[0] for (_unit, handler), found in counts.items() if handler is not None}
