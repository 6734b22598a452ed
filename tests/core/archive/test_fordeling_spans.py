"""The queues *Til fordeling* kept by the write side (:mod:`core.archive.fordeling_spans`) equal
the rule (:func:`core.archive.queries.distribution_counts.summaries_query`) on every date: count,
oldest received time and oldest journaldato per queue, after random histories of case work
through the services (the restanse ledger's histories, tests/core/archive/test_ledger.py, plus
copy recipients, their fordeling, and posts with and without a received time). Runs on both
databases; the seed of a failing history is in the test id."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from core.archive import fordeling_spans, ledger, services
from core.archive.queries.common import QueryString, as_date, as_datetime, run
from core.archive.queries.distribution_counts import spans_summaries_query, summaries, summaries_query
from core.archive.services import InternalRecipient
from core.archive.tables import Journalpost, Korrespondansepart
from core.db import writing
from tests.core.archive.service_org import Org, incoming, make_org, note, own_case
from tests.core.archive.test_ledger import DATES, Clock, History, clock
from tests.support.factories import as_user

pytestmark = pytest.mark.anyio

__all__ = ["clock"]  # the fixture, for the tests here


class QueueHistory(History):
    """The ledger's history, with copy recipients and received times."""

    async def register_received(self) -> None:
        day = self.some_day()
        unit = self.rng.choice([self.org.lma, self.org.oko, None])
        received = self.rng.choice(
            [None, datetime.combine(day - timedelta(days=self.rng.randrange(5)), time(9), tzinfo=UTC)]
        )
        await incoming(
            self.settings, self.org, unit=unit, tittel=f"Brev {self.rng.random():.6f}", mottatt_dato=received
        )

    async def write_copy_note(self) -> None:
        self.some_day()
        case = await own_case(self.settings, self.org)
        unit = self.rng.choice([self.org.lma, self.org.oko])
        recipients = [
            InternalRecipient(self.rng.choice([self.org.lma, self.org.oko])),
            InternalRecipient(unit, None, "IK"),
        ]
        self.notes.append(await note(self.settings, self.org, case, recipients))

    async def distribute_copy(self) -> None:
        parts = await Korrespondansepart.select(
            Korrespondansepart.id, Korrespondansepart.administrativ_enhet, Korrespondansepart.version
        ).where(
            (Korrespondansepart.korrespondanseparttype == "IK") & Korrespondansepart.saksbehandler.is_null()
        )
        parts = [p for p in parts if p["administrativ_enhet"] in self.handlers]
        if parts:
            part = self.rng.choice(parts)
            unit = part["administrativ_enhet"]
            user = await as_user(self.leaders[unit])
            handler = self.rng.choice(self.handlers[unit])
            await services.fordel(self.settings, user, part["id"], handler, version=part["version"])

    async def step(self) -> None:
        extra = [(self.register_received, 3), (self.write_copy_note, 2), (self.distribute_copy, 2)]
        if self.rng.random() < sum(w for _, w in extra) / 40:
            operation = self.rng.choices([op for op, _ in extra], [w for _, w in extra])[0]
            try:
                await operation()
            except Exception as exc:  # the same refusals the base history tolerates
                if exc.__class__.__name__ not in {"Conflict", "Forbidden", "NotFound", "ValidationFailed"}:
                    raise
            return
        await super().step()


def _figures(rows: list[dict[str, Any]]) -> dict[int | None, tuple[int, Any, Any]]:
    return {
        (int(r["enhet"]) if r["enhet"] is not None else None): (
            int(r["n"]),
            as_datetime(r["eldste_mottatt"]),
            as_date(r["eldste_journaldato"]),
        )
        for r in rows
    }


