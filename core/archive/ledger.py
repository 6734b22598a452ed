"""The restanse ledger: restanse counts per unit, handler and day kept current by the write side,
so a page reads a count instead of scanning the archive.

The rule (:mod:`core.archive.queries.open_recipients`) says an internal recipient ``k`` (IM) is
open on D iff its post reached it, ``journaldato <= D`` and no write-off of ``k`` or of its
whole post is dated on or before D. For each recipient that is therefore one interval
[``journaldato``, first write-off), empty when the first write-off is on or before the
journaldato. Three derived tables hold it:

- ``core_restanse_span`` (:class:`~core.archive.tables.RestanseSpan`): that interval per
  recipient, with the recipient's *current* unit and handler (0: none) and journalposttype
  (and, moving no count, the post's forfallsdato and number and the recipient's foreløpig svar,
  for the cards and the lists' sorts: :data:`Span`);
- ``core_restanse_ledger`` (:class:`~core.archive.tables.RestanseLedger`): +1 at ``fra_dato``
  and −1 at ``til_dato`` of every span, summed per key (unit, handler, journalposttype) and day;
- ``core_restanse_month`` (:class:`~core.archive.tables.RestanseMonth`): per key and month in
  which the key has ledger rows, the running total at the end of that month (``total``), and
  the first day of the key's next such month (``neste``; :data:`NEVER` for the last).

The count of a key on D is the sum of its deltas with ``dato <= D``: exactly the rule's count,
for every date, because the rule too counts a past date under the recipient's current unit and
handler (a change of handler moves the whole span). A read does not sum the deltas since the
beginning: it takes the total at a month boundary B (the first of D's month or of the next,
whichever is nearer) from the one month row of the key with ``maaned < B <= neste``, and adds
the deltas in [B, D] or subtracts those in (D, B), at most half a month of ledger rows. So a
count touches about one month row per key and the ledger rows of a fortnight, however long the
history; a count at a month's end (the trend) touches no ledger row at all.

A scope with a period of journaldato (*Restanser i egen enhet*) is counted from the spans
instead: ``fra_dato`` is the journaldato, so a recipient in the period is open on D iff
``fra_dato <= D`` and ``til_dato`` is NULL or after D (:func:`counts_per_handler` and the
others choose by the scope).

Every write that can move a count calls :func:`refresh_parts` or :func:`refresh_posts` inside
its own write transaction (registration, sending of a note, status changes, fordeling,
sending to a unit, write-off, transfer of work, deleting a post); they also keep the queues
*Til fordeling* (:mod:`core.archive.fordeling_spans`) and the open restanser counted by date for
the cards (:mod:`core.archive.open_counts`). Bulk loads (Noark 5 import, demo data)
call :func:`rebuild_all`, as does ``arkivrutiner rebuild-restanse-ledger``. A refresh
recomputes the spans of the given recipients with the rule's SQL, compares them with the
stored ones and applies only the difference: the ledger rows as upserts, then per key and month
the month row (made from the previous one when the month is new) and the totals of that month
and every later one. On PostgreSQL a refresh first takes a transaction advisory lock per key,
in one order, so concurrent writers of the same key take turns (the month rows a new month
needs are read and written by one of them at a time) and cannot deadlock each other. The
rule's own queries (:mod:`core.archive.queries.restanser`) stay the reference:
tests/core/archive/test_ledger.py checks on random histories that both agree on every date.

:func:`count` is memoized per request (:mod:`core.memo`): the menu badge and the page's total
are the same statement, run once; a refresh forgets the memo.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from core import memo
from core.archive import fordeling_spans, open_counts
from core.archive.queries.common import QueryString, as_date, engine_type, in_list, run
from core.archive.queries.open_recipients import RECIPIENT, RESTANSE_TYPES, recipient_of
from core.archive.queries.restanser import (
    HandlerCount,
    Scope,
    UnitCount,
    handler_counts_from_rows,
    unit_counts_from_rows,
)
from core.archive.tables import RestanseSpan

__all__ = [
    "NEVER",
    "count",
    "counts_per_handler",
    "counts_per_key",
    "counts_per_unit",
    "overdue_per_handler",
    "rebuild",
    "rebuild_all",
    "refresh_parts",
    "refresh_posts",
]

SpanKey = tuple[int, int, str]
"""(unit or 0, handler or 0, journalposttype)."""
Span = tuple[int, int, int, str, date, date | None, date | None, date | None, int, int, int]
"""(journalpost, unit, handler, journalposttype, fra_dato, til_dato, forfallsdato,
foreloepig_svar_dato, saksaar, sakssekvensnummer, journalpostnummer): the last five only ride
along, for the cards (a handler's forfalt and § 11 a, a unit's forfalt:
:func:`overdue_per_handler`) and the lists' sorts (:func:`open_page_ids`);
they move no count."""

ALL = Scope()
"""Every unit and handler, both journalposttyper."""

NEVER = date(9999, 12, 1)
"""``neste`` of a key's last month row."""

