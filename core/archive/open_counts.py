"""Counts of the open restanser by date, kept by the write side for the front-page cards and the
menu's *Egne restanser*, so a count reads a few dozen rows instead of every open restanse of a
handler, a unit or the archive.

Some counts shown on every page count open restanser by a date of their own, and *open* and
*old* depend on today's date:

- a unit's **forfalt** (the leader's card): the restanser of the unit open on D whose post's
  ``forfallsdato`` is before D (:func:`core.archive.ledger.overdue_per_handler`, the rule's
  list's mark *forfalt*; a span is open on D iff ``fra_dato <= D`` and ``til_dato`` is NULL or
  after D);
- a handler's **old restanser** (the training signal, the archive's card): the restanser the
  handler holds on D whose journaldato is before a bound three months back
  (:mod:`core.archive.queries.signals`);
- a handler's own **forfalt**, **past § 11 a** and **with a foreløpig svar** (the handler's
  restanse card and *Egne restanser*, :func:`own_counts`): the handler's restanser open on D
  whose forfallsdato is before D; the I posts without a foreløpig svar whose journaldato is
  before one month back (the list's mark *§ 11 a*); those with a foreløpig svar.

For the spans still open (``til_dato`` NULL) each condition is one comparison with one date per
span: forfalt on D iff ``max(fra_dato − 1 day, forfallsdato) < D``, old iff ``fra_dato <
bound``, past § 11 a iff ``fra_dato < months_back(D, 1)``, and counted with its foreløpig svar iff
``fra_dato < D + 1 day``. ``core_restanse_open`` (:class:`~core.archive.tables.RestanseOpen`)
counts the still open spans by that date: per ``akse`` (``noekkel`` the unit or the handler; no
row for unit or handler 0):

- :data:`FORFALL`: per unit, by that forfalt-from date;
- :data:`JOURNALDATO`: per handler, by journaldato;
- :data:`HANDLER_FORFALL`: per handler, by that forfalt-from date;
- :data:`PARAGRAF_11A`: per handler, by journaldato, the I posts without a foreløpig svar;
- :data:`FORELOEPIG`: per handler, by journaldato, the restanser with a foreløpig svar;

and day (``periode`` :data:`DAY`), and again per month (``periode`` :data:`MONTH`, ``dato`` the
first of the month). A count "before B" is the month rows before B's month plus the day rows of
that month before B, or, when B is in the month's second half, the month rows up to B's month
minus its day rows from B on: a month row per key and month of open restanser and at most half
a month of day rows, however many restanser there are (:func:`_before`). Rows whose count falls
to 0 are deleted. The spans closed after D (a write-off dated after D) are still open on D: each
read adds them from an index range that holds only those (``core_restanse_span_gammel``, or a
handler's ``core_restanse_span_behandler``: :func:`overdue_per_unit`, :func:`old_query`,
:func:`own_query`).

The rows follow the spans: :func:`core.archive.ledger.refresh_parts`/``refresh_posts`` compute
what replacing the stored spans by the new ones moves (:func:`changes`; a span's
``forfallsdato`` and ``foreloepig_svar_dato`` ride along, so editing a forfallsdato or
registering or undoing a foreløpig svar moves its rows too), take the advisory locks of those
rows with the ledger's own (:func:`lock_keys`, PostgreSQL) and write it in the same transaction
(:func:`write`: upserts in key order, then the rows that came to 0 deleted), and
:func:`core.archive.ledger.rebuild` (bulk loads, ``arkivrutiner rebuild-restanse-ledger``)
calls :func:`rebuild`. The random histories of tests/core/archive/test_ledger.py check that what
the writes kept is what a rebuild computes, and that the cards' counts equal the rule's list
counted by hand and the spans counted by the statements the counts replaced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from core.archive.queries.common import QueryString, engine_type, in_list, run
from core.timeutil import months_back

__all__ = [
    "AXES",
    "FORELOEPIG",
    "FORFALL",
    "HANDLER_FORFALL",
    "JOURNALDATO",
    "OWN_AXES",
    "PARAGRAF_11A",
    "OwnCounts",
    "changes",
    "lock_keys",
    "old_query",
    "overdue_per_unit",
    "own_counts",
    "own_query",
    "rebuild",
    "write",
]

FORFALL = "F"
"""Rows per unit, by the first day after which an open restanse is forfalt."""
JOURNALDATO = "J"
"""Rows per handler, by journaldato."""
HANDLER_FORFALL = "H"
"""Rows per handler, by the first day after which an open restanse is forfalt."""
PARAGRAF_11A = "P"
"""Rows per handler, by journaldato: the I posts without a foreløpig svar (past § 11 a a month
after their journaldato)."""
FORELOEPIG = "S"
"""Rows per handler, by journaldato: the restanser with a foreløpig svar."""
OWN_AXES = (HANDLER_FORFALL, PARAGRAF_11A, FORELOEPIG)
"""The axes of a handler's own card (:func:`own_counts`)."""
AXES = (FORFALL, JOURNALDATO, *OWN_AXES)
DAY = "D"
MONTH = "M"

