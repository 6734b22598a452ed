"""Jobs: a slot runs once however many runners race (in one process and across processes),
failures are recorded, cron schedules follow Vixie cron in Europe/Oslo across DST changes,
and the ``arkivrutiner jobs`` commands."""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from core.cli import main as cli
from core.contributions import Job
from core.hookspecs import hookimpl
from core.jobs import JobContext, due_slots, next_slot, run_job, slots_between, validate_schedule
from core.runtime import build_runtime
from core.tables import AuditEvent, JobRun
from core.timeutil import OSLO
from tests.conftest import ENGINE
from tests.dummy_plugin.hooks import JOB_CALLS
from tests.support.job_race import BODY_RAN, READY

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)  # type: ignore[misc]


def local(slots: list[datetime]) -> list[str]:
    """Slots as Oslo wall time with offset, for readable assertions."""
    return [s.astimezone(OSLO).strftime("%Y-%m-%d %H:%M%z") for s in slots]


def job(schedule: str, name: str = "test.job") -> Job:
    async def nothing(ctx: JobContext) -> str:
        return ""

    return Job(name, schedule, nothing)


# --- run_job ------------------------------------------------------------------------------


async def test_a_slot_runs_once_and_the_second_runner_skips(settings, db) -> None:
    calls: list[datetime] = []

    async def count(ctx: JobContext) -> str:
        calls.append(ctx.slot)
        return "talt"

    counter = Job("test.count", "*/5 * * * *", count, "Teller")
    runtime = build_runtime(settings)
    slot = oslo(2026, 11, 23, 7, 0)

    first = await run_job(runtime, counter, slot)
    second = await run_job(runtime, counter, slot)

    assert (first.ran, first.status, first.message) == (True, "ok", "talt")
    assert (second.ran, second.status) == (False, "skipped")
    assert len(calls) == 1
    rows = await JobRun.select().where(JobRun.job == "test.count")
    assert len(rows) == 1
    assert rows[0]["status"] == "ok"
    assert rows[0]["message"] == "talt"
    assert rows[0]["finished_at"] is not None
    assert rows[0]["slot"] == slot
    assert rows[0]["runner"].endswith(f":{os.getpid()}")


async def test_concurrent_runners_in_one_process_run_a_slot_once(settings, db) -> None:
    calls: list[datetime] = []

    async def slow(ctx: JobContext) -> str:
        calls.append(ctx.slot)
        await asyncio.sleep(0.05)
        return ""

    slow_job = Job("test.slow", "* * * * *", slow)
    runtime = build_runtime(settings)
    slot = oslo(2026, 11, 23, 7, 1)
    results = await asyncio.gather(*(run_job(runtime, slow_job, slot) for _ in range(5)))
    assert sorted(r.status for r in results) == ["ok", "skipped", "skipped", "skipped", "skipped"]
    assert len(calls) == 1
    assert await JobRun.count().where(JobRun.job == "test.slow") == 1


async def test_the_same_instant_in_another_zone_is_the_same_slot(settings, db) -> None:
    runtime = build_runtime(settings)
    one = job("* * * * *", "test.zone")
    assert (await run_job(runtime, one, oslo(2026, 11, 23, 8, 0))).status == "ok"
    assert (await run_job(runtime, one, datetime(2026, 11, 23, 7, 0, tzinfo=UTC))).status == "skipped"


async def test_a_failing_job_is_recorded_as_failed_with_its_message(settings, db) -> None:
    async def broken(ctx: JobContext) -> str:
        raise RuntimeError("databasen svarte ikke")

    runtime = build_runtime(settings)
    result = await run_job(runtime, Job("test.broken", "* * * * *", broken), oslo(2026, 11, 23, 7, 0))
    assert (result.ran, result.status) == (True, "failed")
    assert result.message == "RuntimeError: databasen svarte ikke"
    row = await JobRun.select().where(JobRun.job == "test.broken").first()
    assert row is not None
    assert row["status"] == "failed"
    assert row["message"] == "RuntimeError: databasen svarte ikke"
    assert row["finished_at"] is not None


