"""Signals for training follow-up (:mod:`core.archive.queries.signals`): old restanser, bulk
same-day write-offs, undispatched letters, cases without saksansvarlig."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.archive import ledger, services
from core.archive.queries import signals
from core.archive.tables import Journalpost, Saksmappe
from core.db import writing
from core.timeutil import today
from tests.core.archive.service_org import incoming, make_org, outgoing, own_case, recipient
from tests.support.factories import as_user
from tests.support.plans import plan_of

pytestmark = pytest.mark.anyio


def test_months_back() -> None:
    assert signals.months_back(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert signals.months_back(date(2026, 1, 15), 3) == date(2025, 10, 15)


async def _distributed(settings, org, person: int, count: int, tittel: str) -> list[int]:
    leader = await as_user(org.leader)
    posts = []
    for number in range(count):
        post = await incoming(settings, org, tittel=f"{tittel} {number}")
        part = await recipient(post)
        await services.fordel(settings, leader, part["id"], person, version=part["version"])
        posts.append(post)
    return posts


async def test_old_restanser_and_undispatched_letters(settings, db) -> None:
    org = await make_org()
    posts = await _distributed(settings, org, org.handler, signals.OLD_RESTANSER_MIN, "Gammel")
    assert await signals.handler_signals() == []
    old_day = signals.months_back(today(), 3) - timedelta(days=1)
    await Journalpost.update({Journalpost.journaldato: old_day}).where(Journalpost.id.is_in(posts))
    async with writing(Journalpost):  # moved back by hand: refresh the ledger as every write does
        await ledger.refresh_posts(posts)
    letter = await outgoing(
        settings, org, await own_case(settings, org, person=org.colleague), person=org.colleague
    )
    await Journalpost.update({Journalpost.journaldato: today() - timedelta(days=15)}).where(
        Journalpost.id == letter
    )
    found = {s.person_id: s for s in await signals.handler_signals()}
    assert (
        found[org.handler].old_restanser == signals.OLD_RESTANSER_MIN and found[org.handler].old_unsent == 0
    )
    assert found[org.colleague].old_unsent == 1 and found[org.colleague].old_restanser == 0
    assert found[org.handler].unit_name == "Landbruk og miljø"
    assert await signals.handler_signals([org.oko]) == []
    # The card counts the handlers with this signal, in the same scope.
    assert await signals.old_restanse_handlers() == 1
    assert await signals.old_restanse_handlers([org.lma]) == 1
    assert await signals.old_restanse_handlers([org.oko]) == 0
    # One written off: below the threshold, no signal.
    part = await recipient(posts[0])
    await services.avskriv(settings, await as_user(org.handler), part["id"], "TE", version=part["version"])
    assert org.handler not in {s.person_id for s in await signals.handler_signals()}
    assert await signals.old_restanse_handlers() == 0


async def test_bulk_same_day_write_offs(settings, db) -> None:
    org = await make_org()
    posts = await _distributed(settings, org, org.handler, signals.BULK_WRITE_OFF_MIN, "Masse")
    handler = await as_user(org.handler)
    for post in posts[:-1]:
        part = await recipient(post)
        await services.avskriv(settings, handler, part["id"], "TO", version=part["version"])
    assert await signals.handler_signals() == []
    part = await recipient(posts[-1])
    await services.avskriv(settings, handler, part["id"], "TE", version=part["version"])
    [signal] = await signals.handler_signals()
    assert (signal.person_id, signal.bulk_days, signal.bulk_write_offs) == (
        org.handler,
        1,
        signals.BULK_WRITE_OFF_MIN,
    )


async def test_cases_without_saksansvarlig_per_unit(settings, db) -> None:
    org = await make_org()
    await incoming(settings, org, tittel="Ny sak uten ansvarlig")
    case = await own_case(settings, org)
    await Saksmappe.update({Saksmappe.saksansvarlig: None}).where(Saksmappe.id == case)
    [unit] = await signals.unit_signals()
    # The incoming post's new case (not distributed yet) and the case whose saksansvarlig was removed.
    assert (unit.unit_id, unit.cases_without_saksansvarlig) == (org.lma, 2)
    assert await signals.unit_signals([org.oko]) == []


async def test_the_old_restanser_are_read_from_the_open_counts(db) -> None:
    """The signal (and the card) reads the handlers' open restanser counted by journaldato
    (``core_restanse_open_dato``, the index alone on PostgreSQL) and the spans closed after the day
    (``core_restanse_span_gammel``), not the archive's recipients by the rule."""
    for units in (None, [1, 2]):
        plan = await plan_of(signals.old_restanser_query(today(), units))
        assert "core_restanse_open" in plan, plan
        assert "core_restanse_span_gammel" in plan, plan
        assert "core_korrespondansepart" not in plan, plan
    plan = await plan_of(signals.old_restanser_query(today(), None))
    assert "core_restanse_open_dato" in plan, plan
    assert "Index Only Scan" in plan or "COVERING INDEX" in plan, plan


async def test_the_bulk_write_offs_have_covering_indexes(db) -> None:
    """The bulk write-off signal's two sides can be read from indexes alone (migration
    core_2026_12_07t19_15_00): the write-offs by date and code with the post and the person,
    and the incoming posts by type and date with their id (on SQLite every index carries the
    rowid, which is the id). Which index a plan takes depends on the tables' sizes (at a million
    posts it took both: docs/benchmarks.md); the test database is too small to show it."""
    if Journalpost._meta.db.engine_type == "postgres":
        rows = await Journalpost.raw(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('core_avskrivning_bulk', 'core_journalpost_type_dato')"
        )
        found = {r["indexname"]: r["indexdef"] for r in rows}
        assert (
            "(avskrivningsdato, avskrivningsmaate) INCLUDE (journalpost, avskrevet_av)"
            in found["core_avskrivning_bulk"]
        )
        assert "(journalposttype, journaldato) INCLUDE (id)" in found["core_journalpost_type_dato"]
    else:
        rows = await Journalpost.raw("SELECT sql FROM sqlite_master WHERE name = 'core_avskrivning_bulk'")
        assert "(avskrivningsdato, avskrivningsmaate, journalpost, avskrevet_av)" in rows[0]["sql"]


async def test_the_undispatched_letters_are_read_from_their_partial_index(db) -> None:
    """The signal's undispatched letters can be read from ``core_journalpost_unsent`` (migration
    core_2026_12_08t02_30_00): only the letters not yet dispatched, by handler. PostgreSQL's
    plan takes it (at a million posts too: docs/benchmarks.md); SQLite, planning without
    statistics, prefers the index by type and date on a test database, so there the test checks
    the index and its condition, which the statement's written-out codes match."""
    if Journalpost._meta.db.engine_type == "postgres":
        for units in (None, [1, 2]):
            plan = await plan_of(signals.unsent_query(today(), units))
            assert "core_journalpost_unsent" in plan, plan
        return
    rows = await Journalpost.raw("SELECT sql FROM sqlite_master WHERE name = 'core_journalpost_unsent'")
    assert "WHERE journalposttype = 'U' AND journalstatus IN ('R', 'S', 'F', 'G')" in rows[0]["sql"]
    assert "j.journalstatus IN ('R', 'S', 'F', 'G')" in str(signals.unsent_query(today(), None))
