"""The weekly reminder to acting leaders: who gets it (the leader, or the deputy during the
leader's absence), the unit's count and the change since last week, no titles, and never twice
in the same week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.jobs import run_job
from core.runtime import build_runtime
from core.settings import Settings
from core.tables import MailMessage, Person
from core.timeutil import OSLO
from plugins.restanse import jobs
from tests.support.factories import make_deputy
from tests.support.restanse_builders import Org, make_org, make_restanse, write_off

pytestmark = pytest.mark.anyio

MONDAY = date(2026, 11, 23)


def slot(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=OSLO).astimezone(UTC)


def before(days: int) -> date:
    return MONDAY - timedelta(days=days)


@pytest.fixture
async def org(db: None) -> Org:
    return await make_org()


async def outbox() -> list[dict]:
    return (
        await MailMessage.select()
        .where(MailMessage.idempotency_key.like("restanse.ukentlig:%"))
        .order_by(MailMessage.id)
    )


def job(settings: Settings):
    runtime = build_runtime(settings)
    found = runtime.job(jobs.WEEKLY_JOB)
    assert found is not None and found.schedule == "0 7 * * 1"
    return runtime, found


async def email(person: int) -> str:
    row = await Person.select(Person.email).where(Person.id == person).first()
    return str(row["email"])


async def test_each_leader_gets_the_count_and_the_change_once_a_week(settings: Settings, org: Org) -> None:
    # LMA: 1 restanse a week ago, 3 now (one without a handler). TDR: 3 a week ago, 2 now.
    await make_restanse(org.unit, org.handler, journaldato=before(20), tittel="Hemmelig klage fra Kari")
    await make_restanse(org.unit, org.handler2, journaldato=before(3))
    await make_restanse(org.unit, None, journaldato=before(1))
    for days in (12, 9):
        await make_restanse(org.other_unit, org.other_handler, journaldato=before(days))
    gone = await make_restanse(org.other_unit, org.other_handler, journaldato=before(30))
    await write_off(gone.korrespondansepart_id, before(2))
    done = await make_restanse(org.other_unit, org.other_handler, journaldato=before(30))
    await write_off(done.korrespondansepart_id, before(10))
    # A unit with nothing now (written off during the week) gets no mail.
    empty = await make_restanse(org.sub_unit, org.sub_handler, journaldato=before(30))
    await write_off(empty.korrespondansepart_id, before(1))
    runtime, weekly = job(settings)

    result = await run_job(runtime, weekly, slot(MONDAY))
    assert result.status == "ok", result.message
    lma, tdr = await outbox()
    assert lma["to_address"] == await email(org.leader)
    assert lma["idempotency_key"] == f"restanse.ukentlig:{org.unit}:2026-W48"
    assert lma["subject"] == "Restanser i LMA Landbruk, miljø og arealforvaltning: 3 denne uken"
    body = lma["body_text"]
    assert "har 3 restanser i dag (23.11.2026)." in body
    assert "Det er 2 flere enn for en uke siden (1)." in body
    assert f"/restanse/enhet?enhet={org.unit}" in body
    assert "Hemmelig klage" not in body and "Søknad om dispensasjon" not in body
    assert tdr["to_address"] == await email(org.other_leader)
    assert "har 2 restanser i dag" in tdr["body_text"]
    assert "Det er 1 færre enn for en uke siden (3)." in tdr["body_text"]
    assert "2 ukentlige påminnelser" in result.message

    # Again the same week (Wednesday, or by hand): nothing new.
    await run_job(runtime, weekly, slot(MONDAY + timedelta(days=2), 9))
    assert len(await outbox()) == 2
    # Next Monday is a new week.
    await run_job(runtime, weekly, slot(MONDAY + timedelta(days=7)))
    keys = [m["idempotency_key"] for m in await outbox()]
    assert keys[2:] == [
        f"restanse.ukentlig:{org.unit}:2026-W49",
        f"restanse.ukentlig:{org.other_unit}:2026-W49",
    ]
    assert "Det er like mange som for en uke siden." in (await outbox())[2]["body_text"]


async def test_the_deputy_gets_it_during_the_leaders_absence(settings: Settings, org: Org) -> None:
    await make_restanse(org.unit, org.handler, journaldato=before(3))
    await make_deputy(
        org.unit, org.leader, org.handler2, MONDAY - timedelta(days=1), MONDAY + timedelta(days=4)
    )
    # A deputy period that has ended does not count.
    await make_deputy(org.other_unit, org.other_leader, org.other_handler, before(20), before(10))
    await make_restanse(org.other_unit, org.other_handler, journaldato=before(3))
    runtime, weekly = job(settings)
    await run_job(runtime, weekly, slot(MONDAY))
    lma, tdr = await outbox()
    assert lma["to_address"] == await email(org.handler2)
    assert "Hei, Harald Handler!" in lma["body_text"]
    assert "Du får denne e-posten som stedfortreder for Lene Leder." in lma["body_text"]
    assert tdr["to_address"] == await email(org.other_leader)
    assert "stedfortreder" not in tdr["body_text"]


async def test_no_mail_without_an_active_leader(settings: Settings, org: Org) -> None:
    await make_restanse(org.unit, org.handler, journaldato=before(3))
    await make_restanse(org.sub_unit, org.sub_handler, journaldato=before(3))  # LMA-BYG has no leader
    await Person.update({Person.active: False}).where(Person.id == org.leader)
    runtime, weekly = job(settings)
    result = await run_job(runtime, weekly, slot(MONDAY))
    assert await outbox() == []
    assert "uten leder med e-post: LMA, LMA-BYG" in result.message


def test_week_key() -> None:
    assert jobs.weekly_key(7, date(2027, 1, 1)) == "restanse.ukentlig:7:2026-W53"
    assert jobs.weekly_key(7, date(2026, 11, 29)) == "restanse.ukentlig:7:2026-W48"
