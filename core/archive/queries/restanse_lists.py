"""The list behind the restanse counts: one row per restanse with what the pages show (number,
titles masked for the viewer, sender, dates, age, forfalt, § 11 a), paged or in batches for
exports; one restanse; a handler's summary; and the posts a BU/BN write-off or a foreløpig svar
may name.

Items (:func:`restanse_item`) have ``korrespondansepart_id``, ``version``, ``journalpost_id``,
``saksmappe_id``, ``nummer``, ``saksnummer``, ``journalposttype``, ``tittel``, ``sakstittel``,
``avsender``, ``skjermet``, ``journaldato``, ``mottatt_dato``, ``forfallsdato``, ``forfalt``,
``alder_dager``, ``foreloepig_svar_dato``, ``paragraf_11a``, ``enhet_id``/``enhet_kode``/
``enhet_navn``, ``saksbehandler_id``/``saksbehandler_navn``, ``ny`` (distributed since the
handler's previous visit, when the caller passes that time); the foreløpig svar's post
(``foreloepig_svar_journalpost_id`` and its number ``foreloepig_svar_nummer``, numbers only) and
who registered it when (``foreloepig_svar_av``, ``foreloepig_svar_registrert``).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from core.archive import ledger, open_counts
from core.archive import rules as archive_rules
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
)
from core.archive.queries.names import Names, names_of
from core.archive.queries.restanser import Scope, restanse_where
from core.archive.queries.visibility import Viewer, case_visible, post_visible
from core.archive.tables import Korrespondansepart
from core.i18n import _
from core.timeutil import months_back, today

_HANDLER_NAME = "(SELECT p.name FROM core_person p WHERE p.id = k.saksbehandler)"
_UNIT_CODE = "(SELECT u.code FROM core_unit u WHERE u.id = k.administrativ_enhet)"
"""Names of the row's handler and unit for the sorts by them, as scalar subqueries, not joins:
with four more tables to order, PostgreSQL spent 13 ms planning a list statement that runs in
2 ms. The rows shown read their names afterwards (:func:`restanse_items`)."""

_ORDER_TAIL = "s.saksaar ASC, s.sakssekvensnummer ASC, j.journalpostnummer ASC, k.id ASC"
SORTS: dict[str, str] = {
    "eldst": f"j.journaldato ASC, {_ORDER_TAIL}",
    "nyest": "j.journaldato DESC, s.saksaar DESC, s.sakssekvensnummer DESC, j.journalpostnummer DESC, k.id DESC",
    "nye": f"ny DESC, j.journaldato ASC, {_ORDER_TAIL}",
    "forfall": f"(j.forfallsdato IS NULL), j.forfallsdato ASC, j.journaldato ASC, {_ORDER_TAIL}",
    "sak": _ORDER_TAIL,
    "saksbehandler": f"({_HANDLER_NAME} IS NULL), {_HANDLER_NAME} ASC, j.journaldato ASC, {_ORDER_TAIL}",
    "enhet": f"{_UNIT_CODE} ASC, j.journaldato ASC, {_ORDER_TAIL}",
}
DEFAULT_SORT = "eldst"
NEW_FIRST = "nye"
"""The sort «Nye først» of a handler's own list: the restanser marked «Ny» (``ny``: distributed
to the handler after ``new_since``, :func:`restanse_select`), then oldest first."""
_SPAN_TAIL = "x.saksaar ASC, x.sakssekvensnummer ASC, x.journalpostnummer ASC, x.korrespondansepart ASC"
SPAN_SORTS: dict[str, str] = {
    "eldst": f"x.fra_dato ASC, {_SPAN_TAIL}",
    "nyest": "x.fra_dato DESC, x.saksaar DESC, x.sakssekvensnummer DESC, x.journalpostnummer DESC, "
    "x.korrespondansepart DESC",
    "forfall": f"(x.forfallsdato IS NULL), x.forfallsdato ASC, x.fra_dato ASC, {_SPAN_TAIL}",
    "sak": _SPAN_TAIL,
}
"""The sorts of :data:`SORTS` whose every key the restanse spans carry (``fra_dato`` is the
journaldato; the post's forfallsdato and number; the recipient), written over the span ``x``:
the same order, so :func:`open_restanser` reads their pages' ids from the spans alone."""


def sort_labels() -> dict[str, str]:
    return {
        "eldst": _("Eldste først"),
        "nyest": _("Nyeste først"),
        NEW_FIRST: _("Nye først"),
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
    "JOIN core_saksmappe s ON s.id = j.saksmappe"
)


def restanse_select(
    viewer: Viewer, new_since: datetime | None = None, source: QueryString | None = None
) -> QueryString:
    """``SELECT ... FROM`` the restanse rows (k, j, s; units and people by id, their names
    read for the rows afterwards, :func:`restanse_items`) with titles and sender masked for
    ``viewer``; combine with :func:`restanse_where` and turn rows into list items with
    :func:`restanse_items`. For pages that need their own ``WHERE`` on top of the rule.
    ``ny`` is 1 for a restanse distributed (``fordelt_dato``) after ``new_since`` (never
    without one).

    Skjerming is checked per row (``per_row``): a page shows 50 rows, and collecting every
    record a busy handler is involved in (tens of thousands) cost more than the page.
    ``source``: the ``FROM`` with ``k``, ``j`` and ``s`` (default all recipients,
    :func:`recipients_by_id` for some)."""
    return QueryString(
        "SELECT k.id AS korrespondansepart_id, k.version, j.id AS journalpost_id, "
        "j.saksmappe AS saksmappe_id, s.saksaar, s.sakssekvensnummer, j.journalpostnummer, "
        "j.journalposttype, j.tilgangsrestriksjon, j.journaldato, j.mottatt_dato, j.forfallsdato, "
        "k.foreloepig_svar_dato, k.foreloepig_svar_journalpost AS foreloepig_svar_journalpost_id, "
        "(SELECT fj.journalpostnummer FROM core_journalpost fj WHERE fj.id = k.foreloepig_svar_journalpost) "
        "AS foreloepig_svar_journalpostnummer, k.foreloepig_svar_av, k.foreloepig_svar_registrert, "
        "k.administrativ_enhet AS enhet_id, k.saksbehandler AS saksbehandler_id, "
        "j.saksbehandler AS forfatter_id, j.administrativ_enhet AS forfatter_enhet_id, "
        "CASE WHEN {} THEN 1 ELSE 0 END AS synlig, "
        "CASE WHEN {} THEN j.tittel ELSE j.offentlig_tittel END AS tittel, "
        "CASE WHEN {} THEN s.tittel ELSE s.offentlig_tittel END AS sakstittel, "
        "CASE WHEN {} THEN {} ELSE NULL END AS ekstern_avsender, {} {}",
        post_visible(viewer, per_row=True),
        post_visible(viewer, per_row=True),
        case_visible(viewer, per_row=True),
        post_visible(viewer, per_row=True),
        QueryString(_SENDER),
        QueryString("0 AS ny")
        if new_since is None
        else QueryString("CASE WHEN k.fordelt_dato > {} THEN 1 ELSE 0 END AS ny", new_since),
        QueryString(_FROM) if source is None else source,
    )


async def restanse_items(rows: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """Rows of :func:`restanse_select` as the list items :func:`open_restanser` returns, with
    the names of their units, handlers and (for N posts) authors read in one statement
    (:func:`~core.archive.queries.names.names_of`)."""
    if not rows:
        return []
    names = await names_of(
        [r["saksbehandler_id"] for r in rows]
        + [r["forfatter_id"] for r in rows if r["journalposttype"] == "N"],
        [r["enhet_id"] for r in rows]
        + [r["forfatter_enhet_id"] for r in rows if r["journalposttype"] == "N"],
    )
    return [restanse_item(row, day, names) for row in rows]


def restanse_item(row: dict[str, Any], day: date, names: Names) -> dict[str, Any]:
    """A row of :func:`restanse_select` as a list item, the names from ``names``."""
    visible = as_bool(row.pop("synlig"))
    row["ny"] = as_bool(row.get("ny"))
    row["nummer"] = registrerings_id(row["saksaar"], row["sakssekvensnummer"], row["journalpostnummer"])
    row["saksnummer"] = mappe_id(row["saksaar"], row["sakssekvensnummer"])
    row["skjermet"] = not visible
    row["tittel"] = row["tittel"] or _("Skjermet tittel")
    row["sakstittel"] = row["sakstittel"] or _("Skjermet tittel")
    author_id, author_unit_id = row.pop("forfatter_id"), row.pop("forfatter_enhet_id")
    if row["journalposttype"] == "N":
        author, author_unit = names.person(author_id), names.unit_code(author_unit_id)
        row["avsender"] = f"{author} ({author_unit})" if author_unit else author
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
    number = row.pop("foreloepig_svar_journalpostnummer")
    row["foreloepig_svar_nummer"] = (
        registrerings_id(row["saksaar"], row["sakssekvensnummer"], number) if number is not None else ""
    )  # the foreløpig svar is a post of the same case
    row["foreloepig_svar_registrert"] = as_datetime(row["foreloepig_svar_registrert"])
    row["paragraf_11a"] = (
        row["journalposttype"] == "I"
        and journaldato < months_back(day, 1)
        and row["foreloepig_svar_dato"] is None
    )
    row["saksbehandler_navn"] = names.person(row["saksbehandler_id"])
    row["enhet_kode"] = names.unit_code(row["enhet_id"])
    row["enhet_navn"] = names.unit_name(row["enhet_id"])
    return row


async def open_restanser(
    viewer: Viewer,
    scope: Scope,
    *,
    without_handler: bool = False,
    day: date | None = None,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    size: int = PAGE_SIZE,
    new_since: datetime | None = None,
) -> Page:
    """The restanser on ``day`` (default today) in ``scope``, paged, with the viewer's
    skjerming applied (see the module's docstring for the keys of each item). With
    ``without_handler`` only those that have no handler yet (the row "uten saksbehandler" of a
    unit's report). With ``new_since``, ``ny`` marks those distributed after it, and the sort
    «Nye først» (:data:`NEW_FIRST`) puts them first.

    The total is the restanse ledger's count (:func:`core.archive.ledger.count`: month totals
    and ledger rows, or the spans for a period of journaldato; memoized per request, so the
    menu badge and *Egne restanser* share one statement), not a count of the list."""
    on = day or today()
    if without_handler:
        scope = replace(scope, without_handler=True)
    where = restanse_where(scope, on)
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    total = await ledger.count(on, scope)
    number = min(max(1, page), max(1, math.ceil(total / size)))
    chosen: list[int] = []
    if total:
        # The page's ids from the spans the write side keeps (the same rule; the ledger's tests
        # hold them to it), by the sort keys alone: for the sorts whose keys the spans carry,
        # the page of the spans in that order; «Nye først» the new ones, then the others, each
        # in that order (:func:`_new_first_ids`); by handler or unit, the scope's restanser
        # sorted with their names. Then only the page's rows are read with their display
        # columns, and checked by the rule. Sorting the busiest handler's 10 674 rows with
        # those columns took 0.19 s at a million posts, and a later page computed them for
        # every row before it.
        offset = (number - 1) * size
        if sort == NEW_FIRST:
            chosen = await _new_first_ids(on, scope, new_since, size, offset)
        elif sort in SPAN_SORTS or sort not in SORTS:
            span_order = SPAN_SORTS.get(sort, SPAN_SORTS[DEFAULT_SORT])
            rows = await run(
                ledger.open_page_ids(on, scope, span_order, size, offset),
                generic_plan=ledger.page_ids_by_key(scope),
            )
            chosen = [int(row["korrespondansepart"]) for row in rows]
        else:
            chosen = await _ordered_ids(ledger.open_where(on, scope), order, new_since, size, offset)
    return Page(
        items=await _items_by_id(viewer, chosen, on, new_since, where=where),
        number=number,
        total=total,
        size=size,
    )


async def _new_first_ids(
    on: date, scope: Scope, new_since: datetime | None, limit: int, offset: int
) -> list[int]:
    """The ids at places ``offset + 1`` to ``offset + limit`` of «Nye først» (:data:`SORTS`:
    ``ny`` first, then oldest first) from the spans alone: the restanser distributed after
    ``new_since`` (:func:`core.archive.ledger.distributed_after`, by the index of recipients by
    handler and ``fordelt_dato``) oldest first, then the others oldest first
    (:data:`SPAN_SORTS`' default order is the rest of the sort's keys). At most the first
    ``offset + limit`` new ones are read: fewer, and they are all, so the others start at
    ``offset`` less their number. Without ``new_since`` none is new. Joining the candidates to
    their posts and cases to sort them took the busiest handler's page 100 over 100 ms at a
    million posts."""
    order = SPAN_SORTS[DEFAULT_SORT]
    if new_since is None:  # the default sort's page
        rows = await run(
            ledger.open_page_ids(on, scope, order, limit, offset), generic_plan=ledger.page_ids_by_key(scope)
        )
        return [int(row["korrespondansepart"]) for row in rows]
    new = ledger.distributed_after(new_since, scope)
    first = [
        int(row["korrespondansepart"])
        for row in await run(ledger.open_page_ids(on, scope, order, offset + limit, 0, within=new))
    ]
    chosen = first[offset:]
    if len(first) < offset + limit:
        rest = ledger.open_page_ids(
            on,
            scope,
            order,
            limit - len(chosen),
            max(0, offset - len(first)),
            within=QueryString("NOT ({})", new),
        )
        chosen += [int(row["korrespondansepart"]) for row in await run(rest)]
    return chosen


def _new_column(new_since: datetime | None) -> QueryString:
    """``ny`` as :func:`restanse_select` computes it (a sort key of «Nye først»)."""
    if new_since is None:
        return QueryString("0 AS ny")
    return QueryString("CASE WHEN k.fordelt_dato > {} THEN 1 ELSE 0 END AS ny", new_since)


async def _ordered_ids(
    where: QueryString, order: str, new_since: datetime | None, limit: int | None = None, offset: int = 0
) -> list[int]:
    """The recipients of ``where`` in the sort ``order``, ids only (``limit``: one page)."""
    query = QueryString(
        f"SELECT k.id AS id, {{}} {_FROM} WHERE {{}} ORDER BY {order}", _new_column(new_since), where
    )
    if limit is not None:
        query = QueryString("{} LIMIT {} OFFSET {}", query, limit, offset)
    return [int(row["id"]) for row in await run(query)]


async def _items_by_id(
    viewer: Viewer,
    ids: list[int],
    on: date,
    new_since: datetime | None = None,
    *,
    where: QueryString | None = None,
) -> list[dict[str, Any]]:
    """The list items of ``ids``, in that order (:func:`restanse_item`), those that also meet
    ``where``; one deleted since the ids were read is left out. One plan for every viewer and
    scope, made once per connection (a generic plan: :func:`items_by_id_query` is read by the
    ids alone)."""
    if not ids:
        return []
    # The ids drive, whoever looks and whatever the scope (recipients_by_id).
    rows = await run(items_by_id_query(viewer, ids, new_since, where), generic_plan=True)
    by_id = {int(row["korrespondansepart_id"]): row for row in rows}
    return await restanse_items([by_id[id_] for id_ in ids if id_ in by_id], on)


def items_by_id_query(
    viewer: Viewer, ids: list[int], new_since: datetime | None = None, where: QueryString | None = None
) -> QueryString:
    """The statement of :func:`_items_by_id`: the rows of :func:`restanse_select` of the
    recipients ``ids`` (:func:`recipients_by_id`) that meet ``where``."""
    return QueryString(
        "{} WHERE {}",
        restanse_select(viewer, new_since, recipients_by_id(ids)),
        QueryString("1 = 1") if where is None else where,
    )


def recipients_by_id(ids: list[int]) -> QueryString:
    """The ``FROM`` of :func:`restanse_select` for the recipients ``ids`` only. On PostgreSQL
    they are read in a subquery fenced with ``OFFSET 0`` (not merged into the join), so the
    conditions on top (the rule and the scope: unit, handler) cannot be taken for a way in: the
    ids drive for every viewer and scope, and the statement keeps one plan, generic, without
    planning it on every page. Planned as one join with a generic plan, the handler's condition
    looked as selective as the ids and PostgreSQL read the busiest handler's 26 834 recipients
    to find the 50 of a page (105 ms against 3 ms at a million posts)."""
    fence = " OFFSET 0" if engine_type() in ("postgres", "cockroach") else ""
    return QueryString(
        f"FROM (SELECT * FROM core_korrespondansepart WHERE {{}}{fence}) k "  # noqa: S608 - constants; ids bound
        "JOIN core_journalpost j ON j.id = k.journalpost JOIN core_saksmappe s ON s.id = j.saksmappe",
        in_list("id", ids),
    )


async def iter_restanser(
    viewer: Viewer,
    scope: Scope,
    *,
    day: date | None = None,
    sort: str = DEFAULT_SORT,
    batch: int = 1000,
) -> AsyncIterator[list[dict[str, Any]]]:
    """All restanser on ``day`` in ``scope`` in batches (for exports), inside one read
    transaction (on PostgreSQL ``REPEATABLE READ``; SQLite's read transaction is a snapshot
    too), so a write-off made while the export runs cannot make a row be skipped or repeated.

    The recipients' ids are read first in the sort order (one statement, no display columns;
    from the spans alone for :data:`SPAN_SORTS`), then their rows a batch at a time by id:
    paging the full statement with ``OFFSET`` made every batch compute and sort all rows before
    it (the busiest handler's 10 900 restanser took 3.8 s to export at a million posts)."""
    on = day or today()
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    async with Korrespondansepart._meta.db.transaction():
        if engine_type() in ("postgres", "cockroach"):
            await run(QueryString("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        if sort in SPAN_SORTS or sort not in SORTS:
            span_order = SPAN_SORTS.get(sort, SPAN_SORTS[DEFAULT_SORT])
            ids = [
                int(r["korrespondansepart"])
                for r in await run(ledger.open_page_ids(on, scope, span_order, None))
            ]
        else:
            ids = await _ordered_ids(restanse_where(scope, on), order, None)
        for start in range(0, len(ids), batch):
            yield await _items_by_id(viewer, ids[start : start + batch], on)


async def restanse_of(
    viewer: Viewer, korrespondansepart_id: int, day: date | None = None
) -> dict[str, Any] | None:
    """One recipient as a list item (:func:`restanse_item`, titles masked for ``viewer``) while
    it is a restanse on ``day`` (default today); None when it is not (written off, a copy, not
    internal, or no such recipient)."""
    on = day or today()
    rows = await run(
        QueryString(
            "{} WHERE k.id = {} AND {}",
            restanse_select(viewer),
            korrespondansepart_id,
            restanse_where(Scope(), on),
        )
    )
    return (await restanse_items(rows, on))[0] if rows else None


# --- a handler's summary -------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Restanser of one handler on a day: all, forfalt, past § 11 a, with a foreløpig svar."""

    total: int = 0
    forfalt: int = 0
    paragraf_11a: int = 0
    foreloepig: int = 0


async def own_summary(person_id: int, day: date | None = None) -> Summary:
    """The handler's restanser on ``day`` (default today): the total from the restanse ledger
    (:func:`core.archive.ledger.count`, the menu badge's statement, memoized per request), and
    forfalt, past § 11 a and with a foreløpig svar — the marks of :func:`restanse_item` — from
    the open restanser counted by date that the write side keeps
    (:func:`core.archive.open_counts.own_counts`): a month row per month of open restanser and at
    most half a month of day rows per count, however many restanser the handler has."""
    on = day or today()
    forfalt, paragraf_11a, foreloepig = await open_counts.own_counts(person_id, on)
    return Summary(
        total=await ledger.count(on, Scope(saksbehandler_id=person_id)),
        forfalt=forfalt,
        paragraf_11a=paragraf_11a,
        foreloepig=foreloepig,
    )


# --- BU/BN: the posts that may answer -------------------------------------------------------


async def answer_options(viewer: Viewer, case_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per case: its own posts (U, N, X; not utgår), newest first, with ``id``, ``nummer``,
    ``journalposttype``, ``tittel`` (masked for the viewer) and ``journaldato``."""
    if not case_ids:
        return {}
    rows = await run(
        QueryString(
            "SELECT j.id, j.saksmappe, s.saksaar, s.sakssekvensnummer, j.journalpostnummer, "
            "j.journalposttype, j.journaldato, CASE WHEN {} THEN j.tittel ELSE j.offentlig_tittel END AS tittel "
            "FROM core_journalpost j JOIN core_saksmappe s ON s.id = j.saksmappe "
            "WHERE {} AND {} AND j.journalstatus <> 'U' ORDER BY j.saksmappe, j.journalpostnummer DESC",
            post_visible(viewer),
            in_list("j.saksmappe", sorted(set(case_ids))),
            in_list("j.journalposttype", archive_rules.OWN_TYPES),
        ),
        generic_plan=True,  # by the page's case ids
    )
    result: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        result.setdefault(int(row["saksmappe"]), []).append(
            {
                "id": int(row["id"]),
                "nummer": registrerings_id(
                    row["saksaar"], row["sakssekvensnummer"], row["journalpostnummer"]
                ),
                "journalposttype": row["journalposttype"],
                "tittel": row["tittel"] or _("Skjermet tittel"),
                "journaldato": as_date(row["journaldato"]),
            }
        )
    return result


async def foreloepig_svar_options(viewer: Viewer, item: dict[str, Any]) -> list[dict[str, Any]]:
    """The posts of the restanse ``item``'s case that may be named as its foreløpig svar
    (:data:`core.archive.rules.FORELOEPIG_SVAR_TYPES`: for an I post its U posts, for an N note
    its N and X posts; not utgått, not the post itself, not journalført before it), newest first,
    as :func:`answer_options` gives them (titles masked for ``viewer``)."""
    wanted = archive_rules.FORELOEPIG_SVAR_TYPES.get(item["journalposttype"], ())
    options = (await answer_options(viewer, [int(item["saksmappe_id"])])).get(int(item["saksmappe_id"]), [])
    return [
        o
        for o in options
        if o["journalposttype"] in wanted
        and o["id"] != item["journalpost_id"]
        and (o["journaldato"] is None or o["journaldato"] >= item["journaldato"])
    ]