Row = tuple[str, int, date]
"""(akse, noekkel, dato) of one open span's day row."""


def _rows(span: tuple[Any, ...]) -> list[Row]:
    """The day rows a span counts in: none unless it is still open. ``span`` is a
    :data:`core.archive.ledger.Span`."""
    _, unit, handler, kind, fra, til, forfall, foreloepig, *_ = span
    if til is not None:
        return []
    rows: list[Row] = []
    forfalt_from = max(fra - timedelta(days=1), forfall) if forfall is not None else None
    if unit and forfalt_from is not None:
        rows.append((FORFALL, unit, forfalt_from))
    if handler:
        rows.append((JOURNALDATO, handler, fra))
        if forfalt_from is not None:
            rows.append((HANDLER_FORFALL, handler, forfalt_from))
        if foreloepig is not None:
            rows.append((FORELOEPIG, handler, fra))
        elif kind == "I":
            rows.append((PARAGRAF_11A, handler, fra))
    return rows


Change = tuple[tuple[str, int, str, date], int]
"""((akse, noekkel, periode, dato), how much its ``antall`` moves)."""


def changes(removed: Iterable[tuple[Any, ...]], added: Iterable[tuple[Any, ...]]) -> list[Change]:
    """What replacing the spans ``removed`` by the spans ``added`` moves, in key order (the
    ledger's refresh computes it first, to lock :func:`lock_keys` with its own keys)."""
    days: Counter[Row] = Counter()
    for span in removed:
        for row in _rows(span):
            days[row] -= 1
    for span in added:
        for row in _rows(span):
            days[row] += 1
    moved: Counter[tuple[str, int, str, date]] = Counter()
    for (akse, key, day), delta in days.items():
        if delta:
            moved[(akse, key, DAY, day)] += delta
            moved[(akse, key, MONTH, day.replace(day=1))] += delta
    return sorted((row, delta) for row, delta in moved.items() if delta)


def lock_keys(moved: Sequence[Change]) -> set[tuple[str, str, int, date]]:
    """One key per (akse, noekkel, month) that ``moved`` writes: the rows of a day and of its
    month. The ledger takes these advisory locks in one order with its own (PostgreSQL), so two
    writers of the same rows take turns before either writes anything."""
    return {("open", akse, key, day.replace(day=1)) for (akse, key, _, day), _ in moved}


async def write(moved: Sequence[Change]) -> None:
    """Apply :func:`changes` (inside the ledger's refresh): upserts in key order, then the rows
    that came to 0 deleted."""
    if not moved:
        return
    values = [QueryString("({}, {}, {}, {}, {})", *row, delta) for row, delta in moved]
    await run(
        QueryString(
            "INSERT INTO core_restanse_open (akse, noekkel, periode, dato, antall) VALUES {} "
            "ON CONFLICT (akse, noekkel, periode, dato) "
            "DO UPDATE SET antall = core_restanse_open.antall + excluded.antall",
            _joined(values, ", "),
        )
    )
    keys = [
        QueryString("(akse = {} AND noekkel = {} AND periode = {} AND dato = {})", *row) for row, _ in moved
    ]
    await run(QueryString("DELETE FROM core_restanse_open WHERE antall = 0 AND ({})", _joined(keys, " OR ")))


def _joined(parts: Sequence[QueryString], separator: str) -> QueryString:
    return QueryString(separator.join("{}" for _ in parts), *parts)


def _month_of(column: str) -> str:
    if engine_type() in ("postgres", "cockroach"):
        return f"CAST(date_trunc('month', CAST({column} AS timestamp)) AS date)"
    return f"date({column}, 'start of month')"


def _day_before(column: str) -> str:
    if engine_type() in ("postgres", "cockroach"):
        return f"({column} - 1)"
    return f"date({column}, '-1 day')"


