"""The daily reminder job: who gets it, the working-day threshold, and never twice a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.jobs import run_job
from core.runtime import build_runtime
from core.settings import ConfigError, Settings
from core.tables import MailMessage, Person
from core.timeutil import OSLO
from plugins.fordeling import config, jobs
from tests.plugins.fordeling.conftest import Org, make_case, make_post
from tests.support.factories import make_deputy

pytestmark = pytest.mark.anyio


def slot(day: date, hour: int = 7, minute: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO).astimezone(UTC)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=OSLO).astimezone(UTC)


async def outbox() -> list[dict]:
    return await MailMessage.select().where(MailMessage.source == "fordeling").order_by(MailMessage.id)


def job(settings: Settings):
    runtime = build_runtime(settings)
    found = runtime.job(jobs.REMINDER_JOB)
    assert found is not None and found.schedule == "30 7 * * 1-5"
    return runtime, found


# 2026-11-25 is a Wednesday; 2026-11-23 a Monday.
WEDNESDAY = date(2026, 11, 25)


async def test_reminds_the_leader_once_per_day(settings: Settings, org: Org) -> None:
    case = await make_case(unit=org.unit)
    await make_post(case, unit=org.unit, mottatt=at(date(2026, 11, 23)))  # Monday: waited all Tuesday
    await make_post(case, unit=org.unit, mottatt=at(date(2026, 11, 24)))  # Tuesday: not yet
    await make_post(case, unit=org.other_unit, mottatt=at(date(2026, 11, 24)))  # TDR: nothing old
    runtime, reminder = job(settings)

    first = await run_job(runtime, reminder, slot(WEDNESDAY))
    assert first.status == "ok", first.message
    [message] = await outbox()
    leader = await Person.select().where(Person.id == org.leader).first()
    assert message["to_address"] == leader["email"]
    assert message["idempotency_key"] == f"fordeling.purring:{org.unit}:2026-11-25"
    assert (
        message["subject"]
        == "Til fordeling: 2 journalposter venter i LMA Landbruk, miljø og arealforvaltning"
    )
    assert "1 av dem har ventet lenger enn 1 arbeidsdag(er)." in message["body_text"]
    assert f"/fordeling?enhet={org.unit}" in message["body_text"]

    # A second run the same day (another slot, or by hand) sends nothing new.
    again = await run_job(runtime, reminder, slot(WEDNESDAY, 12, 0))
    assert again.status == "ok"
    assert len(await outbox()) == 1
    # The next working day is a new day (and TDR's post from Tuesday is now old too).
    await run_job(runtime, reminder, slot(WEDNESDAY + timedelta(days=1)))
    assert [m["idempotency_key"] for m in await outbox()] == [
        f"fordeling.purring:{org.unit}:2026-11-25",
        f"fordeling.purring:{org.unit}:2026-11-26",
        f"fordeling.purring:{org.other_unit}:2026-11-26",
    ]


async def test_the_deputy_gets_it_during_the_leaders_absence(settings: Settings, org: Org) -> None:
    case = await make_case(unit=org.unit)
    await make_post(case, unit=org.unit, mottatt=at(date(2026, 11, 20)))
    await make_deputy(org.unit, org.leader, org.deputy, date(2026, 11, 24), date(2026, 11, 26))
    runtime, reminder = job(settings)
    await run_job(runtime, reminder, slot(WEDNESDAY))
    [message] = await outbox()
    deputy = await Person.select().where(Person.id == org.deputy).first()
    assert message["to_address"] == deputy["email"]
    assert "stedfortreder for Lene Leder" in message["body_text"]


async def test_threshold_counts_working_days_and_skips_holidays(
    settings: Settings, org: Org, monkeypatch
) -> None:
    case = await make_case(unit=org.unit)
    await make_post(case, unit=org.unit, mottatt=at(date(2026, 11, 20)))  # Friday
    runtime, reminder = job(settings)
    # Monday 23rd: the Friday post has waited no whole working day yet.
    await run_job(runtime, reminder, slot(date(2026, 11, 23)))
    assert await outbox() == []
    # Saturday: the job does nothing at all.
    result = await run_job(runtime, reminder, slot(date(2026, 11, 28)))
    assert "ikke en arbeidsdag" in result.message
    # With three working days it waits until Thursday.
    monkeypatch.setenv(config.NUDGE_DAYS_VARIABLE, "3")
    await run_job(runtime, reminder, slot(date(2026, 11, 25)))
    assert await outbox() == []
    await run_job(runtime, reminder, slot(date(2026, 11, 26)))
    assert len(await outbox()) == 1


async def test_no_mail_without_an_active_leader(settings: Settings, org: Org) -> None:
    case = await make_case(unit=org.unit)
    await make_post(case, unit=org.unit, mottatt=at(date(2026, 11, 2)))
    await Person.update({Person.active: False}).where(Person.id == org.leader)
    runtime, reminder = job(settings)
    result = await run_job(runtime, reminder, slot(WEDNESDAY))
    assert await outbox() == []
    assert "LMA" in result.message


async def test_setting_is_validated(monkeypatch) -> None:
    assert config.nudge_days({}) == 1
    assert config.nudge_days({config.NUDGE_DAYS_VARIABLE: "4"}) == 4
    for bad in ("en", "-1", "100"):
        with pytest.raises(ConfigError, match=config.NUDGE_DAYS_VARIABLE):
            config.nudge_days({config.NUDGE_DAYS_VARIABLE: bad})
    monkeypatch.setenv(config.NUDGE_DAYS_VARIABLE, "x")
    from plugins.fordeling import hooks

    with pytest.raises(ConfigError):
        hooks.startup()
