"""Archive search at scale: on PostgreSQL the ``ILIKE '%…%'`` of titles and names, with or
without a date window, can read one GIN index of trigrams and date (migrations
``core_2026_12_06t11_50`` and ``core_2026_12_06t17_10_01``; for the public titles and the
external correspondents' names a partial one, ``core_2026_12_07t04_30``) instead of every row."""

from __future__ import annotations

import pytest

from core.archive.tables import Saksmappe
from tests.conftest import ENGINE

pytestmark = pytest.mark.anyio

SEARCHED = [
    ("core_saksmappe", "tittel", "saksdato", "core_saksmappe_tittel_dato", ""),
    (
        "core_saksmappe",
        "offentlig_tittel",
        "saksdato",
        "core_saksmappe_offentlig_tittel_del",
        "offentlig_tittel <> ''",
    ),
    ("core_journalpost", "tittel", "journaldato", "core_journalpost_tittel_dato", ""),
    (
        "core_journalpost",
        "offentlig_tittel",
        "journaldato",
        "core_journalpost_offentlig_tittel_del",
        "offentlig_tittel <> ''",
    ),
    ("core_korrespondansepart", "navn", "journaldato", "core_korrespondansepart_navn_ekstern", "NOT intern"),
]
"""Table, text column, date column, its index, and the index's condition (a partial index holds
only the rows the search can find: a non-empty public title, an external correspondent; the
search's statements carry the same condition)."""


class _RolledBack(Exception):
    """Leaves a transaction with its query plan, undoing what the transaction dropped."""


@pytest.mark.skipif(ENGINE != "postgres", reason="trigram indexes are PostgreSQL's (pg_trgm)")
@pytest.mark.parametrize(("table", "column", "day", "index", "where"), SEARCHED)
async def test_contains_search_can_use_a_trigram_and_date_index(
    db, table: str, column: str, day: str, index: str, where: str
) -> None:
    rows = await Saksmappe.raw("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = {}", table)
    trigram = [row for row in rows if f"({column} gin_trgm_ops" in row["indexdef"]]
    assert [row["indexname"] for row in trigram] == [index], trigram  # the partial one replaced the whole
    assert f"({column} gin_trgm_ops, {day})" in trigram[0]["indexdef"]
    assert ("WHERE" in trigram[0]["indexdef"]) == bool(where), trigram
    # The planner takes it when a scan of every row is made expensive and the table's other
    # indexes are dropped (the tables are tiny here; inside a transaction that is rolled
    # back), for the text alone and for the text in a date window.
    for window in ("", f" AND {day} >= '2026-11-01'"):
        try:
            async with Saksmappe._meta.db.transaction():  # one connection for every statement
                await Saksmappe.raw("SET LOCAL enable_seqscan = off")
                for row in rows:
                    if row["indexname"] != index and "UNIQUE" not in row["indexdef"]:
                        await Saksmappe.raw(f"DROP INDEX {row['indexname']}")
                condition = f" AND {where}" if where else ""
                plan = await Saksmappe.raw(
                    f"EXPLAIN SELECT id FROM {table} WHERE {column} ILIKE '%hansen%'{window}{condition}"
                )
                raise _RolledBack("\n".join(str(row["QUERY PLAN"]) for row in plan))
        except _RolledBack as done:
            text = str(done)
        assert f"Bitmap Index Scan on {index}" in text, text
        condition = text.split("Index Cond:", 1)[1]
        assert "~~* '%hansen%'" in condition and (f"{day} >= " in condition) == bool(window), text


def _node(plan: str, relation: str) -> str:
    """The lines of the first plan node that scans ``relation`` (``table alias``), up to the next node."""
    lines = plan.splitlines()
    start = next(i for i, line in enumerate(lines) if f" on {relation}" in line)
    end = next((i for i in range(start + 1, len(lines)) if "->" in lines[i]), len(lines))
    return "\n".join(lines[start:end])


