"""What still lies with a person who leaves (*avgang*): the records behind the leaver's
checklist and the bulk transfer (:mod:`core.archive.transfer`), counted and listed from live
records with the same rules as everywhere else.

- **restanser**: internal recipients (``IM``) the person handles that are open today
  (:func:`~core.archive.queries.open_recipients.open_on`; counted from the restanse ledger's
  spans, listed by the rule);
- **cases**: open cases (saksstatus not ``A``/``U``) where the person is saksansvarlig;
- **unsent**: the person's own outgoing posts and notes (``U``, ``N``, ``X``) not yet
  dispatched (journalstatus ``R``, ``S``, ``F``, ``G``);
- **deputy periods** naming the person, as deputy or as leader, not ended;
- **queue**: posts waiting in fordeling for a unit the person leads.

Open tasks come from :func:`core.tasks.queries.open_tasks_of`. Everything is set-based SQL,
identical on SQLite and PostgreSQL; titles under skjerming are masked for the viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from core import memo
from core.archive.queries.common import QueryString, in_list, run
from core.archive.queries.distribution import pending_condition
from core.archive.queries.open_recipients import open_on
from core.archive.queries.visibility import Viewer, case_visible, post_visible
from core.archive.tables import Saksmappe
from core.timeutil import today

OPEN_CASE_EXCLUDED = ("A", "U")
"""Saksstatus of a case that is no longer open: avsluttet, utgår."""
OWN_POST_TYPES = ("U", "N", "X")
"""Journalposttyper a handler writes: utgående, organinternt notat, notat uten oppfølging."""
UNSENT_STATUSES = ("R", "S", "F", "G")
"""Journalstatus of a post not yet dispatched: reservert, saksbehandler, ferdigstilt, godkjent."""


@dataclass(frozen=True)
class LeaverCounts:
    """The counts behind core's checklist lines for one person."""

    restanser: int = 0
    cases: int = 0
    unsent: int = 0
    deputy_periods: int = 0
    queue: int = 0

    @property
    def transferable(self) -> tuple[int, int, int]:
        """What :func:`core.archive.transfer.transfer_work` moves of the records: (restanser,
        cases, unsent)."""
        return (self.restanser, self.cases, self.unsent)


def restanse_condition(person_id: int, day: date) -> QueryString:
    """SQL over ``k``/``j``: ``k`` is an open recipient handled by ``person_id`` on ``day``."""
    return QueryString("k.saksbehandler = {} AND {}", person_id, open_on(day))


def case_condition(person_id: int) -> QueryString:
    """SQL over ``s``: an open case with ``person_id`` as saksansvarlig."""
    return QueryString(
        "s.saksansvarlig = {} AND NOT {}", person_id, in_list("s.saksstatus", OPEN_CASE_EXCLUDED)
    )


def unsent_condition(person_id: int) -> QueryString:
    """SQL over ``j``: the person's own post or note, not yet dispatched."""
    return QueryString(
        "j.saksbehandler = {} AND {} AND {}",
        person_id,
        in_list("j.journalposttype", OWN_POST_TYPES),
        in_list("j.journalstatus", UNSENT_STATUSES),
    )


def deputy_condition(person_id: int, day: date) -> QueryString:
    """SQL over ``d``: a deputy period naming ``person_id`` (deputy or leader), not ended."""
    return QueryString("(d.deputy = {} OR d.leader = {}) AND d.ends >= {}", person_id, person_id, day)


def queue_of_led_units(person_id: int) -> QueryString:
    """SQL over ``k``/``j``: waiting for fordeling in a unit ``person_id`` leads."""
    return QueryString(
        "{} AND k.administrativ_enhet IN (SELECT l.unit FROM core_leadership l WHERE l.person = {})",
        pending_condition(),
        person_id,
    )


def open_spans_of(person_id: int, day: date) -> QueryString:
    """SQL: how many restanser ``person_id`` handles on ``day``, from the restanse ledger's spans
    (:mod:`core.archive.ledger`): the spans open on ``day`` are those with ``fra_dato <= day``
    still open or closed after ``day``, two branches read from the index
    ``core_restanse_span_behandler`` (handler, til_dato) alone. The same number as
    :func:`restanse_condition` counts with the rule (the ledger's tests compare them), without
    reading the person's whole history of recipients."""
    branch = "(SELECT COUNT(*) FROM core_restanse_span x WHERE x.saksbehandler = {} AND x.fra_dato <= {} AND "
    return QueryString(
        f"{branch}x.til_dato IS NULL) + {branch}x.til_dato > {{}})",
        person_id,
        day,
        person_id,
        day,
        day,
    )


