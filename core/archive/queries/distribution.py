"""Read side of fordeling: the queues *Til fordeling*, their counts and oldest age, and the
suggestions that save clicks.

A queue item is one internal recipient (korrespondansepart, ``intern``) of an incoming post
(``I``) or of a sent note (``N``) that has no saksbehandler yet and is not written off. A unit's
queue holds the items with that unit; the central queue of Fellestjenesten/Arkiv holds the
incoming posts whose recipient has no unit yet.

Everything is set-based SQL that runs unchanged on SQLite and PostgreSQL: a page of a queue is
one statement plus one for its total (and one for the suggestions of the rows on it); counts
and the oldest item of every queue are one grouped statement. Skjerming is applied in SQL
(:mod:`core.archive.queries.visibility`): a restricted title or sender is never selected,
searched or sorted on for someone who may not see it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from core.archive import fordeling_spans, ledger
from core.archive.numbering import mappe_id, registrerings_id
from core.archive.queries.common import (
    PAGE_SIZE,
    Page,
    QueryString,
    as_bool,
    as_date,
    as_datetime,
    contains,
    engine_type,
    in_list,
    run,
    run_page,
)
from core.archive.queries.names import Names, names_of
from core.archive.queries.open_recipients import RECIPIENT, RECIPIENT_OR_COPY, open_on
from core.archive.queries.people import unit_people
from core.archive.queries.restanser import Scope
from core.archive.queries.visibility import Viewer, case_visible, post_visible
from core.i18n import _
from core.timeutil import OSLO, today

CENTRAL = "sentral"
"""The ``enhet`` value of Fellestjenesten/Arkiv's central queue (posts without a unit)."""


SORTS: dict[str, str] = {
    "eldst": "COALESCE(j.mottatt_dato, j.sendt_dato, j.journaldato) ASC, k.id ASC",
    "nyest": "COALESCE(j.mottatt_dato, j.sendt_dato, j.journaldato) DESC, k.id DESC",
    "nye": "ny DESC, COALESCE(j.mottatt_dato, j.sendt_dato, j.journaldato) ASC, k.id ASC",
    "forfall": "(j.forfallsdato IS NULL), j.forfallsdato ASC, COALESCE(j.mottatt_dato, j.sendt_dato, j.journaldato) ASC, k.id ASC",
    "avsender": "sorter_avsender ASC, COALESCE(j.mottatt_dato, j.sendt_dato, j.journaldato) ASC, k.id ASC",
    "tittel": "vist_tittel ASC, k.id ASC",
    "sak": "s.saksaar ASC, s.sakssekvensnummer ASC, j.journalpostnummer ASC, k.id ASC",
}
DEFAULT_SORT = "eldst"
NEW_FIRST = "nye"
"""The sort «Nye først»: the items marked «Ny» (``ny``, :func:`queue_queries`), then oldest first."""
TYPES = ("I", "N")

ARRIVED = (
    "COALESCE(k.til_fordeling_dato, CASE WHEN j.journalposttype = 'N' "
    "THEN COALESCE(j.sendt_dato, j.opprettet_dato) ELSE j.opprettet_dato END)"
)
"""When ``k`` came into its queue: sent there from another queue (``til_fordeling_dato``), else
when its post came (an I post registered, an N note sent). An item is «Ny» for a person when it
came after their previous visit to the queue (:mod:`core.web.list_preferences`)."""

_SENDER = (
    "(SELECT MIN(e.navn) FROM core_korrespondansepart e "
    "WHERE e.journalpost = j.id AND NOT e.intern AND e.korrespondanseparttype = 'EA')"
)
"""The external sender (avsender) of an I post; the first by name when there are several."""


def sort_labels() -> dict[str, str]:
    return {
        "eldst": _("Eldste først"),
        "nyest": _("Nyeste først"),
        NEW_FIRST: _("Nye først"),
        "forfall": _("Forfallsdato"),
        "avsender": _("Avsender"),
        "tittel": _("Tittel"),
        "sak": _("Saksnummer"),
    }


