"""*Restanseoppfølging*: the archive service's monthly table (the customer's routine).

Per unit: code, name, restanser on the comparison date (default the same day a month before
the report date, clamped to the month's end), restanser on the report date, the change, and
a sum row. Per handler: the same per (unit, handler), everyone at or over the threshold
(``ARKIV_RESTANSE_TERSKEL``, default 30: "30 eller flere") marked. Both views can be sorted
and filtered on unit (and handler) text; the counts come from :mod:`core.archive.queries.restanser`
(one statement for both dates).

The same rows feed the page, the CSV/XLSX exports and the CLI, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.archive.ledger import counts_per_handler, counts_per_unit
from core.archive.queries.restanser import Scope
from core.i18n import _
from plugins.restanse import config
from plugins.restanse.forms import Criteria, dmy

ALL_UNITS = Scope()


# --- the rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    code: str
    name: str
    sammenligning: int
    rapport: int

    @property
    def endring(self) -> int:
        return self.rapport - self.sammenligning


@dataclass(frozen=True)
class HandlerRow:
    unit_id: int
    unit_code: str
    unit_name: str
    person_id: int | None
    name: str
    email: str
    sammenligning: int
    rapport: int
    over_terskel: bool

    @property
    def endring(self) -> int:
        return self.rapport - self.sammenligning

    @property
    def code(self) -> str:
        return self.unit_code

    @property
    def label(self) -> str:
        return self.name or _("(uten saksbehandler)")


@dataclass(frozen=True)
class UnitTable:
    criteria: Criteria
    rows: list[UnitRow]
    total_units: int
    """Units before the filter."""

    @property
    def sum_sammenligning(self) -> int:
        return sum(r.sammenligning for r in self.rows)

    @property
    def sum_rapport(self) -> int:
        return sum(r.rapport for r in self.rows)

    @property
    def sum_endring(self) -> int:
        return self.sum_rapport - self.sum_sammenligning


@dataclass(frozen=True)
class HandlerTable:
    criteria: Criteria
    rows: list[HandlerRow]
    threshold: int
    total_rows: int

    @property
    def over_threshold(self) -> list[HandlerRow]:
        """The rows of the people at or over the threshold, one per person."""
        seen: set[int | None] = set()
        rows = []
        for row in self.rows:
            if row.over_terskel and row.person_id not in seen:
                seen.add(row.person_id)
                rows.append(row)
        return rows

    @property
    def sum_sammenligning(self) -> int:
        return sum(r.sammenligning for r in self.rows)

    @property
    def sum_rapport(self) -> int:
        return sum(r.rapport for r in self.rows)

    @property
    def sum_endring(self) -> int:
        return self.sum_rapport - self.sum_sammenligning


def _matches(text: str, *values: str) -> bool:
    needle = text.strip().casefold()
    return not needle or any(needle in value.casefold() for value in values)


def _sort_key(sort: str) -> Any:
    def key(row: UnitRow | HandlerRow) -> tuple[Any, ...]:
        person = row.name.casefold() if isinstance(row, HandlerRow) else ""
        code = row.code.casefold()
        unit_name = (row.unit_name if isinstance(row, HandlerRow) else row.name).casefold()
        if sort == "navn":
            return (unit_name, code, person)
        if sort == "sammenligning":
            return (row.sammenligning, code, person)
        if sort == "rapport":
            return (row.rapport, code, person)
        if sort == "endring":
            return (row.endring, code, person)
        if sort == "saksbehandler":
            return (person == "", person, code)
        return (code, person)

    return key


async def unit_table(criteria: Criteria, scope: Scope = ALL_UNITS) -> UnitTable:
    """The per-unit table: every active unit (and any unit with restanser), filtered and
    sorted as ``criteria`` says."""
    counts = await counts_per_unit([criteria.sammenligningsdato, criteria.rapportdato], scope)
    rows = [UnitRow(c.unit_id, c.code, c.name, c.counts[0], c.counts[1]) for c in counts]
    shown = [r for r in rows if _matches(criteria.filter, r.code, r.name)]
    shown.sort(key=_sort_key(criteria.sorter), reverse=criteria.retning == "synkende")
    return UnitTable(criteria, shown, len(rows))


async def handler_table(
    criteria: Criteria, scope: Scope = ALL_UNITS, threshold: int | None = None
) -> HandlerTable:
    """The per-handler table: each (unit, handler) with restanser on one of the dates; the
    unit's restanser without a handler as their own row. Marked: a handler with
    ``threshold`` or more restanser on the report date, summed over units."""
    limit = config.threshold() if threshold is None else threshold
    counts = await counts_per_handler([criteria.sammenligningsdato, criteria.rapportdato], scope)
    # The mark follows the person, not the row: a handler in two units is marked on both rows
    # when the sum reaches the threshold (the same total the monthly mail uses).
    totals: dict[int, int] = {}
    for c in counts:
        if c.person_id is not None:
            totals[c.person_id] = totals.get(c.person_id, 0) + c.counts[1]
    rows = [
        HandlerRow(
            unit_id=c.unit_id,
            unit_code=c.unit_code,
            unit_name=c.unit_name,
            person_id=c.person_id,
            name=c.name,
            email=c.email,
            sammenligning=c.counts[0],
            rapport=c.counts[1],
            over_terskel=c.person_id is not None and totals[c.person_id] >= limit,
        )
        for c in counts
    ]
    shown = [r for r in rows if _matches(criteria.filter, r.unit_code, r.unit_name, r.name)]
    shown.sort(key=_sort_key(criteria.sorter), reverse=criteria.retning == "synkende")
    return HandlerTable(criteria, shown, limit, len(rows))


# --- columns for the page, the exports and the CLI -----------------------------------------


def unit_header(criteria: Criteria, *, with_change: bool = True) -> list[str]:
    header = [
        _("Enhetskode"),
        _("Enhet"),
        _("Restanser %(dato)s") % {"dato": dmy(criteria.sammenligningsdato)},
        _("Restanser %(dato)s") % {"dato": dmy(criteria.rapportdato)},
    ]
    if with_change:
        header.append(_("Endring"))
    return header


def unit_rows(table: UnitTable, *, with_change: bool = True) -> list[list[Any]]:
    """One row per unit, then the sum row (starting with ``Sum``)."""
    rows: list[list[Any]] = []
    for r in table.rows:
        rows.append([r.code, r.name, r.sammenligning, r.rapport, *([r.endring] if with_change else [])])
    total: list[Any] = ["Sum", "", table.sum_sammenligning, table.sum_rapport]
    if with_change:
        total.append(table.sum_endring)
    rows.append(total)
    return rows


def handler_header(table: HandlerTable, *, with_change: bool = True) -> list[str]:
    criteria = table.criteria
    return [
        _("Enhetskode"),
        _("Enhet"),
        _("Saksbehandler"),
        _("Restanser %(dato)s") % {"dato": dmy(criteria.sammenligningsdato)},
        _("Restanser %(dato)s") % {"dato": dmy(criteria.rapportdato)},
        *([_("Endring")] if with_change else []),
        _("%(terskel)s eller flere") % {"terskel": table.threshold},
    ]


def handler_rows(table: HandlerTable, *, with_change: bool = True) -> list[list[Any]]:
    """One row per (unit, handler), then the sum row (starting with ``Sum``)."""
    rows: list[list[Any]] = [
        [
            r.unit_code,
            r.unit_name,
            r.label,
            r.sammenligning,
            r.rapport,
            *([r.endring] if with_change else []),
            _("Ja") if r.over_terskel else "",
        ]
        for r in table.rows
    ]
    total: list[Any] = ["Sum", "", "", table.sum_sammenligning, table.sum_rapport]
    rows.append([*total, *([table.sum_endring] if with_change else []), ""])
    return rows


async def export_table(
    criteria: Criteria, *, with_change: bool = True
) -> tuple[str, list[str], list[list[Any]]]:
    """The table as the exports and the command line give it: a title, the header and the rows
    (the sum row last), per unit or per handler as ``criteria.visning`` says."""
    if criteria.visning == "saksbehandler":
        handlers = await handler_table(criteria)
        title = _("Restanser per saksbehandler")
        return (
            title,
            handler_header(handlers, with_change=with_change),
            handler_rows(handlers, with_change=with_change),
        )
    units = await unit_table(criteria)
    title = _("Restanser per enhet")
    return title, unit_header(criteria, with_change=with_change), unit_rows(units, with_change=with_change)


def export_name(criteria: Criteria) -> str:
    """The file name of an export, without its extension."""
    view = "per-saksbehandler" if criteria.visning == "saksbehandler" else "per-enhet"
    return f"restanseoppfolging-{criteria.rapportdato.isoformat()}-{view}"
