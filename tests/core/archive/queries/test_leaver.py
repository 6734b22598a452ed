"""The leaver's records (:mod:`core.archive.queries.leaver`): counts and lists from live
records, by the same rules as restanser and fordeling."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.archive import services
from core.archive.queries import leaver
from core.archive.queries.visibility import Viewer
from core.timeutil import today
from tests.core.archive.leaver_org import make_work
from tests.core.archive.service_org import incoming, make_org, recipient
from tests.support.factories import as_user, make_deputy

pytestmark = pytest.mark.anyio


async def test_counts_and_lists_of_a_handler_with_work(settings, db) -> None:
    work = await make_work(settings)
    org = work.org
    counts = await leaver.counts(org.handler)
    # Two open cases: the incoming post's new case (distributed to him) and his own.
    assert (counts.restanser, counts.cases, counts.unsent, counts.deputy_periods, counts.queue) == (
        1,
        2,
        1,
        0,
        0,
    )
    viewer = await Viewer.of(await as_user(org.leader))
    assert [r["id"] for r in await leaver.restanser(viewer, org.handler)] == [work.restanse_part]
    assert work.case in [c["id"] for c in await leaver.cases(viewer, org.handler)]
    assert [p["id"] for p in await leaver.unsent(viewer, org.handler)] == [work.unsent_post]
    # The colleague's restanse is hers, not his.
    assert (await leaver.counts(org.colleague)).restanser == 1


async def test_a_written_off_restanse_is_done(settings, db) -> None:
    work = await make_work(settings)
    org = work.org
    handler = await as_user(org.handler)
    part = await recipient(work.restanse_post)
    await services.avskriv(settings, handler, part["id"], "TE", version=part["version"])
    counts = await leaver.counts(org.handler)
    assert counts.restanser == 0


async def test_deputy_periods_and_the_queue_of_a_leader(settings, db) -> None:
    org = await make_org()
    await incoming(settings, org, tittel="Ufordelt")
    counts = await leaver.counts(org.leader)
    # The deputy period for today (as leader) counts; the one that ended last month does not.
    assert counts.deputy_periods == 1
    assert counts.queue == 1
    assert (await leaver.counts(org.deputy)).deputy_periods == 1
    assert (await leaver.counts(org.old_deputy)).deputy_periods == 0
    await make_deputy(
        org.lma, org.leader, org.colleague, today() + timedelta(days=10), today() + timedelta(days=20)
    )
    assert (await leaver.counts(org.colleague)).deputy_periods == 1
    rows = await leaver.deputy_periods(org.leader)
    assert {r["deputy_name"] for r in rows} == {"Stian Stedfortreder", "Kari Kollega"}