async def test_scheduler_runs_each_minute_once_and_survives_a_failed_attempt(
    settings, db, monkeypatch
) -> None:
    """The loop with a fake clock (20 s per reading, standing still while a run is in progress:
    runs take no time): every minute's slot runs once, in order, and a slot whose run could not
    be started (database down) is tried again next tick."""
    import core.jobs

    clock = [datetime(2026, 11, 23, 6, 0, 5, tzinfo=UTC)]
    in_progress = [0]

    def fake_now() -> datetime:
        if not in_progress[0]:
            clock[0] += timedelta(seconds=20)
        return clock[0]

    stop = asyncio.Event()
    seen: list[datetime] = []

    async def tick(ctx: JobContext) -> str:
        seen.append(ctx.slot)
        if len(seen) == 3:
            stop.set()
        return ""

    real_run_job = core.jobs.run_job
    failures = [RuntimeError("databasen er nede")]

    async def flaky_run_job(*args: Any) -> Any:
        if failures:
            raise failures.pop()
        in_progress[0] += 1
        try:
            return await real_run_job(*args)
        finally:
            in_progress[0] -= 1

    class Minutely:
        @hookimpl
        def register_jobs(self) -> list[Job]:
            return [Job("test.minutely", "* * * * *", tick)]

    runtime = build_runtime(settings)
    for name, _plugin in list(runtime.pm.list_name_plugin()):
        runtime.pm.unregister(name=name)
    runtime.pm.register(Minutely(), "minutely")
    monkeypatch.setattr(core.jobs, "now", fake_now)
    monkeypatch.setattr(core.jobs, "run_job", flaky_run_job)

    await asyncio.wait_for(core.jobs.scheduler_loop(runtime, tick_seconds=0, stop=stop), timeout=30)

    assert failures == []  # the first attempt failed ...
    assert [s.astimezone(UTC) for s in seen] == [  # ... and its slot still ran, once
        datetime(2026, 11, 23, 6, 1, tzinfo=UTC),
        datetime(2026, 11, 23, 6, 2, tzinfo=UTC),
        datetime(2026, 11, 23, 6, 3, tzinfo=UTC),
    ]
    assert await JobRun.count().where(JobRun.job == "test.minutely") == 3


# --- Schedules ----------------------------------------------------------------------------


def test_due_slots_keeps_only_the_latest_slot_in_the_window() -> None:
    quarter = job("*/15 * * * *")
    assert local(due_slots(quarter, oslo(2026, 11, 23, 10, 0), oslo(2026, 11, 23, 11, 5))) == [
        "2026-11-23 11:00+0100"
    ]
    assert local(slots_between(quarter, oslo(2026, 11, 23, 10, 0), oslo(2026, 11, 23, 11, 0))) == [
        "2026-11-23 10:15+0100",
        "2026-11-23 10:30+0100",
        "2026-11-23 10:45+0100",
        "2026-11-23 11:00+0100",
    ]
    # (after, until]: a slot exactly at ``after`` belongs to the previous window.
    assert due_slots(quarter, oslo(2026, 11, 23, 10, 0), oslo(2026, 11, 23, 10, 14)) == []
    # A runner that was down for days runs the latest slot only.
    assert local(due_slots(quarter, oslo(2026, 11, 1, 0, 0), oslo(2026, 11, 23, 10, 7))) == [
        "2026-11-23 10:00+0100"
    ]


def test_cron_weekdays_count_from_sunday_as_in_crontab() -> None:
    weekdays = job("0 7 * * 1-5")
    friday_to_tuesday = slots_between(weekdays, oslo(2026, 11, 20, 6, 0), oslo(2026, 11, 24, 8, 0))
    assert local(friday_to_tuesday) == [
        "2026-11-20 07:00+0100",  # Friday
        "2026-11-23 07:00+0100",  # Monday
        "2026-11-24 07:00+0100",  # Tuesday
    ]
    week = (oslo(2026, 11, 16, 0, 0), oslo(2026, 11, 23, 0, 0))
    assert local(slots_between(job("0 9 * * 0"), *week)) == ["2026-11-22 09:00+0100"]  # Sunday
    assert local(slots_between(job("0 9 * * 7"), *week)) == ["2026-11-22 09:00+0100"]
    assert local(slots_between(job("0 9 * * sat,sun"), *week)) == [
        "2026-11-21 09:00+0100",
        "2026-11-22 09:00+0100",
    ]


