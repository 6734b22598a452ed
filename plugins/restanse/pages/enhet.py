"""*Restanser i egen enhet*: the leader's weekly report per handler, and the list behind each
count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from core.archive.ledger import counts_per_handler, counts_per_key, overdue_per_handler
from core.archive.open_counts import overdue_per_unit
from core.archive.queries import people, units
from core.archive.queries.restanse_lists import DEFAULT_SORT, open_restanser, sort_labels
from core.archive.queries.restanser import HandlerCount, Scope
from core.archive.queries.visibility import Viewer
from core.errors import Forbidden, NotFound
from core.i18n import _
from core.timeutil import today
from core.validation import parse_id
from core.web.pages import AnyRequest, current_user
from plugins.restanse import config
from plugins.restanse.forms import LIST_SORTS, EnhetCriteria, enhet_shown, enhet_typed, parse_enhet_criteria
from plugins.restanse.services import criteria as saved
from plugins.restanse.services import write_off

LIST_KEY = "restanse.enhet.liste"
"""The lists behind the counts in :mod:`core.web.list_preferences` (one sort for all of them)."""
NO_HANDLER = "ingen"
"""``hvem=ingen``: the list of the unit's restanser without a handler."""


@dataclass(frozen=True)
class Row:
    """One row of the per-handler table: the counts a week before and on the report date, and
    how many of the latter are forfalt on the report date."""

    count: HandlerCount
    overdue: int = 0

    @property
    def before(self) -> int:
        return self.count.counts[0]

    @property
    def now(self) -> int:
        return self.count.counts[1]

    @property
    def change(self) -> int:
        return self.now - self.before

    @property
    def who(self) -> str:
        return str(self.count.person_id) if self.count.person_id is not None else NO_HANDLER

    @property
    def name(self) -> str:
        return self.count.name or _("Uten saksbehandler")


def report_url(criteria: EnhetCriteria) -> str:
    return "/restanse/enhet?" + urlencode(criteria.params())


def parse(
    request: AnyRequest, values: dict[str, Any], unit_list: list[dict[str, Any]]
) -> tuple[EnhetCriteria, dict[str, str]]:
    """The criteria; a unit the user may not see is 403 (not a form error)."""
    allowed = {u["id"] for u in unit_list}
    raw = parse_id(str(values.get("enhet") or ""))
    if raw is not None and raw not in allowed:
        write_off.require_unit_viewer(current_user(request), raw)
    return parse_enhet_criteria(values, allowed)


async def report_units(request: AnyRequest) -> list[dict[str, Any]]:
    user = current_user(request)
    write_off.require_unit_viewer(user)
    return await units.report_units(user)


async def default_criteria(request: AnyRequest, unit_list: list[dict[str, Any]]) -> EnhetCriteria:
    """The saved criteria (when the unit is still allowed), else the first unit led today (or the
    user's own unit for Fellestjenesten/Arkiv)."""
    user = current_user(request)
    allowed = {u["id"] for u in unit_list}
    stored = await saved.load_criteria(user.person_id)
    if stored is not None and stored.enhet in allowed:
        return stored
    unit = next((u for u in user.led_unit_ids if u in allowed), None)
    if unit is None and user.unit_id in allowed:
        unit = user.unit_id
    base = stored or EnhetCriteria()
    return EnhetCriteria(
        enhet=unit, fra=base.fra, til=base.til, typer=base.typer, underenheter=base.underenheter
    )


async def scope_units(criteria: EnhetCriteria) -> tuple[int, ...]:
    assert criteria.enhet is not None
    if criteria.underenheter:
        return await units.with_sub_units([criteria.enhet])
    return (criteria.enhet,)


def scope(criteria: EnhetCriteria, unit_ids: tuple[int, ...], handler: int | None = None) -> Scope:
    return Scope(
        unit_ids=unit_ids,
        saksbehandler_id=handler,
        journalposttyper=criteria.typer,
        journaldato_fra=criteria.fra,
        journaldato_til=criteria.til,
    )


async def table(criteria: EnhetCriteria) -> list[Row]:
    """The per-handler counts from the restanse ledger: with a period of journaldato from the
    spans of the units (by unit and journaldato), else from the month totals and ledger
    rows (:func:`core.archive.ledger.counts_per_handler`); the forfalt ones on the report date
    from the units' open spans (:func:`core.archive.ledger.overdue_per_handler`)."""
    unit_ids = await scope_units(criteria)
    within = scope(criteria, unit_ids)
    counts = await counts_per_handler([criteria.week_before, criteria.report_date], within)
    overdue = await overdue_per_handler(criteria.report_date, within) if counts else {}
    return [Row(c, overdue.get((c.unit_id, c.person_id), 0)) for c in counts]


@dataclass(frozen=True)
class UnitCard:
    """One led unit on the leader's front-page card: the report's figures for today (its Sum
    row: restanser now, the change since a week before, forfalt; and the handlers marked at or
    over the threshold)."""

    name: str
    total: int
    change: int
    overdue: int
    at_threshold: int
    url: str