_BASE_COLUMNS = "korrespondansepart, journalpost, enhet, saksbehandler, journalposttype, fra_dato, til_dato"
_CARD_COLUMNS = f"{_BASE_COLUMNS}, forfallsdato, foreloepig_svar_dato"
_COLUMNS = f"{_CARD_COLUMNS}, saksaar, sakssekvensnummer, journalpostnummer"


def spans_query(where: QueryString) -> QueryString:
    """The rule's spans of the internal recipients ``k`` (of post ``j``) matching ``where``:
    one row per recipient that is open on at least one day (columns :data:`_COLUMNS`)."""
    return QueryString(
        f"SELECT {_COLUMNS} FROM ("  # noqa: S608 - names from code; values are bound
        " SELECT x.korrespondansepart, x.journalpost, x.enhet, x.saksbehandler, x.journalposttype, x.fra_dato,"
        " CASE WHEN x.wk IS NULL THEN x.wj WHEN x.wj IS NULL OR x.wk <= x.wj THEN x.wk ELSE x.wj END AS til_dato,"
        " x.forfallsdato, x.foreloepig_svar_dato, x.saksaar, x.sakssekvensnummer, x.journalpostnummer"
        " FROM ("
        "  SELECT k.id AS korrespondansepart, k.journalpost AS journalpost,"
        "  COALESCE(k.administrativ_enhet, 0) AS enhet, COALESCE(k.saksbehandler, 0) AS saksbehandler,"
        "  j.journalposttype AS journalposttype, j.journaldato AS fra_dato,"
        "  j.forfallsdato AS forfallsdato, k.foreloepig_svar_dato AS foreloepig_svar_dato,"
        "  (SELECT s.saksaar FROM core_saksmappe s WHERE s.id = j.saksmappe) AS saksaar,"
        "  (SELECT s.sakssekvensnummer FROM core_saksmappe s WHERE s.id = j.saksmappe) AS sakssekvensnummer,"
        "  j.journalpostnummer AS journalpostnummer,"
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
        as_date(row["forfallsdato"]),
        as_date(row["foreloepig_svar_dato"]),
        int(row["saksaar"] or 0),
        int(row["sakssekvensnummer"] or 0),
        int(row["journalpostnummer"] or 0),
    )


async def _spans(query: QueryString) -> dict[int, Span]:
    return {int(row["korrespondansepart"]): _span(row) for row in await run(query)}


def _add(deltas: Counter[tuple[int, int, str, date]], span: Span, sign: int) -> None:
    _, unit, handler, kind, fra, til, *_ = span
    deltas[(unit, handler, kind, fra)] += sign
    if til is not None:
        deltas[(unit, handler, kind, til)] -= sign


_IDS_PER_REFRESH = 5000
"""Recipients or posts per refresh (its ``IN`` lists; PostgreSQL and SQLite bind at most about
32 000 values)."""
_SPANS_PER_INSERT = 500
"""Spans per ``INSERT`` of a refresh (12 values each)."""

_LOCK_CLASS = 0x5245
"""First key of the PostgreSQL advisory locks of the ledger's keys ("RE")."""


def _lock_id(key: tuple[Any, ...]) -> int:
    """The second key of ``key``'s advisory lock, a ledger key or one of
    :func:`core.archive.open_counts.lock_keys` (a 32-bit hash; two keys that share one only take
    turns more often)."""
    return zlib.crc32(repr(key).encode()) - 2**31


def _key_is(key: SpanKey, alias: str) -> QueryString:
    unit, handler, kind = key
    return QueryString(
        f"{alias}.enhet = {{}} AND {alias}.saksbehandler = {{}} AND {alias}.journalposttype = {{}}",
        unit,
        handler,
        kind,
    )