def test_day_of_month_or_day_of_week_as_in_crontab() -> None:
    first_or_monday = job("0 6 1 * 1")
    slots = slots_between(first_or_monday, oslo(2026, 11, 25, 0, 0), oslo(2026, 12, 15, 0, 0))
    assert local(slots) == [
        "2026-11-30 06:00+0100",  # Monday
        "2026-12-01 06:00+0100",  # the 1st (a Tuesday)
        "2026-12-07 06:00+0100",
        "2026-12-14 06:00+0100",
    ]


def test_clocks_forward_fixed_time_runs_once_shifted_wildcards_skip_the_missing_hour() -> None:
    day = (oslo(2026, 3, 29, 0, 0), oslo(2026, 3, 30, 0, 0))  # 02:00 CET -> 03:00 CEST
    assert local(slots_between(job("30 2 * * *"), *day)) == ["2026-03-29 03:30+0200"]
    assert local(slots_between(job("0 3 * * *"), *day)) == ["2026-03-29 03:00+0200"]
    hourly = slots_between(job("0 * * * *"), *day)
    assert len(hourly) == 23
    assert local(hourly[:3]) == ["2026-03-29 01:00+0100", "2026-03-29 03:00+0200", "2026-03-29 04:00+0200"]
    assert slots_between(job("*/30 2 * * *"), *day) == []


def test_clocks_back_fixed_time_runs_once_wildcards_run_in_both_passes() -> None:
    day = (oslo(2026, 10, 25, 0, 0), oslo(2026, 10, 26, 0, 0))  # 03:00 CEST -> 02:00 CET
    assert local(slots_between(job("30 2 * * *"), *day)) == ["2026-10-25 02:30+0200"]
    assert local(slots_between(job("0 3 * * *"), *day)) == ["2026-10-25 03:00+0100"]
    hourly = slots_between(job("0 * * * *"), *day)
    assert len(hourly) == 25
    assert local(slots_between(job("*/30 2 * * *"), *day)) == [
        "2026-10-25 02:00+0200",
        "2026-10-25 02:30+0200",
        "2026-10-25 02:00+0100",
        "2026-10-25 02:30+0100",
    ]


@pytest.mark.parametrize("schedule", ["30 2 * * *", "0 * * * *", "*/10 * * * *", "15 1-3 * * *"])
@pytest.mark.parametrize("day", [(2026, 3, 29), (2026, 10, 25)], ids=["vårknipe", "høstknipe"])
def test_a_scheduler_ticking_through_a_dst_day_runs_every_slot_once(
    schedule: str, day: tuple[int, int, int]
) -> None:
    """A minute-by-minute scheduler ends, and runs exactly the slots of the day, in order.

    (APScheduler's own zone handling returns the same fire time forever on the autumn day.)
    """
    one = job(schedule)
    start = oslo(*day, 0, 0).astimezone(UTC)
    end = start + timedelta(hours=26)
    ran: list[datetime] = []
    tick = start
    while tick < end:
        ran += due_slots(one, tick, tick + timedelta(minutes=1))
        tick += timedelta(minutes=1)
    assert ran == slots_between(one, start, end)
    assert ran == sorted(set(ran))


def test_next_slot_and_invalid_schedules() -> None:
    assert local([next_slot(job("0 7 * * 1-5"), oslo(2026, 11, 21, 12, 0))]) == ["2026-11-23 07:00+0100"]  # type: ignore[list-item]
    assert next_slot(job("* * * * *"), datetime(2026, 11, 23, 6, 0, 30, tzinfo=UTC)) == datetime(
        2026, 11, 23, 6, 1, tzinfo=UTC
    )
    for bad in ["* * * *", "61 * * * *", "0 7 * * 8", "0 7 * * 5-1"]:
        with pytest.raises(ValueError):
            validate_schedule(bad)


def test_every_registered_job_has_a_valid_schedule(settings) -> None:
    for registered in build_runtime(settings).jobs:
        validate_schedule(registered.schedule)


# --- The command line ---------------------------------------------------------------------


