"""Restanser: the open internal recipients (:mod:`core.archive.queries.open_recipients`)
counted per unit and per handler, for one date or many in one scan, and the list behind the
counts.

A restanse is one internal recipient (``IM``; copy recipients never count) that is open on a
date D by :func:`~core.archive.queries.open_recipients.open_on`. Its unit is
``k.administrativ_enhet`` and its handler ``k.saksbehandler`` (NULL: the restanse counts for its
unit only). A foreløpig svar (``k.foreloepig_svar_dato``) does not end a restanse.

Counts for several dates come from one scan: the first write-off in the window is joined in
(:func:`~core.archive.queries.open_recipients.first_write_off_joins`) and a recipient counts on
D iff ``journaldato <= D`` and that write-off is NULL or after D. All SQL runs unchanged on
SQLite and PostgreSQL; titles and sender names under skjerming are masked in SQL
(:mod:`core.archive.queries.visibility`). The list and its items are in
:mod:`core.archive.queries.restanse_lists`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.archive.queries.common import QueryString, engine_type, in_list, run
from core.archive.queries.open_recipients import (
    FIRST_WRITE_OFF,
    RECIPIENT,
    RESTANSE_TYPES,
    first_write_off_joins,
    not_written_off_by,
    open_on,
    open_on_day_of_scan,
    recipient_of,
)
from core.archive.tables import Korrespondansepart

__all__ = [
    "RESTANSE_TYPES",
    "HandlerCount",
    "Scope",
    "UnitCount",
    "count",
    "counts_per_handler",
    "counts_per_unit",
    "handler_counts_from_rows",
    "restanse_where",
    "scope_condition",
    "unit_counts_from_rows",
]


@dataclass(frozen=True)
class Scope:
    """Which restanser a count or list covers."""

    unit_ids: tuple[int, ...] | None = None
    """None: all units; else only recipients in these units (expand with :func:`core.archive.queries.units.with_sub_units`)."""
    saksbehandler_id: int | None = None
    """Only this handler's restanser."""
    without_handler: bool = False
    """Only the restanser without a handler (a unit's row "uten saksbehandler")."""
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


# --- SQL pieces ----------------------------------------------------------------------------


def scope_condition(scope: Scope) -> QueryString:
    """SQL over ``k`` and ``j``: ``k`` is a recipient that can be a restanse within ``scope``
    (the rule without its dates, plus the scope's filters)."""
    types = tuple(t for t in scope.journalposttyper if t in RESTANSE_TYPES)
    parts: list[QueryString] = [recipient_of(RECIPIENT), in_list("j.journalposttype", types)]
    if scope.unit_ids is not None:
        parts.append(in_list("k.administrativ_enhet", scope.unit_ids))
    if scope.saksbehandler_id is not None:
        parts.append(QueryString("k.saksbehandler = {}", scope.saksbehandler_id))
    if scope.without_handler:
        parts.append(QueryString("k.saksbehandler IS NULL"))
    if scope.journaldato_fra is not None:
        parts.append(QueryString("j.journaldato >= {}", scope.journaldato_fra))
    if scope.journaldato_til is not None:
        parts.append(QueryString("j.journaldato <= {}", scope.journaldato_til))
    return QueryString(" AND ".join("{}" for _ in parts), *parts)


def restanse_where(scope: Scope, day: date) -> QueryString:
    """SQL: ``k`` is a restanse on ``day`` within ``scope``."""
    return QueryString("{} AND {}", scope_condition(scope), open_on(day, RECIPIENT))


def _scan(dates: Sequence[date], scope: Scope) -> QueryString:
    """One row per recipient that can be a restanse on one of ``dates``: ``korrespondansepart_id, enhet,
    saksbehandler, journaldato, w`` (a derived table, aliased ``r`` by the callers).

    Recipients written off on or before the earliest date are no restanse on any of the dates
    and are left out by an anti-join; most of the archive was written off long ago, so only the
    open and recently closed recipients reach the join with the window's write-offs (``w``:
    their earliest write-off). With the plugin's covering indexes this is index-only work on
    PostgreSQL (docs/benchmarks.md)."""
    earliest, latest = min(dates), max(dates)
    return QueryString(
        "SELECT k.id AS korrespondansepart_id, k.administrativ_enhet AS enhet, k.saksbehandler AS saksbehandler, "
        "j.journaldato AS journaldato, {} AS w "
        "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost {} "
        "WHERE {} AND j.journaldato <= {} AND {}",
        QueryString(FIRST_WRITE_OFF),
        first_write_off_joins(earliest, latest),
        scope_condition(scope),
        latest,
        not_written_off_by(earliest),
    )


def _count_columns(dates: Sequence[date]) -> QueryString:
    columns = [
        QueryString(f"SUM(CASE WHEN {{}} THEN 1 ELSE 0 END) AS c{index}", open_on_day_of_scan(day))
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
    rows = await _run_scan(unit_counts_query(dates, scope))
    return await unit_counts_from_rows(rows, len(dates), scope, include_empty=include_empty)


async def unit_counts_from_rows(
    rows: list[dict[str, Any]], n: int, scope: Scope, *, include_empty: bool
) -> list[UnitCount]:
    """:func:`counts_per_unit`'s result from rows ``id, code, name, c0 …`` (of the rule's
    statement or of the ledger's, :mod:`core.archive.ledger`)."""
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
    rows = await _run_scan(handler_counts_query(dates, scope))
    return handler_counts_from_rows(rows, len(dates))


def handler_counts_from_rows(rows: list[dict[str, Any]], n: int) -> list[HandlerCount]:
    """:func:`counts_per_handler`'s result from rows ``enhet, saksbehandler, unit_code,
    unit_name, person_name, person_email, c0 …`` (the rule's statement or the ledger's)."""
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
            "JOIN core_journalpost j ON j.id = k.journalpost WHERE {}",
            restanse_where(scope, day),
        )
    )
    return int(rows[0]["n"]) if rows else 0