@dataclass(frozen=True)
class QueueFilter:
    """What the user filters and sorts a queue by (from the query string)."""

    sok: str = ""
    type: str = ""
    sorter: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, sok: str | None, type_: str | None, sorter: str | None) -> QueueFilter:
        return cls(
            sok=(sok or "").strip()[:200],
            type=type_ if type_ in TYPES else "",
            sorter=sorter if sorter in SORTS else DEFAULT_SORT,
        )

    def params(self) -> dict[str, str]:
        """The non-default values, for links and hidden fields (named as the query string's)."""
        values = {"sok": self.sok, "jptype": self.type}
        if self.sorter != DEFAULT_SORT:
            values["sorter"] = self.sorter
        return {k: v for k, v in values.items() if v}

    @property
    def narrows(self) -> bool:
        """True when the filter leaves out some of the queue's items (a search or a type)."""
        return bool(self.sok or self.type)


def pending_condition(day: date | None = None) -> QueryString:
    """SQL over ``k`` (korrespondansepart) and ``j`` (journalpost): ``k`` waits for fordeling on
    ``day`` (default today): an open recipient or copy recipient
    (:func:`~core.archive.queries.open_recipients.open_on`) that has no saksbehandler yet."""
    return QueryString("k.saksbehandler IS NULL AND {}", open_on(day or today(), RECIPIENT_OR_COPY))


def queue_condition(unit_id: int | None) -> QueryString:
    """Items in ``unit_id``'s queue, or in the central queue (no unit yet) for None."""
    if unit_id is None:
        return QueryString(
            "{} AND k.administrativ_enhet IS NULL AND j.journalposttype = 'I'", pending_condition()
        )
    return QueryString("{} AND k.administrativ_enhet = {}", pending_condition(), unit_id)


def received_before(day: date) -> QueryString:
    """SQL: the post was received (or, without a received time, journalført) before ``day``
    (Oslo time)."""
    start = datetime.combine(day, time.min, tzinfo=OSLO)
    return QueryString("(j.mottatt_dato < {} OR (j.mottatt_dato IS NULL AND j.journaldato < {}))", start, day)


def received_day(mottatt: Any, journaldato: Any, sendt: Any = None) -> date | None:
    """The Oslo date a post was received (a note: sent; its journaldato when the time is
    unknown)."""
    moment = as_datetime(mottatt) or as_datetime(sendt)
    if moment is not None:
        if moment.tzinfo is None:
            return moment.date()
        return moment.astimezone(OSLO).date()
    return as_date(journaldato)


def age_days(day: date | None, on: date | None = None) -> int:
    """Whole calendar days since ``day`` (0 for today or unknown)."""
    if day is None:
        return 0
    return max(0, ((on or today()) - day).days)


# --- queue pages ---------------------------------------------------------------------------


_NUMBER = re.compile(r"^(\d{4})/0*(\d+)(?:-(\d+))?$")


def _filters(viewer: Viewer, filters: QueueFilter) -> QueryString:
    parts: list[QueryString] = []
    if filters.type:
        parts.append(QueryString("j.journalposttype = {}", filters.type))
    if filters.sok:
        text = filters.sok
        number = _NUMBER.match(text.replace(" ", ""))
        if number:
            year, seq, post = number.groups()
            parts.append(QueryString("s.saksaar = {} AND s.sakssekvensnummer = {}", int(year), int(seq)))
            if post:
                parts.append(QueryString("j.journalpostnummer = {}", int(post)))
        else:
            parts.append(
                QueryString(
                    "(({} AND ({} OR {})) OR {})",
                    post_visible(viewer),
                    contains("j.tittel", text),
                    contains(_SENDER, text),
                    contains("j.offentlig_tittel", text),
                )
            )
    if not parts:
        return QueryString("1 = 1")
    return QueryString(" AND ".join("{}" for _ in parts), *parts)


_JOINS = "JOIN core_journalpost j ON j.id = k.journalpost JOIN core_saksmappe s ON s.id = j.saksmappe"
"""The names (saksansvarlig, author, author's unit) are scalar subqueries in :data:`_COLUMNS`,
not joins: with three more tables to order, PostgreSQL planned a queue page for longer than
it ran."""
_FROM = f"FROM core_korrespondansepart k {_JOINS}"
_FROM_QUEUE = f"FROM til_fordeling q JOIN core_korrespondansepart k ON k.id = q.id {_JOINS}"
"""From the queue's items (:func:`_queued`) only."""
_FROM_QUEUE_POSTGRES = (
    "FROM til_fordeling q JOIN core_korrespondansepart k ON k.id = q.id "
    "JOIN core_journalpost j ON j.id = k.journalpost "
    "CROSS JOIN LATERAL (SELECT * FROM core_saksmappe s0 WHERE s0.id = j.saksmappe OFFSET 0) s"
)
""":data:`_FROM_QUEUE` on PostgreSQL: each item's case read by key. With a text filter
(*Søk*) the planner expected few rows and hashed every case of the archive to join them: a
leader's queue of 439 filtered on a common word took 0.1 s at a million posts, 10 ms so.
``OFFSET 0`` keeps the subquery from being merged into an ordinary join."""


