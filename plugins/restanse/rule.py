"""The restanse rule, and every count and list built on it (the plugin's shared read API).

A restanse is one internal recipient on a date D: a korrespondansepart ``k`` with ``k.intern``
and ``k.korrespondanseparttype = 'IM'`` (copy recipients, IK, never count) of a journalpost
``j`` with

- ``j.journalposttype`` I or N, ``j.journalstatus <> 'U'`` (utgår), ``j.journaldato <= D``;
- for an N note only when it has been sent (journalstatus E, J or A: a draft note under
  approval has not reached its recipients);
- no avskrivning for that recipient dated on or before D. An avskrivning without
  korrespondansepart (an imported write-off not tied to a recipient) writes off every
  recipient of its journalpost.

The unit is ``k.administrativ_enhet``, the handler ``k.saksbehandler`` (NULL: the restanse
counts for its unit only). A foreløpig svar (``k.foreloepig_svar_dato``) does not end a
restanse.

Counts for several dates come from one scan: the earliest applicable write-off date ``w`` of
each recipient is joined in (two grouped derived tables: write-offs per recipient, and
write-offs per journalpost not tied to a recipient), and a recipient is a restanse on D iff
``journaldato <= D AND (w IS NULL OR w > D)``. All SQL runs unchanged on SQLite and
PostgreSQL; titles and sender names under skjerming are masked in SQL
(:mod:`core.archive.queries.visibility`).
"""

from __future__ import annotations

import calendar
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.archive.numbering import mappe_id, registrerings_id
from core.archive.queries.common import (
    PAGE_SIZE,
    Page,
    QueryString,
    as_bool,
    as_date,
    as_datetime,
    engine_type,
    in_list,
    run,
    run_page,
)
from core.archive.queries.visibility import Viewer, case_visible, post_visible
from core.archive.tables import Korrespondansepart
from core.i18n import _
from core.timeutil import today

__all__ = [
    "RESTANSE_TYPES",
    "SORTS",
    "HandlerCount",
    "Scope",
    "UnitCount",
    "count",
    "counts_per_handler",
    "counts_per_unit",
    "iter_restanser",
    "months_back",
    "open_restanser",
    "sort_labels",
    "with_sub_units",
]

RESTANSE_TYPES = ("I", "N")
"""Journalposttyper that can be restanser: inngående dokument and organinternt notat."""
NOTE_SENT_STATUSES = ("E", "J", "A")
"""An N note reaches its recipients when it is sent (ekspedert) or later."""


@dataclass(frozen=True)
class Scope:
    """Which restanser a count or list covers."""

    unit_ids: tuple[int, ...] | None = None
    """None: all units; else only recipients in these units (expand with :func:`with_sub_units`)."""
    saksbehandler_id: int | None = None
    """Only this handler's restanser."""
    journalposttyper: tuple[str, ...] = RESTANSE_TYPES
    journaldato_fra: date | None = None
    """Period on journaldato, inclusive."""
    journaldato_til: date | None = None


@dataclass(frozen=True)
class UnitCount:
    unit_id: int
    code: str
    name: str
    counts: tuple[int, ...]
    """Aligned with the dates asked for."""


@dataclass(frozen=True)
class HandlerCount:
    unit_id: int
    unit_code: str
    unit_name: str
    person_id: int | None
    """None: the unit's restanser without a handler (``name`` is "")."""
    name: str
    email: str
    counts: tuple[int, ...] = field(default=())