async def counts(person_id: int, day: date | None = None) -> LeaverCounts:
    """Every count in one statement; the restanser from the ledger's spans
    (:func:`open_spans_of`), the rest from the records by indexed conditions. Memoized per
    request (:mod:`core.memo`): the checklist's lines and the page's list of items both ask."""
    on = day or today()
    in_transaction = Saksmappe._meta.db.transaction_exists()
    return await memo.memoized(
        ("leaver-counts", person_id, on), lambda: _counts(person_id, on), in_transaction=in_transaction
    )


async def _counts(person_id: int, day: date) -> LeaverCounts:
    rows = await run(
        QueryString(
            "SELECT "
            "{} AS restanser, "
            "(SELECT COUNT(*) FROM core_saksmappe s WHERE {}) AS cases, "
            "(SELECT COUNT(*) FROM core_journalpost j WHERE {}) AS unsent, "
            "(SELECT COUNT(*) FROM core_deputy_period d WHERE {}) AS deputy_periods, "
            "(SELECT COUNT(*) FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
            " WHERE {}) AS queue",
            open_spans_of(person_id, day),
            case_condition(person_id),
            unsent_condition(person_id),
            deputy_condition(person_id, day),
            queue_of_led_units(person_id),
        )
    )
    row = rows[0]
    return LeaverCounts(**{key: int(row[key] or 0) for key in LeaverCounts.__dataclass_fields__})


async def queue_count(person_id: int) -> int:
    """Posts waiting for fordeling in the units ``person_id`` leads (0 for a non-leader)."""
    rows = await run(
        QueryString(
            "SELECT COUNT(*) AS n FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
            "WHERE {}",
            queue_of_led_units(person_id),
        )
    )
    return int(rows[0]["n"] or 0)


def _post_title(viewer: Viewer, *, per_row: bool = False) -> QueryString:
    return QueryString(
        "CASE WHEN {} THEN j.tittel ELSE j.offentlig_tittel END", post_visible(viewer, per_row=per_row)
    )


def _limited(query: QueryString, limit: int | None) -> QueryString:
    return query if limit is None else QueryString("{} LIMIT {}", query, limit)


async def restanser(
    viewer: Viewer, person_id: int, day: date | None = None, *, limit: int | None = None
) -> list[dict[str, Any]]:
    """The open recipients the person handles: ``id``, ``version`` (of the recipient),
    ``journalpost_id``, ``journalpostnummer`` and ``tittel``; oldest first (``limit``: the
    first so many, for a page; :func:`counts` counts them all)."""
    return await run(
        _limited(
            QueryString(
                "SELECT k.id, k.version, j.id AS journalpost_id, j.journaldato, {} AS tittel "
                "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
                "LEFT JOIN core_saksmappe s ON s.id = j.saksmappe WHERE {} ORDER BY j.journaldato, k.id",
                _post_title(viewer, per_row=limit is not None),
                restanse_condition(person_id, day or today()),
            ),
            limit,
        )
    )


async def cases(viewer: Viewer, person_id: int, *, limit: int | None = None) -> list[dict[str, Any]]:
    """The open cases with the person as saksansvarlig: ``id``, ``version``, ``tittel``
    (``limit``: as :func:`restanser`)."""
    return await run(
        _limited(
            QueryString(
                "SELECT s.id, s.version, CASE WHEN {} THEN s.tittel ELSE s.offentlig_tittel END AS tittel "
                "FROM core_saksmappe s WHERE {} ORDER BY s.id",
                case_visible(viewer, per_row=limit is not None),
                case_condition(person_id),
            ),
            limit,
        )
    )


async def unsent(viewer: Viewer, person_id: int, *, limit: int | None = None) -> list[dict[str, Any]]:
    """The person's posts not yet dispatched: ``id``, ``version``, ``journalstatus``, ``tittel``
    (``limit``: as :func:`restanser`)."""
    return await run(
        _limited(
            QueryString(
                "SELECT j.id, j.version, j.journalposttype, j.journalstatus, {} AS tittel "
                "FROM core_journalpost j LEFT JOIN core_saksmappe s ON s.id = j.saksmappe WHERE {} ORDER BY j.id",
                _post_title(viewer, per_row=limit is not None),
                unsent_condition(person_id),
            ),
            limit,
        )
    )


async def deputy_periods(person_id: int, day: date | None = None) -> list[dict[str, Any]]:
    """Deputy periods naming the person, not ended: unit, leader and deputy names, dates."""
    return await run(
        QueryString(
            "SELECT d.id, d.starts, d.ends, u.name AS unit_name, pl.name AS leader_name, "
            "pd.name AS deputy_name FROM core_deputy_period d JOIN core_unit u ON u.id = d.unit "
            "JOIN core_person pl ON pl.id = d.leader JOIN core_person pd ON pd.id = d.deputy "
            "WHERE {} ORDER BY d.starts, d.id",
            deputy_condition(person_id, day or today()),
        )
    )
