"""The queues *Til fordeling* kept by the write side, so a menu badge or a card reads a few
index entries instead of checking every waiting recipient against its post and write-offs.

The rule (:func:`core.archive.queries.distribution.queue_condition`) says an internal recipient
or copy recipient ``k`` without a handler waits in its unit's queue (the central queue: no unit,
I posts only) on D iff its post reached it, ``journaldato <= D`` and no write-off of ``k`` or of
its whole post is dated on or before D. For each such recipient that is one interval
[``journaldato``, first write-off), kept as a row of ``core_fordeling_span``
(:class:`~core.archive.tables.FordelingSpan`) with its unit (0: central) and when the post came
in (for the queue's oldest item). A queue's count and oldest item on D are then one grouped read
of the index ``core_fordeling_span_queue`` (unit, ``fra_dato``, with ``til_dato`` and
``mottatt``): :func:`summary_query`.

The spans follow the records through the same calls as the restanse ledger: every write that
can move a count calls :func:`core.archive.ledger.refresh_parts` or
:func:`~core.archive.ledger.refresh_posts`, which call :func:`refresh` here in the same
transaction (two statements by key: delete the recipients' spans, insert what the rule says);
bulk loads and ``arkivrutiner rebuild-restanse-ledger`` call :func:`rebuild`. The rule's own
statement (:func:`core.archive.queries.distribution_counts.summaries_query`) stays the
reference: tests/core/archive/test_fordeling_spans.py checks on random histories that both
agree on every date.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from typing import Any

from core.archive.queries.common import QueryString, in_list, run
from core.archive.queries.open_recipients import RECIPIENT_OR_COPY, recipient_of

__all__ = ["queue_ids", "rebuild", "refresh_parts", "refresh_posts", "summary_query", "waiting_on"]

COLUMNS = "korrespondansepart, journalpost, enhet, fra_dato, til_dato, mottatt"


def spans_query(where: QueryString) -> QueryString:
    """The rule's spans of the recipients ``k`` (of post ``j``) matching ``where`` that wait for
    fordeling on at least one day (columns :data:`COLUMNS`)."""
    return QueryString(
        f"SELECT {COLUMNS} FROM ("  # noqa: S608 - names from code; values are bound
        " SELECT x.korrespondansepart, x.journalpost, x.enhet, x.fra_dato, x.mottatt,"
        " CASE WHEN x.wk IS NULL THEN x.wj WHEN x.wj IS NULL OR x.wk <= x.wj THEN x.wk ELSE x.wj END AS til_dato"
        " FROM ("
        "  SELECT k.id AS korrespondansepart, k.journalpost AS journalpost,"
        "  COALESCE(k.administrativ_enhet, 0) AS enhet, j.journaldato AS fra_dato,"
        "  COALESCE(j.mottatt_dato, j.sendt_dato) AS mottatt,"
        "  (SELECT MIN(a.avskrivningsdato) FROM core_avskrivning a WHERE a.korrespondansepart = k.id) AS wk,"
        "  (SELECT MIN(a.avskrivningsdato) FROM core_avskrivning a"
        "   WHERE a.journalpost = j.id AND a.korrespondansepart IS NULL) AS wj"
        "  FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost"
        "  WHERE k.saksbehandler IS NULL AND {}"
        "  AND (k.administrativ_enhet IS NOT NULL OR j.journalposttype = 'I') AND {}"
        " ) x"
        ") y WHERE y.til_dato IS NULL OR y.til_dato > y.fra_dato",
        recipient_of(RECIPIENT_OR_COPY),
        where,
    )


async def _replace(records: QueryString, stored: QueryString) -> None:
    await run(QueryString("DELETE FROM core_fordeling_span WHERE {}", stored))
    await run(
        QueryString(
            f"INSERT INTO core_fordeling_span ({COLUMNS}) SELECT {COLUMNS} FROM ({{}}) spans",  # noqa: S608 - names from code; values are bound
            spans_query(records),
        )
    )


def _ids(ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted({int(i) for i in ids}))


async def refresh_parts(korrespondansepart_ids: Iterable[int]) -> None:
    """Recompute the spans of these recipients (inside the write transaction that changed them)."""
    ids = _ids(korrespondansepart_ids)
    if ids:
        await _replace(in_list("k.id", ids), in_list("korrespondansepart", ids))


async def refresh_posts(journalpost_ids: Iterable[int]) -> None:
    """Recompute the spans of every recipient of these posts (created, changed, deleted or
    written off as a whole)."""
    ids = _ids(journalpost_ids)
    if ids:
        await _replace(in_list("k.journalpost", ids), in_list("journalpost", ids))


async def rebuild(execute: Callable[[QueryString], Awaitable[Any]] = run) -> int:
    """Recompute every span from the records (set-based); the number of spans. ``execute`` runs
    one statement (a migration passes its own engine's)."""
    await execute(QueryString("DELETE FROM core_fordeling_span"))
    await execute(
        QueryString(
            f"INSERT INTO core_fordeling_span ({COLUMNS}) SELECT {COLUMNS} FROM ({{}}) spans",  # noqa: S608 - names from code
            spans_query(QueryString("1 = 1")),
        )
    )
    rows = await execute(QueryString("SELECT COUNT(*) AS n FROM core_fordeling_span"))
    return int(rows[0]["n"])


def waiting_on(day: date, f: str = "f") -> QueryString:
    """SQL over a span ``f``: it waits on ``day``."""
    return QueryString(f"{f}.fra_dato <= {{}} AND ({f}.til_dato IS NULL OR {f}.til_dato > {{}})", day, day)


def summary_query(scope: QueryString, day: date) -> QueryString:
    """Per queue (``enhet``; NULL: central) waiting on ``day`` within ``scope`` (SQL over ``f``,
    the spans): ``n``, ``eldste_mottatt`` and ``eldste_journaldato`` (the oldest journaldato of
    the items without a received time), the columns of
    :func:`core.archive.queries.distribution_counts.summaries_query`."""
    return QueryString(
        "SELECT NULLIF(f.enhet, 0) AS enhet, COUNT(*) AS n, MIN(f.mottatt) AS eldste_mottatt, "
        "MIN(CASE WHEN f.mottatt IS NULL THEN f.fra_dato END) AS eldste_journaldato "
        "FROM core_fordeling_span f WHERE ({}) AND {} GROUP BY f.enhet",
        scope,
        waiting_on(day),
    )


def queue_ids(unit_id: int | None, day: date) -> QueryString:
    """The recipients waiting in ``unit_id``'s queue (None: the central queue) on ``day``: one
    range of the index."""
    return QueryString(
        "SELECT f.korrespondansepart AS id FROM core_fordeling_span f WHERE f.enhet = {} AND {}",
        unit_id or 0,
        waiting_on(day),
    )