@pytest.mark.skipif(ENGINE != "postgres", reason="trigram indexes are PostgreSQL's (pg_trgm)")
async def test_the_search_statements_read_the_trigram_indexes_and_drop_newer_parties_early(db) -> None:
    """The search's own hit statement names each index's condition, so PostgreSQL can read the
    partial indexes (a scan of every row made expensive and the other indexes dropped, as
    above); and in a slice with an end
    the name branch drops a party of a newer slice by the party's own date, on the party's row,
    before its post is looked up."""
    from datetime import date

    from piccolo.querystring import QueryString

    from core.archive.queries import search
    from core.archive.queries.visibility import Viewer

    viewer = Viewer(1, frozenset())
    plans = {}
    for since, before in ((None, None), (date(2026, 11, 1), date(2026, 11, 20))):
        statement = search._hits(viewer, "hansen", search.KIND_ALL, since, before)
        try:
            async with Saksmappe._meta.db.transaction():
                await Saksmappe.raw("SET LOCAL enable_seqscan = off")
                for row in await Saksmappe.raw(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                    "('core_saksmappe', 'core_journalpost', 'core_korrespondansepart')"
                ):
                    if "UNIQUE" not in row["indexdef"] and "gin_trgm_ops" not in row["indexdef"]:
                        await Saksmappe.raw(f"DROP INDEX {row['indexname']}")
                plan = await Saksmappe.raw("EXPLAIN {}", QueryString("{}", statement))
                raise _RolledBack("\n".join(str(row["QUERY PLAN"]) for row in plan))
        except _RolledBack as done:
            plans[before] = str(done)
    for table, _column, _day, index, _where in SEARCHED:
        assert f"Bitmap Index Scan on {index}" in plans[None], (table, plans[None])
    parties = _node(plans[date(2026, 11, 20)], "core_korrespondansepart mk")
    assert "Filter:" in parties and "(journaldato - '2026-11-20'::date) < 0" in parties, parties