def _from_queue() -> str:
    return _FROM_QUEUE_POSTGRES if engine_type() in ("postgres", "cockroach") else _FROM_QUEUE


def _queued(unit_id: int | None) -> QueryString:
    """``WITH til_fordeling``: the ids of the queue's items, materialised first.

    A queue is small (what waits today) however large the archive, and the write side keeps
    exactly its items as spans (:mod:`core.archive.fordeling_spans`, one range of the index
    ``core_fordeling_span_queue``), the same set as :func:`queue_condition` (the random
    histories of tests/core/archive/test_fordeling_spans.py compare them). Materialising them
    first keeps the planner from walking every post in the sort order hoping to meet the
    queue's items soon: with an empty central queue, that walk read all I posts (about 1 s at a
    million posts)."""
    return QueryString(
        "WITH til_fordeling AS MATERIALIZED ({}) ", fordeling_spans.queue_ids(unit_id, today())
    )


_COLUMNS = (
    "k.id AS korrespondansepart_id, k.version AS part_version, k.korrespondanseparttype, "
    "k.administrativ_enhet AS enhet, j.id AS journalpost_id, j.journalposttype, j.journalstatus, "
    "j.journalpostnummer, j.mottatt_dato, j.sendt_dato, j.journaldato, j.forfallsdato, j.tilgangsrestriksjon, "
    "j.offentlig_tittel, j.saksmappe AS saksmappe_id, s.saksaar, s.sakssekvensnummer, s.saksansvarlig, "
    "s.administrativ_enhet AS sak_enhet, "
    "j.saksbehandler AS forfatter_id, j.administrativ_enhet AS forfatter_enhet_id, "
    "CASE WHEN {} THEN j.tittel ELSE j.offentlig_tittel END AS vist_tittel, "
    "CASE WHEN {} THEN 1 ELSE 0 END AS synlig, "
    "CASE WHEN {} THEN s.tittel ELSE s.offentlig_tittel END AS sak_tittel, "
    "CASE WHEN {} THEN {} ELSE NULL END AS avsender, "
    "(SELECT COUNT(*) FROM core_dokumentbeskrivelse d "
    " WHERE d.journalpost = j.id AND d.tilknyttet_registrering_som = 'V') AS vedlegg, "
    "(SELECT COUNT(*) FROM core_journalpost fj WHERE fj.saksmappe = j.saksmappe "
    " AND fj.journalpostnummer < j.journalpostnummer) AS tidligere_poster"
)


def new_column(new_since: datetime | None) -> QueryString:
    """The column ``ny``: 1 when the item came into its queue after ``new_since`` (never
    without one)."""
    if new_since is None:
        return QueryString("0 AS ny")
    return QueryString(f"CASE WHEN {ARRIVED} > {{}} THEN 1 ELSE 0 END AS ny", new_since)


def _select(
    viewer: Viewer, source: str = _FROM, new_since: datetime | None = None, *, by_sender: bool = False
) -> QueryString:
    """``SELECT`` the item columns ``FROM source``. ``by_sender`` adds ``sorter_avsender``, the
    key of the sort «Avsender» (a second lookup of the sender per row, which only that sort
    needs)."""
    sender = QueryString(_SENDER)
    sort_key = (
        QueryString(
            ", CASE WHEN {} THEN COALESCE({}, '') ELSE '' END AS sorter_avsender",
            post_visible(viewer),
            sender,
        )
        if by_sender
        else QueryString("")
    )
    return QueryString(
        "SELECT {}{}, {} {}",
        QueryString(
            _COLUMNS,
            post_visible(viewer),
            post_visible(viewer),
            case_visible(viewer),
            post_visible(viewer),
            sender,
        ),
        sort_key,
        new_column(new_since),
        QueryString(source),
    )


async def _items(rows: list[dict[str, Any]], on: date) -> list[dict[str, Any]]:
    """The rows of :func:`_select` as queue items (in place), the names of their cases'
    saksansvarlig and their N posts' authors read in one statement for all of them
    (:func:`~core.archive.queries.names.names_of`)."""
    if not rows:
        return rows
    notes = [row for row in rows if row["journalposttype"] == "N"]
    names = await names_of(
        [row["saksansvarlig"] for row in rows] + [row["forfatter_id"] for row in notes],
        [row["forfatter_enhet_id"] for row in notes],
    )
    for row in rows:
        _item(row, on, names)
    return rows


