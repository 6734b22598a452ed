"""Trends: restanser at the last 12 month-ends, per unit (with or without sub-units) or for all
units, computed from the records in ONE statement (:func:`~plugins.restanse.rule.counts_per_unit`
with 12 dates), with the stored monthly snapshots alongside (one grouped statement) so a month
whose reported figure differs from today's computation is marked.

The chart is server-side SVG: one bar per month with its number written above it, a title and
a description for screen readers, and the same figures in a table below. No meaning is carried
by colour.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from core.archive.queries.common import QueryString, as_date, in_list, run
from core.i18n import _, format_dato, format_tall
from plugins.restanse.rule import Scope, counts_per_unit, with_sub_units

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


async def unit_choices() -> list[dict[str, Any]]:
    return await run(
        QueryString("SELECT u.id, u.code, u.name FROM core_unit u WHERE u.active ORDER BY u.code")
    )


async def _unit_label(unit_id: int) -> str:
    rows = await run(QueryString("SELECT u.code, u.name FROM core_unit u WHERE u.id = {}", unit_id))
    return f"{rows[0]['code']} {rows[0]['name']}" if rows else str(unit_id)


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


async def monthly(
    unit_id: int | None, *, with_sub_units: bool = False, end: date, count: int = MONTHS
) -> Series:
    """Restanser at the ``count`` month-ends up to ``end`` for the unit (None: all units)."""
    dates = month_ends(end, count)
    if unit_id is None:
        unit_ids: tuple[int, ...] | None = None
        title = _("Alle enheter")
    else:
        unit_ids = await with_sub_units_of(unit_id) if with_sub_units else (unit_id,)
        title = await _unit_label(unit_id)
        if with_sub_units:
            title = _("%(unit)s med underenheter") % {"unit": title}
    counts = await counts_per_unit(dates, Scope(unit_ids=unit_ids), include_empty=False)
    totals = [sum(c.counts[i] for c in counts) for i in range(len(dates))]
    stored = await snapshot_sums(dates, unit_ids)
    points = [Point(day, total, stored.get(day)) for day, total in zip(dates, totals, strict=True)]
    return Series(title, points)


async def with_sub_units_of(unit_id: int) -> tuple[int, ...]:
    return await with_sub_units([unit_id])


# --- the chart -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value: str
    month: str
    marked: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    left: float
    right: float
    bars: list[Bar]
    gridlines: list[tuple[float, str]]
    title: str
    description: str


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value``."""
    if value <= 4:
        return 4
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def chart(series: Series, width: int = 760, height: int = 320) -> Chart:
    """Geometry of the bar chart (the template draws it)."""
    left, right, top, bottom = 56.0, 12.0, 28.0, 44.0
    plot_w = width - left - right
    plot_h = height - top - bottom
    n = max(len(series.points), 1)
    top_value = _nice_max(max((p.antall for p in series.points), default=0))
    slot = plot_w / n
    bar_w = slot * 0.6
    baseline = top + plot_h
    bars = []
    for index, point in enumerate(series.points):
        h = plot_h * point.antall / top_value if top_value else 0
        x = left + index * slot + (slot - bar_w) / 2
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(baseline - h, 1),
                width=round(bar_w, 1),
                height=round(h, 1),
                label_x=round(x + bar_w / 2, 1),
                label_y=round(baseline - h - 6, 1),
                value=format_tall(point.antall),
                month=format_dato(point.dato, "MMM yy"),
                marked=point.avviker,
            )
        )
    gridlines = [
        (round(baseline - plot_h * fraction, 1), format_tall(round(top_value * fraction)))
        for fraction in (0, 0.25, 0.5, 0.75, 1)
    ]
    points = series.points
    if points:
        highest = max(points, key=lambda p: (p.antall, p.dato))
        description = _(
            "Søylediagram over restanser ved utgangen av hver måned, fra %(first)s til %(last)s. "
            "%(first_month)s: %(first_count)s. %(last_month)s: %(last_count)s. "
            "Høyest i %(high_month)s med %(high_count)s."
        ) % {
            "first": points[0].label,
            "last": points[-1].label,
            "first_month": points[0].label,
            "first_count": format_tall(points[0].antall),
            "last_month": points[-1].label,
            "last_count": format_tall(points[-1].antall),
            "high_month": highest.label,
            "high_count": format_tall(highest.antall),
        }
    else:
        description = _("Ingen måneder å vise.")
    return Chart(
        width=width,
        height=height,
        baseline=baseline,
        left=left,
        right=width - right,
        bars=bars,
        gridlines=gridlines,
        title=_("Restanser per måned: %(title)s") % {"title": series.title},
        description=description,
    )