def months_back(day: date, months: int = 1) -> date:
    """The same day ``months`` months earlier, clamped to the end of that month
    (31.03 -> 28./29.02)."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- SQL pieces ----------------------------------------------------------------------------


def _recipient_condition(scope: Scope) -> QueryString:
    """SQL over ``k`` and ``j``: ``k`` is a recipient that can be a restanse within ``scope``
    (without the date conditions)."""
    types = tuple(t for t in scope.journalposttyper if t in RESTANSE_TYPES)
    parts: list[QueryString] = [
        QueryString(
            "k.intern AND k.korrespondanseparttype = 'IM' AND j.journalstatus <> 'U' "
            "AND (j.journalposttype <> 'N' OR {})",
            in_list("j.journalstatus", NOTE_SENT_STATUSES),
        ),
        in_list("j.journalposttype", types),
    ]
    if scope.unit_ids is not None:
        parts.append(in_list("k.administrativ_enhet", scope.unit_ids))
    if scope.saksbehandler_id is not None:
        parts.append(QueryString("k.saksbehandler = {}", scope.saksbehandler_id))
    if scope.journaldato_fra is not None:
        parts.append(QueryString("j.journaldato >= {}", scope.journaldato_fra))
    if scope.journaldato_til is not None:
        parts.append(QueryString("j.journaldato <= {}", scope.journaldato_til))
    return QueryString(" AND ".join("{}" for _ in parts), *parts)


def _write_off_joins(earliest: date, latest: date) -> QueryString:
    """The earliest write-off in the window (``earliest``, ``latest``] per recipient (``wk``) and
    per journalpost for write-offs not tied to a recipient (``wj``). Recipients written off on
    or before ``earliest`` are left out by :func:`_not_written_off_by`, so for the rest the
    window's first write-off is their first write-off; later ones do not matter for any date
    up to ``latest``."""
    return QueryString(
        "LEFT JOIN (SELECT a.korrespondansepart AS kid, MIN(a.avskrivningsdato) AS d "
        " FROM core_avskrivning a WHERE a.korrespondansepart IS NOT NULL "
        " AND a.avskrivningsdato > {} AND a.avskrivningsdato <= {} "
        " GROUP BY a.korrespondansepart) wk ON wk.kid = k.id "
        "LEFT JOIN (SELECT a.journalpost AS jid, MIN(a.avskrivningsdato) AS d "
        " FROM core_avskrivning a WHERE a.korrespondansepart IS NULL "
        " AND a.avskrivningsdato > {} AND a.avskrivningsdato <= {} "
        " GROUP BY a.journalpost) wj ON wj.jid = j.id",
        earliest,
        latest,
        earliest,
        latest,
    )


def _not_written_off_by(day: date) -> QueryString:
    """SQL over ``k`` and ``j``: no write-off of the recipient (or of its whole post) on or
    before ``day`` (anti-joins on ``core_avskrivning_part`` and ``restanse_avskrivning_post``)."""
    return QueryString(
        "NOT EXISTS (SELECT 1 FROM core_avskrivning a WHERE a.korrespondansepart = k.id "
        "AND a.avskrivningsdato <= {}) "
        "AND NOT EXISTS (SELECT 1 FROM core_avskrivning a WHERE a.journalpost = j.id "
        "AND a.korrespondansepart IS NULL AND a.avskrivningsdato <= {})",
        day,
        day,
    )


_W = "(CASE WHEN wk.d IS NULL THEN wj.d WHEN wj.d IS NULL OR wk.d <= wj.d THEN wk.d ELSE wj.d END)"
"""The earliest applicable write-off date of ``k`` (NULL: none up to the latest date asked)."""


def _open_on(day: date) -> QueryString:
    """SQL over the scan of :func:`_scan`: the recipient is a restanse on ``day``."""
    return QueryString("(r.journaldato <= {} AND (r.w IS NULL OR r.w > {}))", day, day)


def _scan(dates: Sequence[date], scope: Scope) -> QueryString:
    """One row per recipient that can be a restanse on one of ``dates``: ``kid, enhet,
    saksbehandler, journaldato, w`` (a derived table, aliased ``r`` by the callers).

    Recipients written off on or before the earliest date are no restanse on any of the dates
    and are left out by an anti-join; most of the archive was written off long ago, so only the
    open and recently closed recipients reach the join with the window's write-offs (``w``:
    their earliest write-off). With the plugin's covering indexes this is index-only work on
    PostgreSQL (docs/benchmarks.md)."""
    earliest, latest = min(dates), max(dates)
    return QueryString(
        "SELECT k.id AS kid, k.administrativ_enhet AS enhet, k.saksbehandler AS saksbehandler, "
        "j.journaldato AS journaldato, {} AS w "
        "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost {} "
        "WHERE {} AND j.journaldato <= {} AND {}",
        QueryString(_W),
        _write_off_joins(earliest, latest),
        _recipient_condition(scope),
        latest,
        _not_written_off_by(earliest),
    )


def _count_columns(dates: Sequence[date]) -> QueryString:
    columns = [
        QueryString(f"SUM(CASE WHEN {{}} THEN 1 ELSE 0 END) AS c{index}", _open_on(day))
        for index, day in enumerate(dates)
    ]
    return QueryString(", ".join("{}" for _ in columns), *columns)


def _counts(row: dict[str, Any], n: int) -> tuple[int, ...]:
    return tuple(int(row.get(f"c{index}") or 0) for index in range(n))


def unit_counts_query(dates: Sequence[date], scope: Scope) -> QueryString:
    """The one statement behind :func:`counts_per_unit`: ``id, code, name, c0, c1 …``."""
    return QueryString(
        "SELECT u.id, u.code, u.name, {} FROM ({}) r JOIN core_unit u ON u.id = r.enhet "
        "GROUP BY u.id, u.code, u.name",
        _count_columns(dates),
        _scan(dates, scope),
    )


def handler_counts_query(dates: Sequence[date], scope: Scope) -> QueryString:
    """The one statement behind :func:`counts_per_handler`: ``enhet, saksbehandler, c0 …`` with
    the unit's and the person's names, only pairs with a restanse on some date."""
    any_open = QueryString(" OR ".join(f"g.c{index} > 0" for index in range(len(dates))))
    return QueryString(
        "SELECT g.*, u.code AS unit_code, u.name AS unit_name, p.name AS person_name, "
        "p.email AS person_email FROM ("
        " SELECT r.enhet, r.saksbehandler, {} FROM ({}) r WHERE r.enhet IS NOT NULL "
        " GROUP BY r.enhet, r.saksbehandler"
        ") g JOIN core_unit u ON u.id = g.enhet LEFT JOIN core_person p ON p.id = g.saksbehandler "
        "WHERE {}",
        _count_columns(dates),
        _scan(dates, scope),
        any_open,
    )


PLANNER_SETTINGS = ("SET LOCAL enable_hashjoin = off", "SET LOCAL max_parallel_workers_per_gather = 0")
"""PostgreSQL only, for the count statements alone: with the covering indexes the scan is
index-only merge joins in id order; left to itself the planner hashes the 400 000 old write-offs
in every parallel worker instead, which on 1 million posts took about twice as long, for the
monthly table and for the 12-month trend alike (docs/benchmarks.md)."""


async def _run_scan(query: QueryString) -> list[dict[str, Any]]:
    """Run a count statement; on PostgreSQL in its own read transaction with
    :data:`PLANNER_SETTINGS` (``SET LOCAL``: nothing outside the transaction is affected; inside
    a caller's transaction they last until it ends, which only steers the planner)."""
    if engine_type() not in ("postgres", "cockroach"):
        return await run(query)
    async with Korrespondansepart._meta.db.transaction():
        for setting in PLANNER_SETTINGS:
            await run(QueryString(setting))
        return await run(query)


# --- units ---------------------------------------------------------------------------------


async def with_sub_units(unit_ids: Sequence[int]) -> tuple[int, ...]:
    """The units and all their descendants (``Unit.parent``), sorted; one recursive CTE."""
    if not unit_ids:
        return ()
    rows = await run(
        QueryString(
            "WITH RECURSIVE tre(id) AS (SELECT u.id FROM core_unit u WHERE {} "
            "UNION SELECT c.id FROM core_unit c JOIN tre ON c.parent = tre.id) "
            "SELECT id FROM tre ORDER BY id",
            in_list("u.id", list(unit_ids)),
        )
    )
    return tuple(int(row["id"]) for row in rows)


# --- counts --------------------------------------------------------------------------------


async def counts_per_unit(
    dates: Sequence[date], scope: Scope = Scope(), *, include_empty: bool = True
) -> list[UnitCount]:
    """Restanser per unit on each of ``dates`` (one statement), sorted by unit code.

    ``include_empty`` adds the units without restanser with zero counts: the scope's units, or
    every active unit when the scope covers all units. Recipients without a unit are not
    counted here (they wait in the central fordeling queue)."""
    if not dates:
        return []
    n = len(dates)
    rows = await _run_scan(unit_counts_query(dates, scope))
    result = {
        int(row["id"]): UnitCount(int(row["id"]), row["code"], row["name"], _counts(row, n)) for row in rows
    }
    result = {key: value for key, value in result.items() if any(value.counts)}
    if include_empty:
        units = await run(
            QueryString(
                "SELECT u.id, u.code, u.name FROM core_unit u WHERE {}",
                in_list("u.id", scope.unit_ids) if scope.unit_ids is not None else QueryString("u.active"),
            )
        )
        for unit in units:
            result.setdefault(
                int(unit["id"]), UnitCount(int(unit["id"]), unit["code"], unit["name"], (0,) * n)
            )
    return sorted(result.values(), key=lambda c: (c.code, c.unit_id))


async def counts_per_handler(dates: Sequence[date], scope: Scope = Scope()) -> list[HandlerCount]:
    """Restanser per (unit, handler) on each of ``dates`` (one statement): only pairs with a
    restanse on some date; the unit's restanser without a handler have ``person_id`` None.
    Sorted by unit code, then name (the no-handler row first)."""
    if not dates:
        return []
    n = len(dates)
    rows = await _run_scan(handler_counts_query(dates, scope))
    result = [
        HandlerCount(
            unit_id=int(row["enhet"]),
            unit_code=row["unit_code"],
            unit_name=row["unit_name"],
            person_id=int(row["saksbehandler"]) if row["saksbehandler"] is not None else None,
            name=row["person_name"] or "",
            email=row["person_email"] or "",
            counts=_counts(row, n),
        )
        for row in rows
    ]
    return sorted(
        result,
        key=lambda c: (c.unit_code, c.person_id is not None, c.name.casefold(), c.person_id or 0),
    )


async def count(day: date, scope: Scope = Scope()) -> int:
    """Restanser on ``day`` in ``scope`` (including recipients without a unit)."""
    rows = await run(
        QueryString(
            "SELECT COUNT(*) AS n FROM core_korrespondansepart k "
            "JOIN core_journalpost j ON j.id = k.journalpost WHERE {} AND {}",
            _recipient_condition(scope),
            _open_condition(day),
        )
    )
    return int(rows[0]["n"]) if rows else 0


# --- the list behind the counts ------------------------------------------------------------


def _open_condition(day: date) -> QueryString:
    """SQL over ``k`` and ``j``: journalført by ``day`` and not written off on or before it
    (for lists and single counts)."""
    return QueryString("j.journaldato <= {} AND {}", day, _not_written_off_by(day))


_ORDER_TAIL = "s.saksaar ASC, s.sakssekvensnummer ASC, j.journalpostnummer ASC, k.id ASC"
SORTS: dict[str, str] = {
    "eldst": f"j.journaldato ASC, {_ORDER_TAIL}",
    "nyest": "j.journaldato DESC, s.saksaar DESC, s.sakssekvensnummer DESC, j.journalpostnummer DESC, k.id DESC",
    "forfall": f"(j.forfallsdato IS NULL), j.forfallsdato ASC, j.journaldato ASC, {_ORDER_TAIL}",
    "sak": _ORDER_TAIL,
    "saksbehandler": f"(p.name IS NULL), p.name ASC, j.journaldato ASC, {_ORDER_TAIL}",
    "enhet": f"u.code ASC, j.journaldato ASC, {_ORDER_TAIL}",
}
DEFAULT_SORT = "eldst"


def sort_labels() -> dict[str, str]:
    return {
        "eldst": _("Eldste først"),
        "nyest": _("Nyeste først"),
        "forfall": _("Forfallsdato"),
        "sak": _("Saksnummer"),
        "saksbehandler": _("Saksbehandler"),
        "enhet": _("Enhet"),
    }


_SENDER = (
    "(SELECT MIN(e.navn) FROM core_korrespondansepart e "
    "WHERE e.journalpost = j.id AND NOT e.intern AND e.korrespondanseparttype = 'EA')"
)
"""The external sender (avsender) of an I post; the first by name when there are several."""

_FROM = (
    "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
    "JOIN core_saksmappe s ON s.id = j.saksmappe "
    "LEFT JOIN core_unit u ON u.id = k.administrativ_enhet "
    "LEFT JOIN core_person p ON p.id = k.saksbehandler "
    "LEFT JOIN core_person forfatter ON forfatter.id = j.saksbehandler "
    "LEFT JOIN core_unit forfatter_enhet ON forfatter_enhet.id = j.administrativ_enhet"
)


def restanse_select(viewer: Viewer) -> QueryString:
    """``SELECT ... FROM`` the restanse rows (k, j, s, units, people) with titles and sender
    masked for ``viewer``; combine with :func:`restanse_where` and turn rows into list items
    with :func:`restanse_item`. For pages that need their own ``WHERE`` on top of the rule."""
    return QueryString(
        "SELECT k.id AS korrespondansepart_id, k.version, j.id AS journalpost_id, "
        "j.saksmappe AS saksmappe_id, s.saksaar, s.sakssekvensnummer, j.journalpostnummer, "
        "j.journalposttype, j.tilgangsrestriksjon, j.journaldato, j.mottatt_dato, j.forfallsdato, "
        "k.foreloepig_svar_dato, k.administrativ_enhet AS enhet_id, u.code AS enhet_kode, "
        "u.name AS enhet_navn, k.saksbehandler AS saksbehandler_id, p.name AS saksbehandler_navn, "
        "forfatter.name AS forfatter_navn, forfatter_enhet.code AS forfatter_enhet, "
        "CASE WHEN {} THEN 1 ELSE 0 END AS synlig, "
        "CASE WHEN {} THEN j.tittel ELSE j.offentlig_tittel END AS tittel, "
        "CASE WHEN {} THEN s.tittel ELSE s.offentlig_tittel END AS sakstittel, "
        "CASE WHEN {} THEN {} ELSE NULL END AS ekstern_avsender "
        f"{_FROM}",
        post_visible(viewer),
        post_visible(viewer),
        case_visible(viewer),
        post_visible(viewer),
        QueryString(_SENDER),
    )


def restanse_where(scope: Scope, day: date) -> QueryString:
    """SQL condition: ``k`` is a restanse on ``day`` within ``scope`` (the rule above)."""
    return QueryString("{} AND {}", _recipient_condition(scope), _open_condition(day))


def restanse_item(row: dict[str, Any], day: date) -> dict[str, Any]:
    """A row of :func:`restanse_select` as the list item :func:`open_restanser` returns."""
    visible = as_bool(row.pop("synlig"))
    row["nummer"] = registrerings_id(row["saksaar"], row["sakssekvensnummer"], row["journalpostnummer"])
    row["saksnummer"] = mappe_id(row["saksaar"], row["sakssekvensnummer"])
    row["skjermet"] = not visible
    row["tittel"] = row["tittel"] or _("Skjermet tittel")
    row["sakstittel"] = row["sakstittel"] or _("Skjermet tittel")
    if row["journalposttype"] == "N":
        author = row["forfatter_navn"] or ""
        row["avsender"] = f"{author} ({row['forfatter_enhet']})" if row["forfatter_enhet"] else author
    elif not visible:
        row["avsender"] = _("Skjermet navn")
    else:
        row["avsender"] = row["ekstern_avsender"] or ""
    del row["ekstern_avsender"]
    journaldato = as_date(row["journaldato"])
    assert journaldato is not None
    row["journaldato"] = journaldato
    row["mottatt_dato"] = as_datetime(row["mottatt_dato"])
    row["forfallsdato"] = as_date(row["forfallsdato"])
    row["forfalt"] = row["forfallsdato"] is not None and row["forfallsdato"] < day
    row["alder_dager"] = max(0, (day - journaldato).days)
    row["foreloepig_svar_dato"] = as_date(row["foreloepig_svar_dato"])
    row["paragraf_11a"] = (
        row["journalposttype"] == "I"
        and journaldato < months_back(day, 1)
        and row["foreloepig_svar_dato"] is None
    )
    row["saksbehandler_navn"] = row["saksbehandler_navn"] or ""
    row["enhet_kode"] = row["enhet_kode"] or ""
    row["enhet_navn"] = row["enhet_navn"] or ""
    return row


async def open_restanser(
    viewer: Viewer,
    scope: Scope,
    *,
    day: date | None = None,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """The restanser on ``day`` (default today) in ``scope``, paged, with the viewer's
    skjerming applied (see the module's contract for the keys of each item)."""
    on = day or today()
    where = restanse_where(scope, on)
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    select = QueryString(f"{{}} WHERE {{}} ORDER BY {order}", restanse_select(viewer), where)
    total = QueryString(
        "SELECT COUNT(*) AS n FROM core_korrespondansepart k "
        "JOIN core_journalpost j ON j.id = k.journalpost WHERE {}",
        where,
    )
    result = await run_page(select, total, page, size)
    for row in result.items:
        restanse_item(row, on)
    return result


async def iter_restanser(
    viewer: Viewer,
    scope: Scope,
    *,
    day: date | None = None,
    sort: str = DEFAULT_SORT,
    batch: int = 1000,
) -> AsyncIterator[list[dict[str, Any]]]:
    """All restanser on ``day`` in ``scope`` in batches (for exports), paged on the stable
    sort order inside one read transaction (on PostgreSQL ``REPEATABLE READ``; SQLite's read
    transaction is a snapshot too), so a write-off made while the export runs cannot make a
    row be skipped or repeated."""
    on = day or today()
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    select = QueryString(
        f"{{}} WHERE {{}} ORDER BY {order}", restanse_select(viewer), restanse_where(scope, on)
    )
    async with Korrespondansepart._meta.db.transaction():
        if engine_type() in ("postgres", "cockroach"):
            await run(QueryString("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        offset = 0
        while True:
            rows = await run(QueryString("{} LIMIT {} OFFSET {}", select, batch, offset))
            if not rows:
                return
            yield [restanse_item(row, on) for row in rows]
            if len(rows) < batch:
                return
            offset += batch
