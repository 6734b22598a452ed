"""Fordeling at scale (issue 13): the queues and their counts read the write side's spans of
what waits (the rule's count a partial index of the recipients without a handler), and the sender suggestion reads ``core_avsender_saksbehandler``, which gives the
same answers as the window over the unit's history it replaced."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.archive import fordeling_spans, sender_handlers
from core.archive.access import access_codes
from core.archive.queries.common import QueryString, in_list, run
from core.archive.queries.distribution import (
    SPAN_ORDERS,
    QueueFilter,
    attach_suggestions,
    queue_queries,
    span_page_query,
)
from core.archive.queries.distribution_counts import spans_summaries_query, summaries_query
from core.archive.queries.visibility import Viewer, post_visible
from core.archive.tables import AvsenderSaksbehandler, Journalpost, Korrespondansepart, Saksmappe
from core.demo import populate
from core.timeutil import today
from tests.conftest import ENGINE
from tests.support.factories import make_person, make_unit

pytestmark = pytest.mark.anyio

INDEX = "core_korrespondansepart_til_fordeling"
SPANS = "on core_fordeling_span f"
"""The spans hold only what waits: the planner may read the few whole (their index is checked in
tests/core/archive/test_fordeling_spans.py)."""


async def test_the_queue_index_is_partial_on_recipients_without_a_handler(db) -> None:
    if ENGINE == "postgres":
        rows = await Korrespondansepart.raw(
            "SELECT indexdef AS sql FROM pg_indexes WHERE indexname = {}", INDEX
        )
    else:
        rows = await Korrespondansepart.raw("SELECT sql FROM sqlite_master WHERE name = {}", INDEX)
    assert len(rows) == 1
    definition = " ".join(str(rows[0]["sql"]).split()).lower().replace("(", "").replace(")", "")
    assert "administrativ_enhet, journalpost where intern and saksbehandler is null" in definition, definition


async def archive_at_scale(posts: int, waiting: int) -> int:
    """``posts`` incoming posts from an external sender, each to a unit; all but ``waiting``
    distributed; statistics taken (PostgreSQL, set-based). Returns the unit."""
    unit = await make_unit(code="LMA", name="Landbruk")
    person = await make_person(name="Hanne Handler", unit=unit)
    case = Saksmappe(system_id="sak-1", saksaar=2026, sakssekvensnummer=1, tittel="Sak", saksdato=today())
    await case.save()
    await Journalpost.raw(
        "INSERT INTO core_journalpost (system_id, saksmappe, journalaar, journalsekvensnummer, "
        "journalpostnummer, journalposttype, journalstatus, tittel, journaldato, mottatt_dato) "
        "SELECT 'jp-' || n, {}, 2026, n, n, 'I', 'J', 'Søknad ' || n, CURRENT_DATE - (n % 300), "
        "now() - (n % 300) * interval '1 day' FROM generate_series(1, {}) n",
        case.id,
        posts,
    )
    await Korrespondansepart.raw(
        "INSERT INTO core_korrespondansepart (journalpost, korrespondanseparttype, navn, intern) "
        "SELECT id, 'EA', 'Avsender ' || (id % 500), false FROM core_journalpost"
    )
    await Korrespondansepart.raw(
        "INSERT INTO core_korrespondansepart (journalpost, korrespondanseparttype, navn, intern, "
        "administrativ_enhet, saksbehandler, fordelt_dato) "
        "SELECT id, 'IM', 'LMA', true, {}::integer, CASE WHEN journalpostnummer > {} THEN {}::integer END, "
        "CASE WHEN journalpostnummer > {} THEN now() END FROM core_journalpost",
        unit,
        waiting,
        person,
        waiting,
    )
    await fordeling_spans.rebuild()  # as a bulk load does
    for table in ("core_journalpost", "core_korrespondansepart", "core_fordeling_span"):
        await Korrespondansepart.raw(f"ANALYZE {table}")
    return unit


@pytest.mark.skipif(ENGINE != "postgres", reason="the plans are PostgreSQL's")
async def test_queue_pages_and_counts_read_what_waits(db) -> None:
    # 20 000 distributed posts and 5 waiting: the pages and their counts read the few from the
    # write side's spans (core_fordeling_span: only what waits); the rule's own count, which the daily
    # reminder shares, reads them through the partial index. (Before both, the central queue
    # walked every I post in date order and the counts hashed them.)
    unit = await archive_at_scale(20_000, 5)
    viewer = Viewer(1, frozenset())
    pages = [QueryString("{} LIMIT 50", queue_queries(viewer, u, QueueFilter())[0]) for u in (None, unit)]
    pages += [queue_queries(viewer, u, QueueFilter())[1] for u in (None, unit)]
    counts = spans_summaries_query(None, central=True)
    rule = summaries_query(None, central=True)
    assert counts is not None and rule is not None
    for statement, index in [*((p, SPANS) for p in pages), (counts, SPANS), (rule, INDEX)]:
        plan = await run(QueryString("EXPLAIN {}", statement))
        text = "\n".join(str(row["QUERY PLAN"]) for row in plan)
        assert index in text, text
        # The queue's own recipients and posts are never read whole (the skjerming subplans may be).
        assert not re.search(r"Seq Scan on core_(journalpost|korrespondansepart) [jk](_\d+)?\b", text), text


def old_suggestions(viewer: Viewer, unit_id: int, senders: list[str]) -> QueryString:
    """The suggestion's statement before ``core_avsender_saksbehandler``: a window over every
    earlier distribution in the unit."""
    return QueryString(
        "SELECT avsender, saksbehandler, navn FROM ("
        " SELECT e.navn AS avsender, k2.saksbehandler, p.name AS navn, ROW_NUMBER() OVER ("
        "  PARTITION BY e.navn ORDER BY (k2.fordelt_dato IS NULL), k2.fordelt_dato DESC, k2.id DESC"
        " ) AS rn"
        " FROM core_korrespondansepart e"
        " JOIN core_korrespondansepart k2 ON k2.journalpost = e.journalpost"
        "  AND k2.intern AND k2.saksbehandler IS NOT NULL AND k2.administrativ_enhet = {}"
        " JOIN core_person p ON p.id = k2.saksbehandler AND p.active AND p.unit = {}"
        " JOIN core_journalpost j2 ON j2.id = e.journalpost"
        " JOIN core_saksmappe s2 ON s2.id = j2.saksmappe"
        " WHERE NOT e.intern AND e.korrespondanseparttype = 'EA' AND {} AND {}"
        ") latest WHERE rn = 1",
        unit_id,
        unit_id,
        in_list("e.navn", senders),
        post_visible(viewer, "j2", "s2"),
    )


async def table_rows() -> list[dict[str, Any]]:
    columns = [c for c in AvsenderSaksbehandler._meta.columns if c._meta.name != "id"]
    rows = await AvsenderSaksbehandler.select(*columns)
    return sorted(
        rows, key=lambda r: (r["enhet"], r["avsender"], r["saksbehandler"], r["tilgangsrestriksjon"])
    )


async def test_suggestions_equal_the_window_over_the_history_on_the_demo_data(settings, db) -> None:
    await populate(settings)
    # Every write of the demo (bulk records, the plugins' distributions) kept the table current:
    # it equals the table recomputed from the records.
    kept = await table_rows()
    assert len(kept) > 100
    await sender_handlers.rebuild()
    assert await table_rows() == kept

    units = await run(
        QueryString(
            "SELECT DISTINCT l.unit, l.person FROM core_leadership l "
            "JOIN core_korrespondansepart k ON k.administrativ_enhet = l.unit AND k.intern "
            "AND k.saksbehandler IS NOT NULL"
        )
    )
    assert len(units) > 5
    compared = 0
    for row in units:
        unit_id, leader = int(row["unit"]), int(row["person"])
        senders = [
            r["navn"]
            for r in await run(
                QueryString(
                    "SELECT DISTINCT e.navn FROM core_korrespondansepart e "
                    "JOIN core_korrespondansepart k ON k.journalpost = e.journalpost AND k.intern "
                    "AND k.administrativ_enhet = {} WHERE NOT e.intern AND e.korrespondanseparttype = 'EA' "
                    "AND e.navn <> ''",
                    unit_id,
                )
            )
        ]
        for viewer in (
            Viewer(leader, await access_codes(leader)),
            Viewer(leader, frozenset()),
            Viewer(leader, frozenset({"13", "14", "15", "17", "23", "24", "25", "26", "32"})),
        ):
            old = {
                r["avsender"]: int(r["saksbehandler"])
                for r in await run(old_suggestions(viewer, unit_id, senders))
            }
            items = [
                {"journalposttype": "I", "synlig": True, "avsender": s, "saksansvarlig": None}
                for s in senders
            ]
            await attach_suggestions(viewer, unit_id, items)
            new = {i["avsender"]: i["forslag"]["id"] for i in items if i.get("forslag")}
            assert new == old, (unit_id, viewer)
            compared += len(old)
    assert compared > 100


async def test_a_page_sorted_by_arrival_from_the_spans_equals_the_general_statement(settings, db) -> None:
    # An unfiltered queue sorted oldest or newest first takes its page from the spans and joins
    # only that page; every page of every queue of the demo must be the rows, in the order, the
    # general statement (which sorts the whole queue by the post's dates) gives. Items that came
    # at the same time and items known only by journaldato (no received or sent time) are made
    # first, so the tie-break and the fallback are compared too.
    await populate(settings)
    waiting = await run(
        QueryString(
            "SELECT f.enhet, f.journalpost AS id FROM core_fordeling_span f WHERE {} ORDER BY f.journalpost",
            fordeling_spans.waiting_on(today()),
        )
    )
    ids = sorted({int(r["id"]) for r in waiting})
    assert len(ids) > 20
    await Journalpost.raw(
        "UPDATE core_journalpost SET mottatt_dato = NULL, sendt_dato = NULL WHERE {}", in_list("id", ids[::5])
    )
    per_unit: dict[int, list[int]] = {}
    for row in waiting:
        per_unit.setdefault(int(row["enhet"]), []).append(int(row["id"]))
    busiest = max(per_unit.values(), key=len)
    assert len(busiest) >= 8
    same = await Journalpost.select(Journalpost.mottatt_dato).where(Journalpost.id == busiest[0]).first()
    await Journalpost.update({Journalpost.mottatt_dato: same["mottatt_dato"]}).where(
        Journalpost.id.is_in(busiest[1:])
    )
    await fordeling_spans.refresh_posts(ids)
    queues = await run(
        QueryString(
            "SELECT f.enhet, COUNT(*) AS n FROM core_fordeling_span f WHERE {} GROUP BY f.enhet",
            fordeling_spans.waiting_on(today()),
        )
    )
    viewer = Viewer(1, frozenset())
    size = 7
    compared = 0
    for queue in queues:
        unit_id = int(queue["enhet"]) or None
        for order in SPAN_ORDERS:
            select = queue_queries(viewer, unit_id, QueueFilter(sorter=order))[0]
            for offset in range(0, int(queue["n"]) + size, size):
                general = await run(QueryString("{} LIMIT {} OFFSET {}", select, size, offset))
                spans = await run(span_page_query(viewer, unit_id, order, size, offset))
                assert [r["korrespondansepart_id"] for r in spans] == [
                    r["korrespondansepart_id"] for r in general
                ], (unit_id, order, offset)
                compared += len(spans)
    assert compared >= 2 * len(ids)