async def test_the_date_windows_give_the_same_hits_as_the_whole_archive(db, monkeypatch) -> None:
    """The search reads date slices newest first (the last week, a slice as long as the hits so
    far promise, the rest of the month, everything older) and stops as soon as it holds enough
    hits; for every cap and page the hits, their order and the count equal a search of the
    whole archive at once (no windows), restricted records included."""
    from datetime import timedelta

    from core.archive.queries import search
    from core.archive.queries.visibility import Viewer
    from core.archive.tables import Korrespondansepart, Saksmappe
    from core.timeutil import today
    from tests.support.factories import make_case, make_part, make_person, make_post

    handler = await make_person("Saksbehandler Søk")
    now = today()
    days = [0, 3, 20, 40, 200, 300, 400, 800, 2000]
    for index, age in enumerate(days):
        dated = now - timedelta(days=age)
        case = await make_case(
            f"Vannlekkasje sak {index}",
            sekvens=100 + index,
            tilgangsrestriksjon="13" if index % 3 == 0 else "",
        )
        await Saksmappe.update({Saksmappe.saksdato: dated}).where(Saksmappe.id == case)
        await make_post(
            case,
            f"Vannlekkasje melding {index}",
            journaldato=dated,
            tilgangsrestriksjon="13" if index % 2 else "",
            saksbehandler=handler if index == 5 else None,
        )
        named = await make_post(case, "Brev uten treff i tittelen", journaldato=dated - timedelta(days=1))
        await make_part(named, f"Vannlekkasje AS {index}")
        # Found by its title and by its sender: one hit (skjermet for some).
        both = await make_post(
            case,
            f"Vannlekkasje klage {index}",
            journaldato=dated,
            tilgangsrestriksjon="13" if index % 4 == 1 else "",
        )
        await make_part(both, "Vannlekkasje Borettslag")
        await make_post(
            case,
            "Skjermet",
            offentlig_tittel="Vannlekkasje offentlig",
            journaldato=dated,
            tilgangsrestriksjon="13",
        )

    async def hits(viewer: Viewer, kind: str, page: int) -> tuple[list[tuple[str, int]], int, bool]:
        result = await search.search(viewer, "vannlekkasje", kind=kind, page=page, size=4)
        return [(row["kind"], row["id"]) for row in result.items], result.total, result.more

    viewers = [Viewer(handler, frozenset()), Viewer(handler, frozenset({"13"}))]
    cap_in_use, windows_in_use = search.COUNT_CAP, search.WINDOWS_DAYS
    assert windows_in_use
    for cap in (1, 3, 5, 8, 13, 40):
        monkeypatch.setattr(search, "COUNT_CAP", cap)
        for viewer in viewers:
            for kind in search.KINDS:
                for page in (1, 2, 3):
                    monkeypatch.setattr(search, "WINDOWS_DAYS", ())
                    whole = await hits(viewer, kind, page)
                    # The slices between the windows are sized from the hits found so far
                    # (SLICE_MARGIN); a margin of 1 often falls short and reads one more slice.
                    for windows in (windows_in_use, (31, 366), (2, 5, 45, 500)):
                        for margin in (1.0, search.SLICE_MARGIN):
                            monkeypatch.setattr(search, "WINDOWS_DAYS", windows)
                            monkeypatch.setattr(search, "SLICE_MARGIN", margin)
                            assert await hits(viewer, kind, page) == whole, (
                                cap,
                                windows,
                                margin,
                                viewer,
                                kind,
                                page,
                            )
    # The restricted real titles are matched only for the viewer holding the code.
    monkeypatch.setattr(search, "COUNT_CAP", cap_in_use)
    without, with_code = [await search.search(viewer, "vannlekkasje melding 1") for viewer in viewers]
    assert with_code.total == 1 and without.total == 0
    # A post found by both its title and its sender is one hit, and neither finds a restricted
    # post for the viewer without the code (nine such posts, two of them restricted).
    for text in ("vannlekkasje klage", "vannlekkasje borettslag"):
        without, with_code = [await search.search(viewer, text) for viewer in viewers]
        assert (without.total, with_code.total) == (7, 9), text
        assert len({row["id"] for row in with_code.items}) == 9
    # A party without its copy of the journaldato (the column allows it; no code makes one) is
    # still found, once, by the last slice.
    orphan = await make_post(await make_case("Uten dato", sekvens=90), "Brev", journaldato=now)
    await make_part(orphan, "Vannlekkasje Udatert AS")
    await Korrespondansepart.update({Korrespondansepart.journaldato: None}).where(
        Korrespondansepart.journalpost == orphan
    )
    found = await search.search(viewers[0], "udatert")
    assert [row["id"] for row in found.items] == [orphan] and found.total == 1


def test_a_slice_after_the_day_or_week_is_as_long_as_the_missing_hits_need_with_half_again() -> None:
    """The first slice is the last day. After a day that held 100 of 201 hits, the next slice
    is long enough for the 101 still missing with half again as margin (three days), not the
    whole week; after a day of 30 it is the week (ten days would pass it); after none, the week
    and the month cannot hold the rest at that rate and everything older is read. After a week
    that held 105 of 201 hits (15 a day), the next slice is long enough for the 96 still missing
    with half again as margin (ten days: 9.6 rounded up), not for all 201 again (which read two
    weeks); when that reaches past the month the slice ends with the month; when not even the
    month would hold the rest at this rate it is skipped, as it is after the month: everything
    older is read."""
    from datetime import date, timedelta

    from core.archive.queries import search

    today = date(2026, 12, 7)
    day, week = today - timedelta(days=1), today - timedelta(days=7)
    assert search._next_start(today, None, 0, 201) == day
    assert search._next_start(today, day, 100, 201) == today - timedelta(days=3)
    assert search._next_start(today, day, 30, 201) == week
    assert search._next_start(today, day, 0, 201) is None
    assert search._next_start(today, week, 105, 201) == week - timedelta(days=10)
    assert search._next_start(today, week, 50, 201) == today - timedelta(days=31)
    assert search._next_start(today, week, 10, 201) is None
    assert search._next_start(today, today - timedelta(days=31), 150, 201) is None