def _item(row: dict[str, Any], on: date, names: Names) -> dict[str, Any]:
    row["registrerings_id"] = registrerings_id(
        row["saksaar"], row["sakssekvensnummer"], row["journalpostnummer"]
    )
    row["mappe_id"] = mappe_id(row["saksaar"], row["sakssekvensnummer"])
    row["synlig"] = as_bool(row["synlig"])
    row["skjermet"] = bool(row["tilgangsrestriksjon"])
    row["vist_tittel"] = row["vist_tittel"] or _("Skjermet tittel")
    row["sak_tittel"] = row["sak_tittel"] or _("Skjermet tittel")
    author_id, author_unit_id = row.pop("forfatter_id"), row.pop("forfatter_enhet_id")
    row["saksansvarlig_navn"] = names.person(row["saksansvarlig"])
    if row["journalposttype"] == "N":
        author, author_unit = names.person(author_id), names.unit_code(author_unit_id)
        row["avsender"] = f"{author} ({author_unit})" if author_unit else author
    elif not row["synlig"]:
        row["avsender"] = _("Skjermet navn")
    row["avsender"] = row["avsender"] or ""
    row["mottatt"] = received_day(row["mottatt_dato"], row["journaldato"], row["sendt_dato"])
    row["mottatt_dato"] = as_datetime(row["mottatt_dato"])
    row["forfallsdato"] = as_date(row["forfallsdato"])
    row["forfalt"] = row["forfallsdato"] is not None and row["forfallsdato"] < on
    row["alder"] = age_days(row["mottatt"], on)
    row["vedlegg"] = int(row["vedlegg"] or 0)
    row["ny_sak"] = row["saksansvarlig"] is None
    row["forste_post"] = int(row["tidligere_poster"] or 0) == 0
    row["kopi"] = row["korrespondanseparttype"] == "IK"
    row["forslag"] = None
    row["ny"] = as_bool(row["ny"])
    return row


SPAN_ORDERS = {"eldst": "ASC", "nyest": "DESC"}
"""The sorts a page can take from the spans alone: by when the post came, then the recipient.
The span's ``COALESCE(mottatt, fra_dato)`` is the post's ``COALESCE(mottatt_dato, sendt_dato,
journaldato)`` (:data:`core.archive.fordeling_spans.COLUMNS`), the key of :data:`SORTS`."""


def span_page_query(
    viewer: Viewer, unit_id: int | None, order: str, size: int, offset: int, new_since: datetime | None = None
) -> QueryString:
    """One page of an unfiltered queue sorted by arrival (:data:`SPAN_ORDERS`): the page's
    recipients are chosen, sorted and cut from the spans (a few hundred narrow rows even in a
    busy unit), and only those are joined to their posts and cases. The general statement
    (:func:`queue_queries`) joins every item of the queue to sort by the post's date, which
    grew with the queue (5.6 ms for 439 items at a million posts)."""
    direction = SPAN_ORDERS[order]
    return QueryString(
        "WITH til_fordeling AS MATERIALIZED (SELECT f.korrespondansepart AS id, "  # noqa: S608 - direction from SPAN_ORDERS; values are bound
        "COALESCE(f.mottatt, f.fra_dato) AS kom FROM core_fordeling_span f WHERE f.enhet = {} AND {} "
        f"ORDER BY kom {direction}, f.korrespondansepart {direction} LIMIT {{}} OFFSET {{}}) "
        f"{{}} ORDER BY q.kom {direction}, q.id {direction}",
        unit_id or 0,
        fordeling_spans.waiting_on(today()),
        size,
        offset,
        _select(viewer, _from_queue(), new_since),
    )


def queue_queries(
    viewer: Viewer, unit_id: int | None, filters: QueueFilter, new_since: datetime | None = None
) -> tuple[QueryString, QueryString]:
    """The statements of a queue page: its rows (ordered, without LIMIT) and their count. Rows
    that came into the queue after ``new_since`` have ``ny`` (:func:`new_column`)."""
    where = _filters(viewer, filters)
    select = QueryString(
        f"{{}}{{}} WHERE {{}} ORDER BY {SORTS[filters.sorter]}",
        _queued(unit_id),
        _select(viewer, _from_queue(), new_since, by_sender="sorter_avsender" in SORTS[filters.sorter]),
        where,
    )
    return select, QueryString(
        f"{{}}SELECT COUNT(*) AS n {_from_queue()} WHERE {{}}", _queued(unit_id), where
    )