async def rebuild(execute: Callable[[QueryString], Awaitable[Any]] = run, axes: Sequence[str] = AXES) -> int:
    """Recompute the rows of ``axes`` (default: all) from the spans (set-based, after the spans
    are rebuilt); the number of rows of those axes. ``execute`` runs one statement (a migration
    passes its own engine's, and the axes it fills)."""
    wanted = tuple(axes)
    await execute(QueryString("DELETE FROM core_restanse_open WHERE {}", in_list("akse", wanted)))
    day_before = _day_before("s.fra_dato")
    forfalt_from = f"CASE WHEN s.forfallsdato > {day_before} THEN s.forfallsdato ELSE {day_before} END"
    by_axis = {
        FORFALL: (
            f"s.enhet AS noekkel, {forfalt_from} AS dato",
            "s.enhet <> 0 AND s.forfallsdato IS NOT NULL",
        ),
        JOURNALDATO: ("s.saksbehandler AS noekkel, s.fra_dato AS dato", "s.saksbehandler <> 0"),
        HANDLER_FORFALL: (
            f"s.saksbehandler AS noekkel, {forfalt_from} AS dato",
            "s.saksbehandler <> 0 AND s.forfallsdato IS NOT NULL",
        ),
        PARAGRAF_11A: (
            "s.saksbehandler AS noekkel, s.fra_dato AS dato",
            "s.saksbehandler <> 0 AND s.journalposttype = 'I' AND s.foreloepig_svar_dato IS NULL",
        ),
        FORELOEPIG: (
            "s.saksbehandler AS noekkel, s.fra_dato AS dato",
            "s.saksbehandler <> 0 AND s.foreloepig_svar_dato IS NOT NULL",
        ),
    }
    branches = [
        QueryString(
            f"SELECT {{}} AS akse, {columns} FROM core_restanse_span s WHERE s.til_dato IS NULL AND {where}",  # noqa: S608 - names from code
            akse,
        )
        for akse, (columns, where) in by_axis.items()
        if akse in wanted
    ]
    if branches:
        await execute(
            QueryString(
                "INSERT INTO core_restanse_open (akse, noekkel, periode, dato, antall) "
                "SELECT o.akse, o.noekkel, {}, o.dato, COUNT(*) FROM ({}) o GROUP BY o.akse, o.noekkel, o.dato",
                DAY,
                _joined(branches, " UNION ALL "),
            )
        )
    await execute(
        QueryString(
            "INSERT INTO core_restanse_open (akse, noekkel, periode, dato, antall) "  # noqa: S608 - names from code
            f"SELECT d.akse, d.noekkel, {{}}, {_month_of('d.dato')}, SUM(d.antall) FROM core_restanse_open d "
            f"WHERE d.periode = {{}} AND {{}} GROUP BY d.akse, d.noekkel, {_month_of('d.dato')}",
            MONTH,
            DAY,
            in_list("d.akse", wanted),
        )
    )
    rows = await execute(
        QueryString("SELECT COUNT(*) AS n FROM core_restanse_open WHERE {}", in_list("akse", wanted))
    )
    return int(rows[0]["n"])


# --- reading --------------------------------------------------------------------------------


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _before(akse: str, bound: date, keys: QueryString) -> QueryString:
    """Rows ``noekkel, n`` whose sum per key is the open spans of ``akse`` with a date before
    ``bound``, for the keys ``keys`` (SQL over ``o``): two ranges of an index, the month rows
    and at most half a month of day rows (counted negative when ``bound`` is in the second half
    of its month and its month's row is taken whole)."""
    first = bound.replace(day=1)
    following = _next_month(first)
    if (bound - first).days <= (following - bound).days:
        months_before, lo, hi, sign = first, first, bound, ""
    else:
        months_before, lo, hi, sign = following, bound, following, "-"
    branch = (
        "SELECT o.noekkel AS noekkel, {}o.antall AS n FROM core_restanse_open o WHERE o.akse = {{}} AND {{}} "
    )
    return QueryString(
        branch.format("")
        + "AND o.periode = {} AND o.dato < {} UNION ALL "
        + branch.format(sign)
        + "AND o.periode = {} AND o.dato >= {} AND o.dato < {}",
        akse,
        keys,
        MONTH,
        months_before,
        akse,
        keys,
        DAY,
        lo,
        hi,
    )


def overdue_query(day: date, unit_ids: Sequence[int]) -> QueryString:
    """The statement of :func:`overdue_per_unit`: rows ``enhet, n``."""
    return QueryString(
        "SELECT f.noekkel AS enhet, SUM(f.n) AS n FROM ({} UNION ALL "
        "SELECT x.enhet AS noekkel, 1 AS n FROM core_restanse_span x WHERE {} AND x.til_dato > {} "
        "AND x.fra_dato <= {} AND x.forfallsdato < {}) f GROUP BY f.noekkel",
        _before(FORFALL, day, in_list("o.noekkel", tuple(unit_ids))),
        in_list("x.enhet", tuple(unit_ids)),
        day,
        day,
        day,
    )