async def _add_to_month(key: SpanKey, month: date, delta: int) -> None:
    """Add ``delta`` (the key's ledger change dated in ``month``) to the key's month rows: make
    the month's row if the key has none (the previous row's total, between the previous row and
    the next), then add ``delta`` to the totals of that month and every later one."""
    previous = await run(
        QueryString(
            "SELECT m.maaned, m.total FROM core_restanse_month m WHERE {} AND m.maaned <= {} "
            "ORDER BY m.maaned DESC LIMIT 1",
            _key_is(key, "m"),
            month,
        )
    )
    if not previous or as_date(previous[0]["maaned"]) != month:
        following = await run(
            QueryString(
                "SELECT MIN(m.maaned) AS n FROM core_restanse_month m WHERE {} AND m.maaned > {}",
                _key_is(key, "m"),
                month,
            )
        )
        unit, handler, kind = key
        await run(
            QueryString(
                "INSERT INTO core_restanse_month (enhet, saksbehandler, journalposttype, maaned, total, neste) "
                "VALUES ({}, {}, {}, {}, {}, {})",
                unit,
                handler,
                kind,
                month,
                int(previous[0]["total"]) if previous else 0,
                as_date(following[0]["n"]) or NEVER,
            )
        )
        if previous:
            await run(
                QueryString(
                    "UPDATE core_restanse_month SET neste = {} WHERE {} AND maaned = {}",
                    month,
                    _key_is(key, "core_restanse_month"),
                    as_date(previous[0]["maaned"]),
                )
            )
    await run(
        QueryString(
            "UPDATE core_restanse_month SET total = total + {} WHERE {} AND maaned >= {}",
            delta,
            _key_is(key, "core_restanse_month"),
            month,
        )
    )


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
    changed = {key: delta for key, delta in deltas.items() if delta}
    opened = open_counts.changes([old[part] for part in gone], [new[part] for part in added])
    locks = {_lock_id(key[:3]) for key in changed} | {_lock_id(key) for key in open_counts.lock_keys(opened)}
    if locks and engine_type() in ("postgres", "cockroach"):
        for lock in sorted(locks):
            await run(QueryString("SELECT pg_advisory_xact_lock({}, {})", _LOCK_CLASS, lock))
    for (unit, handler, kind, day), delta in sorted(changed.items()):
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
    months: Counter[tuple[int, int, str, date]] = Counter()
    for (unit, handler, kind, day), delta in changed.items():
        months[(unit, handler, kind, day.replace(day=1))] += delta
    for (unit, handler, kind, month), delta in sorted(months.items()):
        if delta:
            await _add_to_month((unit, handler, kind), month, delta)
    await open_counts.write(opened)
    memo.forget()  # the request's memo also holds queue counts the same writes move
    if gone:
        await run(QueryString("DELETE FROM core_restanse_span WHERE {}", in_list("korrespondansepart", gone)))
    row = f"({', '.join('{}' for _ in _COLUMNS.split(','))})"
    for start in range(0, len(added), _SPANS_PER_INSERT):  # many rows per statement (a bulk move)
        chunk = added[start : start + _SPANS_PER_INSERT]
        await run(
            QueryString(
                f"INSERT INTO core_restanse_span ({_COLUMNS}) VALUES {', '.join([row] * len(chunk))}",  # noqa: S608 - names from code; values are bound
                *(value for part in chunk for value in (part, *new[part])),
            )
        )


def _ids(ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted({int(i) for i in ids}))


async def refresh_parts(korrespondansepart_ids: Iterable[int]) -> None:
    """Recompute the ledger for these recipients (call inside the write transaction that
    changed them: their unit, handler or write-offs)."""
    ids = _ids(korrespondansepart_ids)
    for start in range(0, len(ids), _IDS_PER_REFRESH):  # a bulk move: thousands of recipients
        chunk = ids[start : start + _IDS_PER_REFRESH]
        await fordeling_spans.refresh_parts(chunk)
        await _refresh(in_list("k.id", chunk), in_list("s.korrespondansepart", chunk))


async def refresh_posts(journalpost_ids: Iterable[int]) -> None:
    """Recompute the ledger for every recipient of these posts (call inside the write
    transaction that created, changed or deleted them, or wrote off a whole post)."""
    ids = _ids(journalpost_ids)
    for start in range(0, len(ids), _IDS_PER_REFRESH):
        chunk = ids[start : start + _IDS_PER_REFRESH]
        await fordeling_spans.refresh_posts(chunk)
        await _refresh(in_list("k.journalpost", chunk), in_list("s.journalpost", chunk))


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


