"""Trends: restanser at the last 12 month-ends, per unit (with or without sub-units) or for all
units, read from the restanse ledger in ONE statement (:func:`core.archive.ledger.counts_per_unit`
with 12 dates; the same numbers as the rule's :func:`~core.archive.queries.restanser.counts_per_unit`), with the stored monthly snapshots alongside (one grouped statement) so a month
whose reported figure differs from today's computation is marked.

The chart is server-side SVG: one bar per month with its number written above it, a title and
a description for screen readers, and the same figures in a table below. No meaning is carried
by colour.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from core.archive.ledger import counts_per_unit
from core.archive.queries.common import QueryString, as_date, in_list, run
from core.archive.queries.restanser import Scope
from core.archive.queries.units import unit_by_id, with_sub_units
from core.i18n import _, format_dato

MONTHS = 12


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def last_month_end(day: date) -> date:
    """``day`` when it is the last day of its month, else the end of the month before."""
    if day == month_end(day):
        return day
    return day.replace(day=1) - timedelta(days=1)


def month_ends(end: date, count: int = MONTHS) -> list[date]:
    """``count`` month-ends, oldest first, the last being ``end``'s month-end."""
    result = [month_end(end)]
    while len(result) < count:
        result.append(result[-1].replace(day=1) - timedelta(days=1))
    return list(reversed(result))


@dataclass(frozen=True)
class Point:
    dato: date
    antall: int
    lagret: int | None
    """The stored snapshot's figure for that date (None: no snapshot)."""

    @property
    def avviker(self) -> bool:
        return self.lagret is not None and self.lagret != self.antall

    @property
    def label(self) -> str:
        return format_dato(self.dato, "MMM yyyy")


@dataclass(frozen=True)
class Series:
    title: str
    points: list[Point]

    @property
    def any_snapshot(self) -> bool:
        return any(p.lagret is not None for p in self.points)


async def _unit_label(unit_id: int) -> str:
    unit = await unit_by_id(unit_id)
    return f"{unit['code']} {unit['name']}" if unit else str(unit_id)


async def snapshot_sums(dates: list[date], unit_ids: tuple[int, ...] | None) -> dict[date, int]:
    """Stored snapshot totals per date (for the units, or all); dates without rows are absent."""
    if not dates:
        return {}
    rows = await run(
        QueryString(
            "SELECT s.dato, SUM(s.antall) AS n FROM restanse_snapshot s WHERE {} AND {} GROUP BY s.dato",
            in_list("s.dato", dates),
            in_list("s.administrativ_enhet", unit_ids) if unit_ids is not None else QueryString("1 = 1"),
        )
    )
    result: dict[date, int] = {}
    for row in rows:
        day = as_date(row["dato"])
        if day is not None:
            result[day] = int(row["n"] or 0)
    return result


async def monthly(unit_id: int | None, *, sub_units: bool = False, end: date, count: int = MONTHS) -> Series:
    """Restanser at the ``count`` month-ends up to ``end`` for the unit (None: all units)."""
    dates = month_ends(end, count)
    if unit_id is None:
        unit_ids: tuple[int, ...] | None = None
        title = _("Alle enheter")
    else:
        unit_ids = await with_sub_units([unit_id]) if sub_units else (unit_id,)
        title = await _unit_label(unit_id)
        if sub_units:
            title = _("%(unit)s med underenheter") % {"unit": title}
    counts = await counts_per_unit(dates, Scope(unit_ids=unit_ids), include_empty=False)
    totals = [sum(c.counts[i] for c in counts) for i in range(len(dates))]
    stored = await snapshot_sums(dates, unit_ids)
    points = [Point(day, total, stored.get(day)) for day, total in zip(dates, totals, strict=True)]
    return Series(title, points)
