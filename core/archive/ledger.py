"""The restanse ledger: restanse counts per unit, handler and day kept current by the write side,
so a page reads a count instead of scanning the archive.

The rule (:mod:`core.archive.queries.open_recipients`) says an internal recipient ``k`` (IM) is
open on D iff its post reached it, ``journaldato <= D`` and no write-off of ``k`` or of its
whole post is dated on or before D. For each recipient that is therefore one interval
[``journaldato``, first write-off), empty when the first write-off is on or before the
journaldato. Two derived tables hold it:

- ``core_restanse_span`` (:class:`~core.archive.tables.RestanseSpan`): that interval per
  recipient, with the recipient's *current* unit and handler (0: none) and journalposttype;
- ``core_restanse_ledger`` (:class:`~core.archive.tables.RestanseLedger`): +1 at ``fra_dato``
  and −1 at ``til_dato`` of every span, summed per (unit, handler, journalposttype, day).

The count of (unit, handler, type) on D is ``SUM(delta) WHERE dato <= D``: exactly the rule's
count, for every date, because the rule too counts a past date under the recipient's current
unit and handler (a change of handler moves the whole span).

Every write that can move a count calls :func:`refresh_parts` or :func:`refresh_posts` inside
its own write transaction (registration, sending of a note, status changes, fordeling,
sending to a unit, write-off, transfer of work, deleting a post); bulk loads (Noark 5 import,
demo data) call :func:`rebuild`, as does ``arkivrutiner rebuild-restanse-ledger``. A refresh
recomputes the spans of the given recipients with the rule's SQL, compares them with the
stored ones and applies only the difference (upserts in key order, so concurrent writers on
PostgreSQL lock ledger rows in the same order). The rule's own queries
(:mod:`core.archive.queries.restanser`) stay the reference: tests/core/archive/test_ledger.py
checks on random histories that both agree on every date.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date
from typing import Any

from core.archive.queries.common import QueryString, as_date, in_list, run
from core.archive.queries.open_recipients import RECIPIENT, RESTANSE_TYPES, recipient_of
from core.archive.queries.restanser import (
    HandlerCount,
    Scope,
    UnitCount,
    handler_counts_from_rows,
    unit_counts_from_rows,
)

__all__ = [
    "count",
    "counts_per_handler",
    "counts_per_unit",
    "rebuild",
    "refresh_parts",
    "refresh_posts",
]

SpanKey = tuple[int, int, str]
"""(unit or 0, handler or 0, journalposttype)."""
Span = tuple[int, int, int, str, date, date | None]
"""(journalpost, unit, handler, journalposttype, fra_dato, til_dato)."""

ALL = Scope()
"""Every unit and handler, both journalposttyper."""

_COLUMNS = "korrespondansepart, journalpost, enhet, saksbehandler, journalposttype, fra_dato, til_dato"


def spans_query(where: QueryString) -> QueryString:
    """The rule's spans of the internal recipients ``k`` (of post ``j``) matching ``where``:
    one row per recipient that is open on at least one day (columns :data:`_COLUMNS`)."""
    return QueryString(
        f"SELECT {_COLUMNS} FROM ("  # noqa: S608 - names from code; values are bound
        " SELECT x.korrespondansepart, x.journalpost, x.enhet, x.saksbehandler, x.journalposttype, x.fra_dato,"
        " CASE WHEN x.wk IS NULL THEN x.wj WHEN x.wj IS NULL OR x.wk <= x.wj THEN x.wk ELSE x.wj END AS til_dato"
        " FROM ("
        "  SELECT k.id AS korrespondansepart, k.journalpost AS journalpost,"
        "  COALESCE(k.administrativ_enhet, 0) AS enhet, COALESCE(k.saksbehandler, 0) AS saksbehandler,"
        "  j.journalposttype AS journalposttype, j.journaldato AS fra_dato,"
        "  (SELECT MIN(a.avskrivningsdato) FROM core_avskrivning a WHERE a.korrespondansepart = k.id) AS wk,"
        "  (SELECT MIN(a.avskrivningsdato) FROM core_avskrivning a"
        "   WHERE a.journalpost = j.id AND a.korrespondansepart IS NULL) AS wj"
        "  FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost"
        "  WHERE {} AND {}"
        " ) x"
        ") y WHERE y.til_dato IS NULL OR y.til_dato > y.fra_dato",
        recipient_of(RECIPIENT),
        where,
    )


def _span(row: dict[str, Any]) -> Span:
    fra = as_date(row["fra_dato"])
    assert fra is not None
    return (
        int(row["journalpost"]),
        int(row["enhet"]),
        int(row["saksbehandler"]),
        str(row["journalposttype"]),
        fra,
        as_date(row["til_dato"]),
    )


async def _spans(query: QueryString) -> dict[int, Span]:
    return {int(row["korrespondansepart"]): _span(row) for row in await run(query)}


def _add(deltas: Counter[tuple[int, int, str, date]], span: Span, sign: int) -> None:
    _, unit, handler, kind, fra, til = span
    deltas[(unit, handler, kind, fra)] += sign
    if til is not None:
        deltas[(unit, handler, kind, til)] -= sign


async def _refresh(records: QueryString, stored: QueryString) -> None:
    """Bring the spans selected by ``stored`` (over ``s``) to what the rule says for the
    recipients selected by ``records`` (over ``k``/``j``): the two must name the same
    recipients."""
    new = await _spans(spans_query(records))
    old = await _spans(QueryString(f"SELECT {_COLUMNS} FROM core_restanse_span s WHERE {{}}", stored))  # noqa: S608 - names from code; values are bound
    deltas: Counter[tuple[int, int, str, date]] = Counter()
    gone = [part for part, span in old.items() if new.get(part) != span]
    added = [part for part, span in new.items() if old.get(part) != span]
    for part in gone:
        _add(deltas, old[part], -1)
    for part in added:
        _add(deltas, new[part], +1)
    for (unit, handler, kind, day), delta in sorted(deltas.items()):
        if delta:
            await run(
                QueryString(
                    "INSERT INTO core_restanse_ledger (enhet, saksbehandler, journalposttype, dato, delta) "
                    "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (enhet, saksbehandler, journalposttype, dato) "
                    "DO UPDATE SET delta = core_restanse_ledger.delta + excluded.delta",
                    unit,
                    handler,
                    kind,
                    day,
                    delta,
                )
            )
    if gone:
        await run(QueryString("DELETE FROM core_restanse_span WHERE {}", in_list("korrespondansepart", gone)))
    for part in added:
        journalpost, unit, handler, kind, fra, til = new[part]
        await run(
            QueryString(
                f"INSERT INTO core_restanse_span ({_COLUMNS}) VALUES ({{}}, {{}}, {{}}, {{}}, {{}}, {{}}, {{}})",  # noqa: S608 - names from code; values are bound
                part,
                journalpost,
                unit,
                handler,
                kind,
                fra,
                til,
            )
        )


def _ids(ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted({int(i) for i in ids}))


async def refresh_parts(korrespondansepart_ids: Iterable[int]) -> None:
    """Recompute the ledger for these recipients (call inside the write transaction that
    changed them: their unit, handler or write-offs)."""
    ids = _ids(korrespondansepart_ids)
    if ids:
        await _refresh(in_list("k.id", ids), in_list("s.korrespondansepart", ids))


async def refresh_posts(journalpost_ids: Iterable[int]) -> None:
    """Recompute the ledger for every recipient of these posts (call inside the write
    transaction that created, changed or deleted them, or wrote off a whole post)."""
    ids = _ids(journalpost_ids)
    if ids:
        await _refresh(in_list("k.journalpost", ids), in_list("s.journalpost", ids))


async def rebuild(execute: Callable[[QueryString], Awaitable[Any]] = run) -> int:
    """Recompute the whole ledger from the records (set-based; run it in a write transaction,
    or it is its own statements). Returns the number of spans. ``execute`` runs one statement
    (a migration passes its own engine's)."""
    await execute(QueryString("DELETE FROM core_restanse_ledger"))
    await execute(QueryString("DELETE FROM core_restanse_span"))
    await execute(
        QueryString(f"INSERT INTO core_restanse_span ({_COLUMNS}) {{}}", spans_query(QueryString("1 = 1")))
    )
    await execute(
        QueryString(
            "INSERT INTO core_restanse_ledger (enhet, saksbehandler, journalposttype, dato, delta) "
            "SELECT d.enhet, d.saksbehandler, d.journalposttype, d.dato, SUM(d.delta) FROM ("
            " SELECT enhet, saksbehandler, journalposttype, fra_dato AS dato, 1 AS delta FROM core_restanse_span"
            " UNION ALL"
            " SELECT enhet, saksbehandler, journalposttype, til_dato AS dato, -1 AS delta FROM core_restanse_span"
            " WHERE til_dato IS NOT NULL"
            ") d GROUP BY d.enhet, d.saksbehandler, d.journalposttype, d.dato"
        )
    )
    rows = await execute(QueryString("SELECT COUNT(*) AS n FROM core_restanse_span"))
    return int(rows[0]["n"])


# --- reading --------------------------------------------------------------------------------


def _scope_filter(scope: Scope) -> QueryString:
    if scope.journaldato_fra is not None or scope.journaldato_til is not None:
        raise ValueError(
            "the ledger counts by day, not by a period of journaldato: use core.archive.queries.restanser"
        )
    types = tuple(t for t in scope.journalposttyper if t in RESTANSE_TYPES)
    parts = [in_list("l.journalposttype", types)]
    if scope.unit_ids is not None:
        parts.append(in_list("l.enhet", scope.unit_ids))
    if scope.saksbehandler_id is not None:
        parts.append(QueryString("l.saksbehandler = {}", scope.saksbehandler_id))
    return QueryString(" AND ".join("{}" for _ in parts), *parts)


def _sum_columns(dates: Sequence[date]) -> QueryString:
    columns = [
        QueryString(f"SUM(CASE WHEN l.dato <= {{}} THEN l.delta ELSE 0 END) AS c{index}", day)
        for index, day in enumerate(dates)
    ]
    return QueryString(", ".join("{}" for _ in columns), *columns)


async def count(day: date, scope: Scope = ALL) -> int:
    """Restanser on ``day`` in ``scope`` (including recipients without a unit when the scope
    covers all units): :func:`core.archive.queries.restanser.count` from the ledger. The
    scope may not have a journaldato period."""
    rows = await run(
        QueryString(
            "SELECT COALESCE(SUM(l.delta), 0) AS n FROM core_restanse_ledger l WHERE l.dato <= {} AND {}",
            day,
            _scope_filter(scope),
        )
    )
    return int(rows[0]["n"]) if rows else 0


async def counts_per_unit(
    dates: Sequence[date], scope: Scope = ALL, *, include_empty: bool = True
) -> list[UnitCount]:
    """:func:`core.archive.queries.restanser.counts_per_unit` from the ledger."""
    if not dates:
        return []
    rows = await run(
        QueryString(
            "SELECT u.id, u.code, u.name, g.* FROM ("
            " SELECT l.enhet, {} FROM core_restanse_ledger l"
            " WHERE l.dato <= {} AND l.enhet <> 0 AND {} GROUP BY l.enhet"
            ") g JOIN core_unit u ON u.id = g.enhet",
            _sum_columns(dates),
            max(dates),
            _scope_filter(scope),
        )
    )
    return await unit_counts_from_rows(rows, len(dates), scope, include_empty=include_empty)


async def counts_per_handler(dates: Sequence[date], scope: Scope = ALL) -> list[HandlerCount]:
    """:func:`core.archive.queries.restanser.counts_per_handler` from the ledger."""
    if not dates:
        return []
    any_open = QueryString(" OR ".join(f"g.c{index} > 0" for index in range(len(dates))))
    counts = ", ".join(f"g.c{index}" for index in range(len(dates)))
    rows = await run(
        QueryString(
            "SELECT g.enhet, CASE WHEN g.saksbehandler = 0 THEN NULL ELSE g.saksbehandler END AS saksbehandler,"  # noqa: S608 - names from code; values are bound
            f" {counts}, u.code AS unit_code, u.name AS unit_name, p.name AS person_name, p.email AS person_email FROM ("
            " SELECT l.enhet AS enhet, l.saksbehandler AS saksbehandler, {} FROM core_restanse_ledger l"
            " WHERE l.dato <= {} AND l.enhet <> 0 AND {} GROUP BY l.enhet, l.saksbehandler"
            ") g JOIN core_unit u ON u.id = g.enhet LEFT JOIN core_person p ON p.id = g.saksbehandler WHERE {}",
            _sum_columns(dates),
            max(dates),
            _scope_filter(scope),
            any_open,
        )
    )
    return handler_counts_from_rows(rows, len(dates))