async def rebuild(
    execute: Callable[[QueryString], Awaitable[Any]] = run,
    *,
    months: bool = True,
    card_columns: bool = True,
    open_rows: bool = True,
) -> int:
    """Recompute the whole ledger from the records (set-based; run it in a write transaction,
    or it is its own statements). Returns the number of spans. ``execute`` runs one statement
    (a migration passes its own engine's). ``months=False`` leaves ``core_restanse_month``
    alone (the migration that made the ledger ran before that table existed);
    ``card_columns=False`` fills only the span columns that migration knew (later migrations
    add and fill ``forfallsdato`` and ``foreloepig_svar_dato``, then the post's number);
    ``open_rows=False`` leaves ``core_restanse_open`` (:mod:`core.archive.open_counts`) alone,
    for the same reason."""
    columns = _COLUMNS if card_columns else _BASE_COLUMNS
    await execute(QueryString("DELETE FROM core_restanse_ledger"))
    await execute(QueryString("DELETE FROM core_restanse_span"))
    await execute(
        QueryString(
            f"INSERT INTO core_restanse_span ({columns}) SELECT {columns} FROM ({{}}) spans",  # noqa: S608 - names from code
            spans_query(QueryString("1 = 1")),
        )
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
    if months:
        await rebuild_months(execute)
    if open_rows:
        await open_counts.rebuild(execute)
    memo.forget()
    rows = await execute(QueryString("SELECT COUNT(*) AS n FROM core_restanse_span"))
    return int(rows[0]["n"])


async def rebuild_all() -> int:
    """Recompute the ledger and the queues' spans from the records (bulk loads and the rebuild
    command); the number of restanse spans."""
    await fordeling_spans.rebuild()
    return await rebuild()


async def rebuild_months(execute: Callable[[QueryString], Awaitable[Any]] = run) -> int:
    """Recompute ``core_restanse_month`` from the ledger: one statement per month from the
    first ledger row to the last (each reads that month's ledger rows and the key's previous
    month row), then ``neste`` in one. The same SQL on SQLite and PostgreSQL. Returns the
    number of month rows."""
    await execute(QueryString("DELETE FROM core_restanse_month"))
    bounds = await execute(QueryString("SELECT MIN(dato) AS lo, MAX(dato) AS hi FROM core_restanse_ledger"))
    first, last = as_date(bounds[0]["lo"]), as_date(bounds[0]["hi"])
    month = first.replace(day=1) if first is not None else None
    while month is not None and last is not None and month <= last:
        following = _next_month(month)
        await execute(
            QueryString(
                "INSERT INTO core_restanse_month (enhet, saksbehandler, journalposttype, maaned, total, neste) "
                "SELECT l.enhet, l.saksbehandler, l.journalposttype, {}, SUM(l.delta) + COALESCE(("
                " SELECT p.total FROM core_restanse_month p WHERE p.enhet = l.enhet"
                " AND p.saksbehandler = l.saksbehandler AND p.journalposttype = l.journalposttype"
                " AND p.maaned < {} ORDER BY p.maaned DESC LIMIT 1), 0), {} "
                "FROM core_restanse_ledger l WHERE l.dato >= {} AND l.dato < {} "
                "GROUP BY l.enhet, l.saksbehandler, l.journalposttype",
                month,
                month,
                NEVER,
                month,
                following,
            )
        )
        month = following
    await execute(
        QueryString(
            "UPDATE core_restanse_month SET neste = COALESCE((SELECT MIN(n.maaned) FROM core_restanse_month n"
            " WHERE n.enhet = core_restanse_month.enhet AND n.saksbehandler = core_restanse_month.saksbehandler"
            " AND n.journalposttype = core_restanse_month.journalposttype"
            " AND n.maaned > core_restanse_month.maaned), {})",
            NEVER,
        )
    )
    rows = await execute(QueryString("SELECT COUNT(*) AS n FROM core_restanse_month"))
    return int(rows[0]["n"])


# --- reading --------------------------------------------------------------------------------

Group = tuple[str, ...]
"""The columns a count is grouped by: (), ("enhet",) or ("enhet", "saksbehandler")."""


def _scope_filter(scope: Scope, alias: str) -> QueryString:
    """``scope`` over a ledger, month or span row ``alias`` (without its period)."""
    types = tuple(t for t in scope.journalposttyper if t in RESTANSE_TYPES)
    parts = [in_list(f"{alias}.journalposttype", types)]
    if scope.unit_ids is not None:
        parts.append(in_list(f"{alias}.enhet", scope.unit_ids))
    if scope.saksbehandler_id is not None:
        parts.append(QueryString(f"{alias}.saksbehandler = {{}}", scope.saksbehandler_id))
    if scope.without_handler:
        parts.append(QueryString(f"{alias}.saksbehandler = 0"))
    return QueryString(" AND ".join("{}" for _ in parts), *parts)


def _joined(parts: Sequence[QueryString], separator: str) -> QueryString:
    return QueryString(separator.join("{}" for _ in parts), *parts)


def _plan(day: date) -> tuple[date, tuple[date, date, str] | None]:
    """How to count on ``day``: the month boundary B whose running total is taken, and the
    ledger days to add (sign ``""``: [B, day]) or to subtract (``"-"``: (day, B)), None for
    none."""
    first = day.replace(day=1)
    following = _next_month(first)
    before, after = (day - first).days + 1, (following - day).days - 1
    if before <= after:
        return first, (first, day, "")
    return following, ((day + timedelta(days=1), following - timedelta(days=1), "-") if after else None)


def uses_spans(dates: Sequence[date], scope: Scope) -> bool:
    """Whether ``scope``'s period of journaldato restricts the counts on ``dates`` (then they
    come from the spans): a period ending on or after the last date restricts nothing."""
    return scope.journaldato_fra is not None or (
        scope.journaldato_til is not None and scope.journaldato_til < max(dates)
    )


def by_key(dates: Sequence[date], scope: Scope) -> bool:
    """Whether the counts on ``dates`` in ``scope`` are read by key, with a plan that does not
    depend on the values (``generic_plan``, :func:`core.request_connection.raw_rows`): from
    the ledger (not :func:`uses_spans`) they are the open months' month rows and at most half a
    month of day rows per date of small tables (2 547 and 40 264 rows at a million posts),
    whatever the units or the handler; the spans of a period are not (a busy handler has tens
    of thousands)."""
    return not uses_spans(dates, scope)


def _ledger_counts(dates: Sequence[date], scope: Scope, group: Group, where: str) -> QueryString:
    """Rows ``<group>, c0 … cn`` from the month rows and the ledger (see the module's docstring)."""
    plans = [_plan(day) for day in dates]
    selected = "".join(f"x.{column} AS {column}, " for column in group)
    grouped = f" GROUP BY {', '.join(f'x.{column}' for column in group)}" if group else ""
    month_columns = [
        QueryString(
            f"SUM(CASE WHEN x.maaned < {{}} AND x.neste >= {{}} THEN x.total ELSE 0 END) AS c{index}",
            boundary,
            boundary,
        )
        for index, (boundary, _) in enumerate(plans)
    ]
    boundaries = [boundary for boundary, _ in plans]
    month_rows = QueryString(
        "x.neste >= {} AND x.maaned < {} AND ({})",  # the bounds first: an index range for the planner
        min(boundaries),
        max(boundaries),
        _joined([QueryString("(x.maaned < {} AND x.neste >= {})", b, b) for b in boundaries], " OR "),
    )
    parts = [
        QueryString(
            f"SELECT {selected}{{}} FROM core_restanse_month x WHERE {where}{{}} AND ({{}}){grouped}",  # noqa: S608 - names from code; values are bound
            _joined(month_columns, ", "),
            _scope_filter(scope, "x"),
            month_rows,
        )
    ]
    ranges = [(index, days) for index, (_, days) in enumerate(plans) if days is not None]
    if ranges:
        ledger_columns = []
        for index, (_, days) in enumerate(plans):
            if days is None:
                ledger_columns.append(QueryString(f"0 AS c{index}"))
                continue
            lo, hi, sign = days
            ledger_columns.append(
                QueryString(
                    f"SUM(CASE WHEN x.dato >= {{}} AND x.dato <= {{}} THEN {sign}x.delta ELSE 0 END) AS c{index}",
                    lo,
                    hi,
                )
            )
        ledger_rows = _joined(
            [QueryString("(x.dato >= {} AND x.dato <= {})", lo, hi) for _, (lo, hi, _) in ranges], " OR "
        )
        parts.append(
            QueryString(
                f"SELECT {selected}{{}} FROM core_restanse_ledger x WHERE {where}{{}} AND ({{}}){grouped}",  # noqa: S608 - names from code; values are bound
                _joined(ledger_columns, ", "),
                _scope_filter(scope, "x"),
                ledger_rows,
            )
        )
    totals = ", ".join(f"SUM(u.c{index}) AS c{index}" for index in range(len(dates)))
    outer_names = "".join(f"u.{column} AS {column}, " for column in group)
    outer_group = f" GROUP BY {', '.join(f'u.{column}' for column in group)}" if group else ""
    return QueryString(
        f"SELECT {outer_names}{totals} FROM ({{}}) u{outer_group}",  # noqa: S608 - names from code; values are bound
        _joined(parts, " UNION ALL "),
    )


def _span_counts(dates: Sequence[date], scope: Scope, group: Group, where: str) -> QueryString:
    """Rows ``<group>, c0 … cn`` from the spans, for a scope with a period of journaldato: the
    spans whose ``fra_dato`` (the journaldato) is in the period and that are open on a date."""
    earliest, latest = min(dates), max(dates)
    columns = [
        QueryString(
            f"SUM(CASE WHEN x.fra_dato <= {{}} AND (x.til_dato IS NULL OR x.til_dato > {{}}) THEN 1 ELSE 0 END) AS c{index}",
            day,
            day,
        )
        for index, day in enumerate(dates)
    ]
    parts = [_scope_filter(scope, "x"), QueryString("x.fra_dato <= {}", latest)]
    parts.append(QueryString("(x.til_dato IS NULL OR x.til_dato > {})", earliest))
    if scope.journaldato_fra is not None:
        parts.append(QueryString("x.fra_dato >= {}", scope.journaldato_fra))
    if scope.journaldato_til is not None:
        parts.append(QueryString("x.fra_dato <= {}", scope.journaldato_til))
    selected = "".join(f"x.{column} AS {column}, " for column in group)
    grouped = f" GROUP BY {', '.join(f'x.{column}' for column in group)}" if group else ""
    return QueryString(
        f"SELECT {selected}{{}} FROM core_restanse_span x WHERE {where}{{}}{grouped}",  # noqa: S608 - names from code; values are bound
        _joined(columns, ", "),
        _joined(parts, " AND "),
    )


def _open_spans(day: date, scope: Scope) -> QueryString:
    """Spans ``x`` in ``scope`` (with its period of journaldato) open on ``day``."""
    parts = [
        _scope_filter(scope, "x"),
        QueryString("x.fra_dato <= {}", day),
        QueryString("(x.til_dato IS NULL OR x.til_dato > {})", day),
    ]
    if scope.journaldato_fra is not None:
        parts.append(QueryString("x.fra_dato >= {}", scope.journaldato_fra))
    if scope.journaldato_til is not None:
        parts.append(QueryString("x.fra_dato <= {}", scope.journaldato_til))
    return _joined(parts, " AND ")


def overdue_query(day: date, scope: Scope) -> QueryString:
    """The statement of :func:`overdue_per_handler`: rows ``enhet, saksbehandler, n``."""
    parts = [_scope_filter(scope, "x"), QueryString("x.fra_dato <= {}", day)]
    parts.append(QueryString("x.forfallsdato IS NOT NULL AND x.forfallsdato < {}", day))
    if scope.journaldato_fra is not None:
        parts.append(QueryString("x.fra_dato >= {}", scope.journaldato_fra))
    if scope.journaldato_til is not None:
        parts.append(QueryString("x.fra_dato <= {}", scope.journaldato_til))
    where = _joined(parts, " AND ")
    branch = "SELECT x.enhet, x.saksbehandler FROM core_restanse_span x WHERE {} AND "
    return QueryString(
        "SELECT s.enhet, s.saksbehandler, COUNT(*) AS n FROM ("  # noqa: S608 - names from code; values are bound
        f"{branch}x.til_dato IS NULL UNION ALL {branch}x.til_dato > {{}}"
        ") s WHERE s.enhet <> 0 GROUP BY s.enhet, s.saksbehandler",
        where,
        where,
        day,
    )


async def overdue_per_handler(day: date, scope: Scope) -> dict[tuple[int, int | None], int]:
    """Forfalt restanser on ``day`` in ``scope`` (a scope of units, with its period of
    journaldato) per (unit, handler; None: without handler): the spans open on ``day`` whose
    post's forfallsdato is before ``day``, as :func:`core.archive.queries.restanse_lists.restanse_item`
    marks a row *forfalt*. Read from the index ``core_restanse_span_enhet_open`` (unit,
    til_dato) alone, which carries the counted columns: the spans still open and those closed
    after ``day`` are two branches (an ``OR`` would read the table's rows), so the statement
    reads the units' open restanser and nothing of their history."""
    rows = await run(overdue_query(day, scope))
    return {(int(row["enhet"]), int(row["saksbehandler"]) or None): int(row["n"] or 0) for row in rows}


def open_where(day: date, scope: Scope) -> QueryString:
    """SQL over ``k``: the recipient is a restanse on ``day`` in ``scope``, by its span: the
    scope's restanser, instead of every recipient the scope's handlers or units ever had, each
    checked by the rule."""
    ids = QueryString(
        "SELECT x.korrespondansepart FROM core_restanse_span x WHERE {}", _open_spans(day, scope)
    )
    return _recipient_in(ids)


def distributed_after(moment: datetime, scope: Scope) -> QueryString:
    """Over the span ``x``: its recipient was distributed (``fordelt_dato``) after ``moment``
    (the restanser a handler's list marks «Ny»), through the index of internal recipients by
    handler and ``fordelt_dato`` for a handler's scope."""
    handler = (
        QueryString("")
        if scope.saksbehandler_id is None
        else QueryString(" AND n.saksbehandler = {}", scope.saksbehandler_id)
    )
    return QueryString(
        "x.korrespondansepart IN (SELECT n.id FROM core_korrespondansepart n "
        "WHERE n.intern AND n.fordelt_dato > {}{})",
        moment,
        handler,
    )


def open_page_ids(
    day: date,
    scope: Scope,
    order: str,
    limit: int | None,
    offset: int = 0,
    *,
    within: QueryString | None = None,
) -> QueryString:
    """The recipient ids of the restanser on ``day`` in ``scope`` at places ``offset + 1`` to
    ``offset + limit`` in ``order`` (SQL over the span ``x`` from code; it must end in a unique
    key, ``x.korrespondansepart``): a page of a list whose sort keys the spans carry (the
    journaldato, the post's forfallsdato and number), read from the spans alone instead of
    joining every restanse of the scope to its post and case to sort them (``limit`` None: all,
    for an export). ``within``: only the spans that also meet it (a condition over ``x``, such
    as :func:`distributed_after`)."""
    where = _open_spans(day, scope)
    if within is not None:
        where = QueryString("{} AND ({})", where, within)
    ordered = QueryString(
        f"SELECT x.korrespondansepart FROM core_restanse_span x WHERE {{}} ORDER BY {order}",  # noqa: S608 - order from code
        where,
    )
    return ordered if limit is None else QueryString("{} LIMIT {} OFFSET {}", ordered, limit, offset)


def page_ids_by_key(scope: Scope) -> bool:
    """Whether :func:`open_page_ids` of ``scope`` may run with a plan that does not depend on
    the values (``generic_plan``): one handler's list and nothing else in the scope but the
    journalposttyper and a period, read along the handler's index
    (``core_restanse_span_behandler_dato``) for every handler. At a million posts the busiest
    handler's first page took 0.25 ms so (0.45 ms custom, planning included), a deep page and a
    small handler's as custom. With a unit beside the handler the generic plan read the unit's
    spans (13.7 ms against 0.44 ms), and a unit's restanser without handler 3.0 ms against
    0.9 ms: those stay custom."""
    return scope.saksbehandler_id is not None and scope.unit_ids is None and not scope.without_handler


def oldest_open_page(day: date, scope: Scope, limit: int, offset: int) -> QueryString:
    """SQL over ``k``: the recipient is one of the restanser on ``day`` in ``scope`` at places
    ``offset + 1`` to ``offset + limit``, oldest journaldato first, then by recipient, read
    from the spans in index order (``core_restanse_span_behandler_dato`` for one handler): a
    page of a long list without sorting it (order the rows by ``j.journaldato, k.id``)."""
    return _recipient_in(open_page_ids(day, scope, "x.fra_dato, x.korrespondansepart", limit, offset))


def _recipient_in(ids: QueryString) -> QueryString:
    """SQL over ``k``: its id is one of ``ids`` (a statement of recipient ids)."""
    if engine_type() in ("postgres", "cockroach"):
        # An array evaluated once, before the join: PostgreSQL then starts from these few ids
        # (primary key); with ``IN`` it hashed them and walked all the scope's restanser.
        return QueryString("k.id = ANY(ARRAY({}))", ids)
    return QueryString("k.id IN ({})", ids)


def counts_query(
    dates: Sequence[date], scope: Scope, group: Group, *, with_unit: bool = False
) -> QueryString:
    """The one statement behind the counts: rows ``<group>, c0 … cn`` (restanser of each group
    on each of ``dates``), from the spans when the scope's period restricts them, else from the
    month rows and the ledger. ``with_unit``: only recipients with a unit."""
    where = "x.enhet <> 0 AND " if with_unit else ""
    if uses_spans(dates, scope):
        return _span_counts(dates, scope, group, where)
    return _ledger_counts(dates, scope, group, where)


async def count(day: date, scope: Scope = ALL) -> int:
    """Restanser on ``day`` in ``scope`` (including recipients without a unit when the scope
    covers all units): :func:`core.archive.queries.restanser.count` from the ledger, or from
    the spans for a period of journaldato. Memoized per request (:mod:`core.memo`)."""

    async def compute() -> int:
        rows = await run(counts_query([day], scope, ()), generic_plan=by_key([day], scope))
        return int(rows[0]["c0"] or 0) if rows else 0

    in_transaction = RestanseSpan._meta.db.transaction_exists()
    return await memo.memoized(("restanse-count", day, scope), compute, in_transaction=in_transaction)


async def counts_per_unit(
    dates: Sequence[date], scope: Scope = ALL, *, include_empty: bool = True
) -> list[UnitCount]:
    """:func:`core.archive.queries.restanser.counts_per_unit` from the ledger (or the spans)."""
    if not dates:
        return []
    rows = await run(
        QueryString(
            "SELECT u.id, u.code, u.name, g.* FROM ({}) g JOIN core_unit u ON u.id = g.enhet",
            counts_query(dates, scope, ("enhet",), with_unit=True),
        ),
        generic_plan=by_key(dates, scope),
    )
    return await unit_counts_from_rows(rows, len(dates), scope, include_empty=include_empty)


async def counts_per_handler(dates: Sequence[date], scope: Scope = ALL) -> list[HandlerCount]:
    """:func:`core.archive.queries.restanser.counts_per_handler` from the ledger (or the
    spans)."""
    if not dates:
        return []
    any_open = QueryString(" OR ".join(f"g.c{index} > 0" for index in range(len(dates))))
    counts = ", ".join(f"g.c{index}" for index in range(len(dates)))
    rows = await run(
        QueryString(
            "SELECT g.enhet, CASE WHEN g.saksbehandler = 0 THEN NULL ELSE g.saksbehandler END AS saksbehandler,"  # noqa: S608 - names from code; values are bound
            f" {counts}, u.code AS unit_code, u.name AS unit_name, p.name AS person_name, p.email AS person_email"
            " FROM ({}) g JOIN core_unit u ON u.id = g.enhet LEFT JOIN core_person p ON p.id = g.saksbehandler"
            " WHERE {}",
            counts_query(dates, scope, ("enhet", "saksbehandler"), with_unit=True),
            any_open,
        ),
        generic_plan=by_key(dates, scope),
    )
    return handler_counts_from_rows(rows, len(dates))


async def counts_per_key(
    dates: Sequence[date], scope: Scope = ALL
) -> dict[tuple[int, int | None], tuple[int, ...]]:
    """The counts of :func:`counts_per_handler` per (unit, handler; None: without handler), the
    same keys (a restanse on at least one of ``dates``), without the names: the ledger's
    statement alone (the leader's card)."""
    if not dates:
        return {}
    rows = await run(
        counts_query(dates, scope, ("enhet", "saksbehandler"), with_unit=True),
        generic_plan=by_key(dates, scope),
    )
    found = {}
    for row in rows:
        counts = tuple(int(row[f"c{index}"] or 0) for index in range(len(dates)))
        if any(counts):
            found[(int(row["enhet"]), int(row["saksbehandler"]) or None)] = counts
    return found
