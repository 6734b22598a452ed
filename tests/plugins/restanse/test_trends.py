"""Trends (trends.py, /restanse/trend) and monthly snapshots (snapshots.py, the job)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from core.tables import AuditEvent
from plugins.restanse import hooks, jobs
from plugins.restanse.pages import oppfolging as oppfolging_pages
from plugins.restanse.queries import trends
from plugins.restanse.services import snapshots
from plugins.restanse.tables import Snapshot
from tests.support.factories import login
from tests.support.restanse_builders import Org, make_org, make_restanse, write_off

pytestmark = pytest.mark.anyio


@pytest.fixture
async def org(db: None) -> Org:
    return await make_org()


def test_month_ends() -> None:
    assert trends.last_month_end(date(2026, 4, 15)) == date(2026, 3, 31)
    assert trends.last_month_end(date(2026, 4, 30)) == date(2026, 4, 30)
    assert trends.last_month_end(date(2026, 3, 1)) == date(2026, 2, 28)
    ends = trends.month_ends(date(2026, 3, 31))
    assert len(ends) == 12
    assert ends[0] == date(2025, 4, 30) and ends[-1] == date(2026, 3, 31)
    assert date(2026, 2, 28) in ends and date(2025, 12, 31) in ends


async def seed(org: Org) -> None:
    """LMA: one open since Nov 2025; one from Jan 2026 written off 15.02.2026.
    LMA-BYG (sub-unit): one from Mar 2026. TDR: one from Oct 2025 written off 31.12.2025 (on
    the month-end itself: not counted at 31.12)."""
    await make_restanse(org.unit, org.handler, journaldato=date(2025, 11, 3))
    jan = await make_restanse(org.unit, org.handler2, journaldato=date(2026, 1, 5))
    await write_off(jan.korrespondansepart_id, date(2026, 2, 15))
    await make_restanse(org.sub_unit, org.sub_handler, journaldato=date(2026, 3, 2))
    tdr = await make_restanse(org.other_unit, None, journaldato=date(2025, 10, 1))
    await write_off(tdr.korrespondansepart_id, date(2025, 12, 31), korrespondansepart=False)


async def test_monthly_counts_per_unit_and_all(org: Org) -> None:
    await seed(org)
    end = date(2026, 3, 31)
    every = await trends.monthly(None, end=end)
    counts = {p.dato: p.antall for p in every.points}
    assert every.title == "Alle enheter"
    assert counts[date(2025, 9, 30)] == 0
    assert counts[date(2025, 10, 31)] == 1
    assert counts[date(2025, 11, 30)] == 2
    assert counts[date(2025, 12, 31)] == 1
    assert counts[date(2026, 1, 31)] == 2
    assert counts[date(2026, 2, 28)] == 1
    assert counts[date(2026, 3, 31)] == 2
    lma = await trends.monthly(org.unit, end=end)
    assert lma.title == "LMA Landbruk, miljø og arealforvaltning"
    assert [p.antall for p in lma.points][-3:] == [2, 1, 1]
    with_sub = await trends.monthly(org.unit, sub_units=True, end=end)
    assert with_sub.title.endswith("med underenheter")
    assert [p.antall for p in with_sub.points][-3:] == [2, 1, 2]
    assert not with_sub.any_snapshot


async def test_snapshot_is_idempotent_and_marks_differences(org: Org) -> None:
    await seed(org)
    day = date(2026, 2, 28)
    assert await snapshots.take(day) == 1  # LMA / Hanne Handler: 1
    later = await make_restanse(org.unit, None, journaldato=date(2026, 2, 1))
    assert await snapshots.take(day) == 2  # replaced: now with the no-handler row
    rows = await snapshots.stored(day)
    assert [(r["code"], r["person_name"], r["antall"]) for r in rows] == [
        ("LMA", None, 1),
        ("LMA", "Hanne Handler", 1),
    ]
    assert await Snapshot.count().where(Snapshot.dato == day) == 2
    # a write-off registered afterwards with an earlier date: today's figure differs
    await write_off(later.korrespondansepart_id, date(2026, 2, 10))
    series = await trends.monthly(None, end=date(2026, 3, 31))
    feb = next(p for p in series.points if p.dato == day)
    assert (feb.antall, feb.lagret, feb.avviker) == (1, 2, True)
    assert series.any_snapshot
    events = await AuditEvent.select().where(AuditEvent.action == "restanse.snapshot")
    assert len(events) == 2 and events[0]["object_id"] == "2026-02-28"
    # an empty date stores nothing (and removes what was there)
    assert await snapshots.take(date(2020, 1, 31)) == 0


async def test_snapshot_job(org: Org) -> None:
    await seed(org)
    [job] = [j for j in hooks.register_jobs() if j.name == jobs.SNAPSHOT_JOB]
    assert job.schedule == "15 4 1 * *"

    class Ctx:
        slot = datetime(2026, 3, 1, 3, 15, tzinfo=UTC)  # 04:15 in Oslo on 1 March

    message = await jobs.snapshot_job(Ctx())  # type: ignore[arg-type]
    assert message == "Restanser per 28.02.2026 lagret (1 rader)"
    assert await Snapshot.count().where(Snapshot.dato == date(2026, 2, 28)) == 1


def test_chart_geometry() -> None:
    points = [
        trends.Point(d, n, None)
        for d, n in zip(trends.month_ends(date(2026, 3, 31)), range(0, 120, 10), strict=True)
    ]
    chart = oppfolging_pages.chart(trends.Series("Alle enheter", points))
    assert len(chart.bars) == 12
    assert chart.bars[0].height == 0
    assert chart.bars[-1].value == "110"
    assert max(b.height for b in chart.bars) <= chart.baseline
    assert chart.gridlines[-1][1] == "200"
    assert "Høyest i mars 2026 med 110" in chart.description


async def test_trend_page(client: Any, org: Org) -> None:
    await seed(org)
    await login(client, org.archive)
    response = await client.get("/restanse/trend")
    assert response.status_code == 200
    html = response.text
    assert '<svg viewBox="0 0 760 320" role="img"' in html
    assert '<title id="trend-svg-tittel">Restanser per måned: Alle enheter</title>' in html
    assert '<desc id="trend-svg-beskrivelse">' in html
    assert html.count("<rect ") == 12
    assert len(re.findall(r'<th scope="row">', html)) == 12
    unit = await client.get("/restanse/trend", params={"enhet": str(org.unit), "underenheter": "1"})
    assert unit.status_code == 200
    assert "med underenheter" in unit.text
    fragment = await client.get("/restanse/trend", params={"enhet": "alle"}, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="trend"')
    missing = await client.get("/restanse/trend", params={"enhet": "999999"})
    assert missing.status_code == 404