async def overdue_per_unit(day: date, unit_ids: Sequence[int]) -> dict[int, int]:
    """Forfalt restanser on ``day`` per unit of ``unit_ids`` (all journalposttyper), the sums of
    :func:`core.archive.ledger.overdue_per_handler` over each unit's handlers: one statement
    over the units' rows of ``core_restanse_open`` (``core_restanse_open_key``) and their spans
    closed after ``day`` (a range of ``core_restanse_span_gammel``, empty in practice)."""
    if not unit_ids:
        return {}
    rows = await run(overdue_query(day, unit_ids))
    return {int(row["enhet"]): int(row["n"] or 0) for row in rows if int(row["n"] or 0)}


def old_query(day: date, bound: date, handlers: QueryString, minimum: int) -> QueryString:
    """Rows ``person_id, n``: the handlers with at least ``minimum`` restanser on ``day`` whose
    journaldato is before ``bound`` (before ``day``), and how many; ``handlers`` is a condition
    on ``g.noekkel``, the handler's person id (``1 = 1``: everyone). The handlers' rows of
    ``core_restanse_open`` by date (``core_restanse_open_dato``) and the spans closed after
    ``day`` (``core_restanse_span_gammel``)."""
    return QueryString(
        "SELECT g.noekkel AS person_id, SUM(g.n) AS n FROM ({} UNION ALL "
        "SELECT x.saksbehandler AS noekkel, 1 AS n FROM core_restanse_span x WHERE x.til_dato > {} "
        "AND x.fra_dato < {} AND x.saksbehandler <> 0) g WHERE {} GROUP BY g.noekkel HAVING SUM(g.n) >= {}",
        _before(JOURNALDATO, bound, QueryString("1 = 1")),
        day,
        bound,
        handlers,
        minimum,
    )


OwnCounts = tuple[int, int, int]
"""(forfalt, past § 11 a, with a foreløpig svar) of one handler on one day."""


def own_query(person_id: int, day: date) -> QueryString:
    """The statement of :func:`own_counts`: one row ``forfalt, p11a, foreloepig``. Each count is
    the handler's month and day rows of its axis (``core_restanse_open_key``), plus the
    handler's spans closed after ``day`` (a range of ``core_restanse_span_behandler``, which
    carries the counted columns; empty in practice)."""
    bound_11a = months_back(day, 1)
    key = QueryString("o.noekkel = {}", person_id)
    return QueryString(
        "SELECT SUM(u.f) AS forfalt, SUM(u.p) AS p11a, SUM(u.s) AS foreloepig FROM ("
        "SELECT b.n AS f, 0 AS p, 0 AS s FROM ({}) b UNION ALL "
        "SELECT 0 AS f, b.n AS p, 0 AS s FROM ({}) b UNION ALL "
        "SELECT 0 AS f, 0 AS p, b.n AS s FROM ({}) b UNION ALL "
        "SELECT CASE WHEN x.forfallsdato < {} THEN 1 ELSE 0 END AS f, "
        "CASE WHEN x.journalposttype = 'I' AND x.fra_dato < {} AND x.foreloepig_svar_dato IS NULL "
        "THEN 1 ELSE 0 END AS p, "
        "CASE WHEN x.foreloepig_svar_dato IS NOT NULL THEN 1 ELSE 0 END AS s "
        "FROM core_restanse_span x WHERE x.saksbehandler = {} AND x.til_dato > {} AND x.fra_dato <= {}) u",
        _before(HANDLER_FORFALL, day, key),
        _before(PARAGRAF_11A, bound_11a, key),
        _before(FORELOEPIG, day + timedelta(days=1), key),
        day,
        bound_11a,
        person_id,
        day,
        day,
    )


async def own_counts(person_id: int, day: date) -> OwnCounts:
    """The handler's restanser on ``day`` that are forfalt (forfallsdato before ``day``), past
    § 11 a (I posts without a foreløpig svar, journaldato before one month back) and with a
    foreløpig svar: the marks of the rule's list (:func:`core.archive.queries.restanse_lists.restanse_item`)
    counted from a few rows per axis, however many restanser the handler has."""
    # By key (the handler's rows of each axis, a range of his spans): one plan for everyone.
    rows = await run(own_query(person_id, day), generic_plan=True)
    row = rows[0] if rows else {}
    return (int(row.get("forfalt") or 0), int(row.get("p11a") or 0), int(row.get("foreloepig") or 0))