async def unit_cards(request: AnyRequest) -> list[UnitCard]:
    """Per unit the user leads or deputises for today: the unit's restanser (with sub-units, all
    restanse types, as the report opens), the change since a week before, the forfalt ones and
    the handlers at or over the threshold: :func:`table`'s figures per unit, read for all the led
    units at once in three statements, however many units: the units with their sub-units
    (:func:`core.archive.queries.units.trees_of`), the ledger's counts per unit and handler on
    both dates (:func:`core.archive.ledger.counts_per_key`) and the forfalt ones per unit from
    the open restanser counted by date (:func:`core.archive.open_counts.overdue_per_unit`);
    ``url`` is the report."""
    user = current_user(request)
    trees = await units.trees_of(user.led_unit_ids)
    every = tuple(sorted({unit for _, tree in trees.values() for unit in tree}))
    base = EnhetCriteria()
    counts = await counts_per_key([base.week_before, base.report_date], scope(base, every)) if every else {}
    overdue = await overdue_per_unit(base.report_date, every) if counts else {}
    per_unit: dict[int, list[tuple[int | None, tuple[int, ...]]]] = {}
    for (unit, handler), numbers in counts.items():
        per_unit.setdefault(unit, []).append((handler, numbers))
    result = []
    for unit_id in user.led_unit_ids:
        name, tree = trees.get(unit_id, ("", ()))
        rows = [row for unit in tree for row in per_unit.get(unit, [])]
        result.append(
            UnitCard(
                name=name,
                total=sum(now for _, (_, now) in rows),
                change=sum(now - before for _, (before, now) in rows),
                overdue=sum(overdue.get(unit, 0) for unit in tree),
                at_threshold=sum(1 for handler, (_, now) in rows if handler and now >= config.threshold()),
                url=report_url(EnhetCriteria(enhet=unit_id)),
            )
        )
    return result


async def report_context(
    request: AnyRequest,
    criteria: EnhetCriteria | None,
    *,
    units: list[dict[str, Any]],
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    listing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The page: the form (as typed, or the criteria) and, for valid criteria, the table."""
    user = current_user(request)
    rows: list[Row] = []
    unit = None
    deputy_for = ""
    if criteria is not None and criteria.enhet is not None and not errors:
        write_off.require_unit_viewer(user, criteria.enhet)
        rows = await table(criteria)
        unit = next((u for u in units if u["id"] == criteria.enhet), None)
        authority = user.authority_for(criteria.enhet)
        if authority is not None and authority.on_behalf_of is not None:
            names = await people.person_names([authority.on_behalf_of])
            deputy_for = names.get(authority.on_behalf_of, "")
    return {
        "units": units,
        "criteria": criteria,
        "form": typed if typed is not None else (enhet_shown(criteria) if criteria else enhet_typed({})),
        "errors": errors or {},
        "unit": unit,
        "rows": rows,
        "sum_before": sum(r.before for r in rows),
        "sum_now": sum(r.now for r in rows),
        "sum_overdue": sum(r.overdue for r in rows),
        "several_units": len({r.count.unit_id for r in rows}) > 1,
        "threshold": config.threshold(),
        "deputy_for": deputy_for,
        "query": urlencode(criteria.params()) if criteria and criteria.enhet else "",
        "listing": listing,
        "today": today(),
    }


async def listing(
    request: AnyRequest, criteria: EnhetCriteria, unit_id: int, who: str, side: int | None, sorter: str
) -> dict[str, Any]:
    """The restanser behind one count of the table."""
    user = current_user(request)
    assert criteria.enhet is not None
    write_off.require_unit_viewer(user, criteria.enhet)
    unit_ids = await scope_units(criteria)
    if unit_id not in unit_ids:
        raise Forbidden(_("Enheten hører ikke til rapporten du ser på."))
    handler = parse_id(who) if who != NO_HANDLER else None
    if who != NO_HANDLER and handler is None:
        raise NotFound(_("Fant ingen saksbehandler med dette nummeret."))
    result = await open_restanser(
        await Viewer.of(user),
        scope(criteria, (unit_id,), handler),
        without_handler=handler is None,
        day=criteria.report_date,
        sort=sorter,
        page=side or 1,
    )
    unit = await units.unit_by_id(unit_id)
    name = _("uten saksbehandler")
    if handler is not None:
        name = (await people.person_names([handler])).get(handler, str(handler))
    fields = [*criteria.params(), ("liste_enhet", str(unit_id)), ("hvem", who)]
    base = [*fields, ("sorter", sorter)] if sorter != DEFAULT_SORT else fields
    labels = sort_labels()
    return {
        "result": result,
        "unit_id": unit_id,
        "who": who,
        "handler_name": name,
        "unit_label": f"{unit['code']} {unit['name']}" if unit else "",
        "sorter": sorter,
        "sort_labels": {k: labels[k] for k in LIST_SORTS},
        "base_query": urlencode(base),
        "fields": fields,
        "report_date": criteria.report_date,
    }


def export_rows(criteria: EnhetCriteria, rows: list[Row]) -> tuple[list[str], list[list[Any]]]:
    """The per-handler table as a file: the page's columns and the sum row."""
    header = [
        _("Enhetskode"),
        _("Enhet"),
        _("Saksbehandler"),
        _("Antall %(dato)s") % {"dato": _day(criteria.week_before)},
        _("Antall %(dato)s") % {"dato": _day(criteria.report_date)},
        _("Endring"),
        _("Forfalt %(dato)s") % {"dato": _day(criteria.report_date)},
    ]
    body: list[list[Any]] = [
        [r.count.unit_code, r.count.unit_name, r.name, r.before, r.now, r.change, r.overdue] for r in rows
    ]
    before, now = sum(r.before for r in rows), sum(r.now for r in rows)
    body.append([_("Sum"), "", "", before, now, now - before, sum(r.overdue for r in rows)])
    return header, body


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")
