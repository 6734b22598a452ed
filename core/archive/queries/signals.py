"""Signals from the records that a handler may need training or guidance (Fellestjenesten's
follow-up, issue 11): set-based counts per handler, the numbers behind each signal.

- **old restanser**: open recipients (:func:`~core.archive.queries.open_recipients.open_on`)
  the handler holds whose journaldato is more than three months back; a signal from
  :data:`OLD_RESTANSER_MIN` (counted from the open restanser by journaldato that the restanse
  ledger's writes keep, :mod:`core.archive.open_counts`, which agree with the rule:
  :func:`old_restanse_handlers` is the card's count of them);
- **bulk write-offs**: days on which the handler wrote off, with ``TE`` or ``TO``, at least
  :data:`BULK_WRITE_OFF_MIN` incoming posts on the day they arrived (avskrivningsdato =
  journaldato), in the last :data:`WINDOW_DAYS` days;
- **undispatched letters**: the handler's outgoing letters (``U``) not dispatched (journalstatus
  ``R``, ``S``, ``F``, ``G``) with a journaldato more than :data:`UNSENT_DAYS` days back;
- **cases without saksansvarlig** in a unit (open cases; per unit, not per handler).

Every statement groups in SQL and runs unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core.archive import open_counts
from core.archive.queries.common import QueryString, codes_in, in_list, run
from core.archive.queries.leaver import OPEN_CASE_EXCLUDED, UNSENT_STATUSES
from core.timeutil import today

OLD_RESTANSER_MIN = 5
"""From this many restanser older than three months, a handler shows a signal."""
BULK_WRITE_OFF_MIN = 10
"""This many same-day TE/TO write-offs by one person on one day is a bulk write-off."""
BULK_WRITE_OFF_CODES = ("TE", "TO")
WINDOW_DAYS = 90
"""How far back bulk write-offs are looked for."""
UNSENT_DAYS = 14
"""An outgoing letter undispatched for more than this many days is a signal."""


@dataclass
class HandlerSignals:
    """The numbers behind one handler's signals (0: no signal of that kind)."""

    person_id: int
    name: str
    unit_id: int | None
    unit_name: str
    old_restanser: int = 0
    bulk_days: int = 0
    """Days with a bulk write-off in the window."""
    bulk_write_offs: int = 0
    """Write-offs on those days."""
    old_unsent: int = 0

    @property
    def any(self) -> bool:
        return bool(self.old_restanser or self.bulk_days or self.old_unsent)


@dataclass(frozen=True)
class UnitSignal:
    unit_id: int
    unit_name: str
    cases_without_saksansvarlig: int