async def queue_page(
    viewer: Viewer,
    unit_id: int | None,
    filters: QueueFilter,
    page: int | None,
    *,
    total: int | None = None,
    new_since: datetime | None = None,
) -> Page:
    """One page of a queue with the viewer's skjerming applied, each row with a suggested
    handler (``forslag``: ``{id, name, grunn}`` or None) for a unit's queue, and ``ny`` when it
    came into the queue after ``new_since`` (the sort «Nye først» puts those first).

    ``total``: the queue's size when the caller has it already (the queue's
    :func:`~core.archive.queries.distribution_counts.summaries` count, for an unfiltered
    queue), so the same count is not run twice in a request."""
    if filters.narrows or filters.sorter not in SPAN_ORDERS:
        select, count = queue_queries(viewer, unit_id, filters, new_since)
        result = await run_page(select, count if total is None or filters.narrows else total, page)
    else:
        if total is None:
            counted = await run(queue_queries(viewer, unit_id, filters, new_since)[1])
            total = int(counted[0]["n"]) if counted else 0
        number = min(max(1, page or 1), max(1, math.ceil(total / PAGE_SIZE)))
        # Plan-stable: one unit's waiting spans (a few hundred), then the page's 50 by id
        # (core.request_connection.raw_rows).
        rows = await run(
            span_page_query(viewer, unit_id, filters.sorter, PAGE_SIZE, (number - 1) * PAGE_SIZE, new_since),
            generic_plan=True,
        )
        result = Page(items=rows, number=number, total=total)
    on = today()
    await _items(result.items, on)
    if unit_id is not None:
        await attach_suggestions(viewer, unit_id, result.items)
    return result


