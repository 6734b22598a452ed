"""*Restanseoppfølging*: the archive service's monthly table (the customer's routine).

Per unit: code, name, restanser on the comparison date (default the same day a month before
the report date, clamped to the month's end), restanser on the report date, the change, and
a sum row. Per handler: the same per (unit, handler), everyone at or over the threshold
(``ARKIV_RESTANSE_TERSKEL``, default 30: "30 eller flere") marked. Both views can be sorted
and filtered on unit (and handler) text; the counts come from :mod:`plugins.restanse.rule`
(one statement for both dates).

The same rows feed the page, the CSV/XLSX exports and the CLI, so they always agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.admin.common import parse_date
from core.i18n import _
from core.timeutil import today
from plugins.restanse import config
from plugins.restanse.rule import Scope, counts_per_handler, counts_per_unit, months_back

ALL_UNITS = Scope()
VIEWS = ("enhet", "saksbehandler")
UNIT_SORTS = ("kode", "navn", "sammenligning", "rapport", "endring")
HANDLER_SORTS = (*UNIT_SORTS, "saksbehandler")
DIRECTIONS = ("stigende", "synkende")
_DMY = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_report_date(text: str) -> date | None:
    """``15.04.2026`` (as typed) or ``2026-04-15`` (links, the CLI); None when invalid."""
    text = text.strip()
    if not (_DMY.match(text) or _ISO.match(text)):
        return None
    return parse_date(text)


def dmy(day: date) -> str:
    return day.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class Criteria:
    """What the table shows: dates, view, sort and filter."""

    rapportdato: date
    sammenligningsdato: date
    visning: str = "enhet"
    sorter: str = "kode"
    retning: str = "stigende"
    filter: str = ""

    @classmethod
    def default(cls, day: date | None = None) -> Criteria:
        report = day or today()
        return cls(report, months_back(report))

    def params(self, **changes: str) -> dict[str, str]:
        """The query parameters of this table (for links and exports), with ``changes``."""
        values = {
            "rapportdato": dmy(self.rapportdato),
            "sammenligningsdato": dmy(self.sammenligningsdato),
            "visning": self.visning,
            "sorter": self.sorter,
            "retning": self.retning,
            "filter": self.filter,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v}

    def sort_params(self, key: str) -> dict[str, str]:
        """The parameters for sorting on ``key`` (a second click reverses)."""
        direction = "synkende" if self.sorter == key and self.retning == "stigende" else "stigende"
        return self.params(sorter=key, retning=direction)

    def aria_sort(self, key: str) -> str:
        if self.sorter != key:
            return "none"
        return "ascending" if self.retning == "stigende" else "descending"


@dataclass(frozen=True)
class Parsed:
    criteria: Criteria
    errors: dict[str, str] = field(default_factory=dict)
    entered: dict[str, str] = field(default_factory=dict)
    """What the user typed, shown back in the form."""


def parse_criteria(raw: dict[str, str | None], *, on: date | None = None) -> Parsed:
    """Criteria from the query string; Norwegian field errors (the table then shows the
    defaults, and the form keeps what was typed)."""
    entered = {key: (value or "").strip() for key, value in raw.items()}
    errors: dict[str, str] = {}
    fallback = Criteria.default(on)
    report = fallback.rapportdato
    if entered.get("rapportdato"):
        parsed = parse_report_date(entered["rapportdato"])
        if parsed is None:
            errors["rapportdato"] = _("Skriv rapportdatoen som dd.mm.åååå, for eksempel 30.04.2026.")
        elif parsed > fallback.rapportdato:
            # Counts for a future date would be today's counts under a date not yet reached.
            errors["rapportdato"] = _("Rapportdatoen kan ikke være etter i dag.")
        else:
            report = parsed
    comparison = months_back(report)
    if entered.get("sammenligningsdato"):
        parsed = parse_report_date(entered["sammenligningsdato"])
        if parsed is None:
            errors["sammenligningsdato"] = _(
                "Skriv sammenligningsdatoen som dd.mm.åååå, for eksempel 31.03.2026."
            )
        elif parsed >= report and "rapportdato" not in errors:
            errors["sammenligningsdato"] = _("Sammenligningsdatoen må være før rapportdatoen.")
        else:
            comparison = parsed
    if errors:
        report, comparison = fallback.rapportdato, fallback.sammenligningsdato
    view = entered.get("visning") or "enhet"
    view = view if view in VIEWS else "enhet"
    sorts = HANDLER_SORTS if view == "saksbehandler" else UNIT_SORTS
    sort = entered.get("sorter") or "kode"
    direction = entered.get("retning") or "stigende"
    criteria = Criteria(
        rapportdato=report,
        sammenligningsdato=comparison,
        visning=view,
        sorter=sort if sort in sorts else "kode",
        retning=direction if direction in DIRECTIONS else "stigende",
        filter=(entered.get("filter") or "")[:100],
    )
    if not errors:
        entered = {**entered, **{k: v for k, v in criteria.params().items() if k.endswith("dato")}}
    return Parsed(criteria, errors, entered)


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


def export_name(criteria: Criteria, extension: str) -> str:
    view = "per-saksbehandler" if criteria.visning == "saksbehandler" else "per-enhet"
    return f"restanseoppfolging-{criteria.rapportdato.isoformat()}-{view}.{extension}"