def months_back(day: date, months: int) -> date:
    """``day`` moved back ``months`` calendar months (the 31st becomes the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _units(column: str, unit_ids: Sequence[int] | None) -> QueryString:
    return QueryString("1 = 1") if unit_ids is None else in_list(column, tuple(unit_ids) or (-1,))


def old_restanser_query(day: date, unit_ids: Sequence[int] | None) -> QueryString:
    """Rows ``person_id, n``: the handlers (of ``unit_ids`` by their unit, or everyone) with at
    least :data:`OLD_RESTANSER_MIN` restanser on ``day`` whose journaldato is more than three
    months back. Read from the open restanser counted per handler and journaldato
    (:mod:`core.archive.open_counts`, kept by the restanse ledger's writes: a month row per
    handler and month and at most half a month of day rows, through the index
    ``core_restanse_open_dato``) and the spans closed after ``day`` (``core_restanse_span_gammel``),
    nothing of the archive's history. The same handlers and numbers as the rule
    (:func:`~core.archive.queries.open_recipients.open_on`) gives."""
    handlers = QueryString("1 = 1")
    if unit_ids is not None:  # by the handler's own unit, as the other signals
        handlers = QueryString(
            "g.noekkel IN (SELECT p.id FROM core_person p WHERE {})", _units("p.unit", unit_ids)
        )
    return open_counts.old_query(day, months_back(day, 3), handlers, OLD_RESTANSER_MIN)


async def old_restanse_handlers(unit_ids: Sequence[int] | None = None, day: date | None = None) -> int:
    """How many handlers (of ``unit_ids``, or everyone) show the signal *old restanser* on
    ``day`` (default today): the rows of :func:`handler_signals` with ``old_restanser``, in one
    statement over the open counts (the front-page card of Fellestjenesten/Arkiv)."""
    rows = await run(
        QueryString("SELECT COUNT(*) AS n FROM ({}) h", old_restanser_query(day or today(), unit_ids))
    )
    return int(rows[0]["n"] or 0) if rows else 0


def bulk_query(day: date, unit_ids: Sequence[int] | None) -> QueryString:
    """Rows ``person_id, days, n``: the handlers (of ``unit_ids`` by their unit, or everyone)
    with days in the :data:`WINDOW_DAYS` up to ``day`` on which they wrote off, with ``TE`` or
    ``TO``, at least :data:`BULK_WRITE_OFF_MIN` incoming posts on the day they arrived; ``n``:
    those write-offs. Read from two indexes alone at a million posts
    (``core_avskrivning_bulk``, ``core_journalpost_type_dato``)."""
    return QueryString(
        "SELECT b.person_id, COUNT(*) AS days, SUM(b.n) AS n FROM ("
        " SELECT a.avskrevet_av AS person_id, a.avskrivningsdato AS d, COUNT(*) AS n "
        " FROM core_avskrivning a JOIN core_journalpost j ON j.id = a.journalpost "
        " JOIN core_person p ON p.id = a.avskrevet_av "
        " WHERE {} AND j.journalposttype = 'I' AND a.avskrivningsdato = j.journaldato "
        " AND a.avskrivningsdato > {} AND a.avskrivningsdato <= {} "
        # The same window on the post (implied by the equal dates; PostgreSQL does not
        # infer it): without it every incoming post of the archive was read (0.25 s at a
        # million posts), with it those of the window (0.12 s).
        " AND j.journaldato > {} AND j.journaldato <= {} AND {} "
        " GROUP BY a.avskrevet_av, a.avskrivningsdato HAVING COUNT(*) >= {}"
        ") b GROUP BY b.person_id",
        in_list("a.avskrivningsmaate", BULK_WRITE_OFF_CODES),
        day - timedelta(days=WINDOW_DAYS),
        day,
        day - timedelta(days=WINDOW_DAYS),
        day,
        _units("p.unit", unit_ids),
        BULK_WRITE_OFF_MIN,
    )


def unsent_query(day: date, unit_ids: Sequence[int] | None) -> QueryString:
    """Rows ``person_id, n``: each handler's outgoing letters not dispatched with a journaldato
    more than :data:`UNSENT_DAYS` days before ``day``, from the partial index of undispatched
    letters (``core_journalpost_unsent``, migration core_2026_12_08t02_30_00; the codes written
    out, so SQLite matches its condition too)."""
    return QueryString(
        "SELECT j.saksbehandler AS person_id, COUNT(*) AS n FROM core_journalpost j "
        "JOIN core_person p ON p.id = j.saksbehandler "
        "WHERE j.journalposttype = 'U' AND {} AND j.journaldato < {} AND {} GROUP BY j.saksbehandler",
        codes_in("j.journalstatus", UNSENT_STATUSES),
        day - timedelta(days=UNSENT_DAYS),
        _units("p.unit", unit_ids),
    )


async def handler_signals(
    unit_ids: Sequence[int] | None = None, day: date | None = None
) -> list[HandlerSignals]:
    """Handlers (of ``unit_ids``, or everyone) with at least one signal, by unit and name."""
    day = day or today()
    old = await run(old_restanser_query(day, unit_ids))
    bulk = await run(bulk_query(day, unit_ids))
    unsent = await run(unsent_query(day, unit_ids))
    person_ids = sorted({int(r["person_id"]) for r in (*old, *bulk, *unsent)})
    if not person_ids:
        return []
    people = await run(
        QueryString(
            "SELECT p.id, p.name, p.unit, u.name AS unit_name FROM core_person p "
            "LEFT JOIN core_unit u ON u.id = p.unit WHERE {}",
            in_list("p.id", tuple(person_ids)),
        )
    )
    signals = {
        int(p["id"]): HandlerSignals(int(p["id"]), p["name"], p["unit"], p["unit_name"] or "") for p in people
    }
    for row in old:
        signals[int(row["person_id"])].old_restanser = int(row["n"])
    for row in bulk:
        signals[int(row["person_id"])].bulk_days = int(row["days"])
        signals[int(row["person_id"])].bulk_write_offs = int(row["n"])
    for row in unsent:
        signals[int(row["person_id"])].old_unsent = int(row["n"])
    return sorted(signals.values(), key=lambda s: (s.unit_name, s.name, s.person_id))


async def unit_signals(unit_ids: Sequence[int] | None = None) -> list[UnitSignal]:
    """Units with open cases that have no saksansvarlig, with the number of such cases."""
    rows = await run(
        QueryString(
            "SELECT u.id, u.name, COUNT(*) AS n FROM core_saksmappe s JOIN core_unit u ON u.id = s.administrativ_enhet "
            "WHERE s.saksansvarlig IS NULL AND NOT {} AND {} GROUP BY u.id, u.name ORDER BY u.name",
            in_list("s.saksstatus", OPEN_CASE_EXCLUDED),
            _units("u.id", unit_ids),
        )
    )
    return [UnitSignal(int(r["id"]), r["name"], int(r["n"])) for r in rows]