async def items_by_id(viewer: Viewer, korrespondansepart_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The given internal recipients (in any state), with the viewer's skjerming applied."""
    if not korrespondansepart_ids:
        return {}
    rows = await run(QueryString("{} WHERE {}", _select(viewer), in_list("k.id", korrespondansepart_ids)))
    return {int(row["korrespondansepart_id"]): row for row in await _items(rows, today())}


async def waiting_item(viewer: Viewer, korrespondansepart_id: int) -> dict[str, Any] | None:
    """One internal recipient while it waits for fordeling (a row of its unit's queue, or of
    the central queue when ``enhet`` is None), with the viewer's skjerming; None when it does
    not (unknown, distributed, written off, cancelled). One statement."""
    rows = await run(
        QueryString(
            "{} WHERE k.id = {} AND {} AND (k.administrativ_enhet IS NOT NULL OR j.journalposttype = 'I')",
            _select(viewer),
            korrespondansepart_id,
            pending_condition(),
        )
    )
    return (await _items(rows, today()))[0] if rows else None


# --- suggestions ---------------------------------------------------------------------------


async def attach_suggestions(viewer: Viewer, unit_id: int, items: list[dict[str, Any]]) -> None:
    """Suggest a handler for each item: the case's saksansvarlig when that person is active in
    the unit; else the handler in the unit who last got post from the same sender. Only
    earlier posts the viewer may see count: a restricted post must not reveal, through a
    suggestion, that its sender wrote to that handler.

    Two statements for the whole page: the active people of the unit, and the latest handler
    per sender from ``core_avsender_saksbehandler`` (:mod:`core.archive.sender_handlers`:
    per unit, sender, handler and tilgangsrestriksjon, the handler's latest distribution), a
    few rows per sender instead of a window over the unit's whole history. An earlier post
    counts when it is open, when the viewer holds its tilgangskode, or when the viewer was its
    handler; a restricted post the viewer sees only through another involvement (saksansvarlig
    of its case, handler of another recipient) gives no suggestion, which reveals less.
    """
    if not items:
        return
    people = await unit_people(unit_id)
    active = {p["id"]: p["name"] for p in people}
    senders = sorted(
        {
            row["avsender"]
            for row in items
            if row["journalposttype"] == "I" and row["synlig"] and row["avsender"]
        }
    )
    last_by_sender: dict[str, tuple[int, str]] = {}
    if senders:
        rows = await run(
            QueryString(
                # The candidates first, by the table's key (enhet, avsender, …): joined with the
                # people directly, a generic plan (after five runs) went from each person
                # through all the unit's rows.
                "WITH kandidater AS MATERIALIZED ("
                " SELECT a.avsender, a.saksbehandler, a.fordelt_dato, a.korrespondansepart"
                " FROM core_avsender_saksbehandler a"
                " WHERE a.enhet = {} AND {} AND (a.tilgangsrestriksjon = '' OR {} OR a.saksbehandler = {})"
                ") SELECT avsender, saksbehandler, navn FROM ("
                " SELECT c.avsender, c.saksbehandler, p.name AS navn, ROW_NUMBER() OVER ("
                "  PARTITION BY c.avsender ORDER BY (c.fordelt_dato IS NULL), c.fordelt_dato DESC,"
                "  c.korrespondansepart DESC"
                " ) AS rn"
                " FROM kandidater c JOIN core_person p ON p.id = c.saksbehandler AND p.active AND p.unit = {}"
                ") latest WHERE rn = 1",
                unit_id,
                in_list("a.avsender", senders),
                in_list("a.tilgangsrestriksjon", viewer.codes),
                viewer.person_id,
                unit_id,
            ),
            # By the table's key (enhet, avsender): the same plan for every unit and sender,
            # planned once per connection (core.request_connection.raw_rows).
            generic_plan=True,
        )
        last_by_sender = {r["avsender"]: (int(r["saksbehandler"]), r["navn"]) for r in rows}
    for row in items:
        owner = row["saksansvarlig"]
        if owner is not None and owner in active:
            row["forslag"] = {"id": owner, "name": active[owner], "grunn": _("saksansvarlig")}
        elif row["journalposttype"] == "I" and row["synlig"] and row["avsender"] in last_by_sender:
            pid, name = last_by_sender[row["avsender"]]
            row["forslag"] = {"id": pid, "name": name, "grunn": _("fikk forrige post fra avsenderen")}


# --- redistribution ------------------------------------------------------------------------


def _open_of(unit_id: int, handler_id: int) -> QueryString:
    """SQL over ``k``/``j``: a handler's open item in a unit, their restanser (internal
    recipients, not copies, not written off), what omfordeling moves. A copy (IK) needs no
    answer and is never open for its handler once distributed."""
    return QueryString(
        "k.administrativ_enhet = {} AND k.saksbehandler = {} AND {}",
        unit_id,
        handler_id,
        open_on(today(), RECIPIENT),
    )


async def open_items_of(
    viewer: Viewer, unit_id: int, handler_id: int, *, total: int, page: int | None = None
) -> Page:
    """One page of a handler's open items in a unit (:func:`_open_of`), oldest journaldato
    first. ``total``: how many there are (the page's count per handler,
    :func:`~core.archive.queries.distribution_counts.open_counts_by_handler`), not counted
    again. The page's ids come from the restanse spans the write side keeps (the same rule,
    :mod:`core.archive.ledger`; index ``core_restanse_span_behandler_dato``), so a deep page of
    the busiest handler reads a stretch of one index instead of sorting all their items."""
    number = min(max(1, page or 1), max(1, math.ceil(total / PAGE_SIZE)))
    on = today()
    chosen = ledger.oldest_open_page(
        on, Scope(unit_ids=(unit_id,), saksbehandler_id=handler_id), PAGE_SIZE, (number - 1) * PAGE_SIZE
    )
    rows = await run(
        QueryString(
            "{} WHERE {} AND {} ORDER BY j.journaldato ASC, k.id ASC",
            _select(viewer),
            chosen,
            _open_of(unit_id, handler_id),
        )
    )
    await _items(rows, on)
    return Page(items=rows, number=number, total=total)


async def open_item_choices(unit_id: int, handler_id: int, shown_at: datetime) -> list[tuple[int, int]]:
    """``(korrespondansepart, version)`` of every open item of the handler in the unit that
    reached the handler at or before ``shown_at`` (*Omfordel alle* moves what the page counted
    when it was shown, on all its pages; a post distributed to the handler later is not
    moved), by id."""
    rows = await run(
        QueryString(
            "SELECT k.id, k.version FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
            "WHERE {} AND (k.fordelt_dato IS NULL OR k.fordelt_dato <= {}) ORDER BY k.id",
            _open_of(unit_id, handler_id),
            shown_at,
        )
    )
    return [(int(row["id"]), int(row["version"])) for row in rows]