def test_jobs_list_shows_every_job_with_its_schedule() -> None:
    result = CliRunner().invoke(cli, ["jobs", "list"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "* * * * *" in lines["core.send_outbox"]
    assert "17 * * * *" in lines["core.purge_sessions"]
    assert "*/5 * * * *" in lines["dummy_plugin.tick"]
    assert "Testjobb" in lines["dummy_plugin.tick"]


def test_jobs_run_runs_the_job_for_the_current_minute(db) -> None:
    JOB_CALLS.clear()
    result = CliRunner().invoke(cli, ["jobs", "run", "dummy_plugin.tick"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"dummy_plugin\.tick \d{4}-\d\d-\d\d \d\d:\d\d: ok kjørt\n", result.output)
    assert len(JOB_CALLS) == 1
    rows = JobRun.select(JobRun.status, JobRun.message).where(JobRun.job == "dummy_plugin.tick").run_sync()
    assert rows == [{"status": "ok", "message": "kjørt"}]


def test_jobs_run_with_an_unknown_job_exits_2_with_a_norwegian_message() -> None:
    result = CliRunner().invoke(cli, ["jobs", "run", "finnes.ikke"])
    assert result.exit_code == 2
    assert "Ukjent jobb: finnes.ikke. Se «arkivrutiner jobs list»." in result.stderr


# --- Two processes, one slot --------------------------------------------------------------


def subprocess_env() -> dict[str, str]:
    """The test run's environment (conftest set ARKIV_*), with the project importable."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def race_two_processes(slots: list[datetime]) -> list[dict[str, Any]]:
    """Start two processes that each run the same slots with run_job, released together once both
    have imported everything and connected (a barrier, not a start time)."""
    command = [sys.executable, "-m", "tests.support.job_race", *[s.isoformat() for s in slots]]
    processes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=subprocess_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 120
        for process in processes:
            assert process.stdout is not None
            ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, "a racer was not ready within 120 s"
            line = process.stdout.readline()
            assert line.strip() == READY, f"a racer stopped before the race: {line!r}"
        for process in processes:  # the starting shot
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            outputs.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    # Both ran at the same time: each began before the other had finished.
    assert max(o["began"] for o in outputs) < min(o["ended"] for o in outputs), f"no race: {outputs}"
    return outputs


def job_rows(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        JobRun.select(JobRun.slot, JobRun.status, JobRun.runner).where(JobRun.job == name).run_sync()
    )
    return rows


def check_race(slots: list[datetime]) -> None:
    outputs = race_two_processes(slots)
    for index in range(len(slots)):
        assert sorted(output["statuses"][index] for output in outputs) == ["ok", "skipped"]
    rows = job_rows("test.race")
    assert len(rows) == len(slots)
    assert {row["status"] for row in rows} == {"ok"}
    assert sorted(row["slot"] for row in rows) == sorted(slots)
    bodies = AuditEvent.select(AuditEvent.object_id).where(AuditEvent.action == BODY_RAN).run_sync()
    assert len(bodies) == len(slots)  # the job body ran once per slot, in whichever process won
    assert len({row["object_id"] for row in bodies}) == len(slots)


RACE_SLOTS = [datetime(2026, 11, 23, 6, minute, tzinfo=UTC) for minute in range(0, 30, 5)]


@pytest.mark.postgres
@pytest.mark.skipif(
    ENGINE != "postgres", reason="PostgreSQL-runden (ARKIV_TEST_DATABASE=postgres, alltid i CI)"
)
def test_two_processes_racing_for_a_slot_run_it_once_on_postgresql(db) -> None:
    check_race(RACE_SLOTS)


@pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite-runden")
def test_two_processes_racing_for_a_slot_run_it_once_on_sqlite(db) -> None:
    check_race(RACE_SLOTS)


def test_two_cli_runners_in_the_same_minute_run_the_job_once(db) -> None:
    """``arkivrutiner jobs run`` twice at once (cron on two hosts): one runs, one skips."""
    executable = Path(sys.executable).with_name("arkivrutiner")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "core.cli"]
    for _attempt in range(3):
        processes = [
            subprocess.Popen(
                [*command, "jobs", "run", "dummy_plugin.tick"],
                cwd=ROOT,
                env=subprocess_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [process.communicate(timeout=120) for process in processes]
        assert [p.returncode for p in processes] == [0, 0], outputs
        lines = [out.strip() for out, _err in outputs]
        slots = {line.split(": ", 1)[0] for line in lines}
        if len(slots) == 1:  # both in the same minute (else they straddled a minute: try again)
            break
        JobRun.delete(force=True).run_sync()
    else:
        pytest.fail(f"the two runners never shared a minute: {lines}")
    assert sorted(line.split(": ", 1)[1] for line in lines) == ["ok kjørt", "skipped allerede kjørt"]
    rows = job_rows("dummy_plugin.tick")
    assert len(rows) == 1
    assert rows[0]["status"] == "ok"