async def assert_spans_equal_rule(org: Org) -> None:
    scopes: list[tuple[list[int] | None, bool]] = [
        (None, True),
        (None, False),
        ([org.lma], False),
        ([org.lma, org.oko], True),
        ([], True),
        ([org.oko], False),
    ]
    for unit_ids, central in scopes:
        for day in DATES:
            rule = summaries_query(unit_ids, central=central, day=day)
            kept = spans_summaries_query(unit_ids, central=central, day=day)
            assert rule is not None and kept is not None
            assert _figures(await run(kept)) == _figures(await run(rule)), (unit_ids, central, day)


async def spans() -> list[dict[str, Any]]:
    return list(
        await Journalpost.raw(
            "SELECT korrespondansepart, journalpost, enhet, fra_dato, til_dato, mottatt "
            "FROM core_fordeling_span ORDER BY korrespondansepart"
        )
    )


HISTORIES = int(os.environ.get("ARKIV_LEDGER_HISTORIES", "20"))


@pytest.mark.parametrize("seed", range(HISTORIES))
async def test_queues_equal_rule_on_random_histories(settings, db, clock: Clock, seed: int) -> None:
    rng = random.Random(seed)
    org = await make_org()
    history = QueueHistory(settings, org, clock, rng)
    for _ in range(rng.randint(25, 35)):
        await history.step()
    kept = await spans()
    assert kept  # the history left something waiting at some time
    async with Journalpost._meta.db.transaction():  # one connection for the many reads (PostgreSQL)
        await assert_spans_equal_rule(org)
    # What the writes kept current is what a rebuild computes from the records.
    async with writing(Journalpost):
        await fordeling_spans.rebuild()
    assert await spans() == kept


async def test_the_histories_fail_without_the_refresh(
    settings, db, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison can fail: with the refresh of a distribution left out, the first
    distributed post stays in its queue and the counts differ from the rule's."""
    org = await make_org()
    post = await incoming(settings, org, unit=org.lma)
    part = (
        await Korrespondansepart.select()
        .where((Korrespondansepart.journalpost == post) & Korrespondansepart.intern.eq(True))
        .first()
    )

    async def nothing(ids: Any) -> None:
        del ids

    monkeypatch.setattr(fordeling_spans, "refresh_parts", nothing)
    await services.fordel(
        settings, await as_user(org.leader), part["id"], org.handler, version=part["version"]
    )
    with pytest.raises(AssertionError):
        await assert_spans_equal_rule(org)


async def test_rebuild_all_fills_the_queues(settings, db, clock: Clock) -> None:
    org = await make_org()
    for unit in (org.lma, org.oko, None):
        await incoming(settings, org, unit=unit)
    await Journalpost.raw("DELETE FROM core_fordeling_span")
    assert [s.count for s in await summaries([org.lma, org.oko], central=True)] == [0, 0, 0]
    async with writing(Journalpost):
        await ledger.rebuild_all()
    assert [s.count for s in await summaries([org.lma, org.oko], central=True)] == [1, 1, 1]


async def test_a_queue_count_reads_the_index_only(settings, db, clock: Clock) -> None:
    """The badge's statement reads the spans through ``core_fordeling_span_queue`` alone."""
    org = await make_org()
    await incoming(settings, org, unit=org.lma)
    query = spans_summaries_query([org.lma], central=True)
    assert query is not None
    if Journalpost._meta.db.engine_type == "postgres":
        async with Journalpost._meta.db.transaction():
            # A tiny table is read whole or by bitmap otherwise; what matters is that the index
            # holds every column the count needs (an index-only scan is possible at all).
            await run(QueryString("SET LOCAL enable_seqscan = off"))
            await run(QueryString("SET LOCAL enable_bitmapscan = off"))
            plan = "\n".join(str(r["QUERY PLAN"]) for r in await run(QueryString("EXPLAIN {}", query)))
        assert "Index Only Scan using core_fordeling_span_queue" in plan, plan
    else:
        plan = "\n".join(str(r["detail"]) for r in await run(QueryString("EXPLAIN QUERY PLAN {}", query)))
        assert "COVERING INDEX core_fordeling_span_queue" in plan, plan
