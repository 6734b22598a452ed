"""The scheduler loop runs each due job as its own task: a slow job does not hold up another
job's slot, a busy job is not started twice, and it runs the latest slot it missed once done."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

import core.jobs
from core.contributions import Job
from core.hookspecs import hookimpl
from core.jobs import JobContext
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.tables import JobRun

pytestmark = pytest.mark.anyio


async def until(condition: Callable[[], bool], what: str, seconds: float = 10) -> None:
    """Wait for ``condition`` (polled), failing after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        await asyncio.sleep(0.01)


def runtime_with(settings: Settings, *jobs: Job) -> Runtime:
    class Jobs:
        @hookimpl
        def register_jobs(self) -> list[Job]:
            return list(jobs)

    runtime = build_runtime(settings)
    for name, _plugin in list(runtime.pm.list_name_plugin()):
        runtime.pm.unregister(name=name)
    runtime.pm.register(Jobs(), "jobs")
    return runtime


class Clock:
    """A fake ``core.jobs.now`` that stands still until the test moves it, counting readings."""

    def __init__(self, start: datetime) -> None:
        self.time = start
        self.readings = 0

    def __call__(self) -> datetime:
        self.readings += 1
        return self.time


async def start_loop(runtime: Runtime, clock: Clock, stop: asyncio.Event) -> asyncio.Task[None]:
    """Start the scheduler loop and wait until it has read the clock (its start time)."""
    task = asyncio.create_task(core.jobs.scheduler_loop(runtime, tick_seconds=0.01, stop=stop))
    await until(lambda: clock.readings >= 2, "the scheduler's first tick")
    return task


def utc(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, second, tzinfo=UTC)


async def test_a_slow_job_does_not_hold_up_another_jobs_slot(settings, db, monkeypatch) -> None:
    clock = Clock(utc(6, 0, 30))
    monkeypatch.setattr(core.jobs, "now", clock)
    release = asyncio.Event()
    slow_slots: list[datetime] = []
    fast_runs: list[tuple[datetime, datetime]] = []  # (slot, the clock when it ran)

    async def slow(ctx: JobContext) -> str:
        slow_slots.append(ctx.slot.astimezone(UTC))
        await release.wait()
        return "ferdig"

    async def fast(ctx: JobContext) -> str:
        fast_runs.append((ctx.slot.astimezone(UTC), clock.time))
        return ""

    # Jobs are taken in name order: a loop that awaited the slow one ran the fast one's 06:01
    # slot and then sat in the slow one through the fast one's 06:02 slot.
    runtime = runtime_with(settings, Job("test.slow", "* * * * *", slow), Job("test.fast", "* * * * *", fast))
    stop = asyncio.Event()
    loop = await start_loop(runtime, clock, stop)
    try:
        clock.time = utc(6, 1)
        await until(lambda: bool(slow_slots) and len(fast_runs) == 1, "both jobs' 06:01 slot")

        clock.time = utc(6, 2)  # the slow job is still busy with 06:01
        await until(lambda: len(fast_runs) == 2, "the fast job's 06:02 slot")
        assert fast_runs == [(utc(6, 1), utc(6, 1)), (utc(6, 2), utc(6, 2))]  # each on time
        assert slow_slots == [utc(6, 1)]  # not started a second time while busy
        [running] = await JobRun.select(JobRun.status).where(JobRun.job == "test.slow")
        assert running["status"] == "running"

        release.set()  # it ends, and runs the slot it missed, once
        await until(lambda: len(slow_slots) == 2, "the slow job's missed 06:02 slot")
        assert slow_slots == [utc(6, 1), utc(6, 2)]
        stop.set()
        await asyncio.wait_for(loop, timeout=10)
    finally:
        release.set()
        stop.set()
        loop.cancel()

    rows = await JobRun.select(JobRun.job, JobRun.slot, JobRun.status).order_by(JobRun.id)
    assert sorted((r["job"], r["slot"].astimezone(UTC), r["status"]) for r in rows) == [
        ("test.fast", utc(6, 1), "ok"),
        ("test.fast", utc(6, 2), "ok"),
        ("test.slow", utc(6, 1), "ok"),
        ("test.slow", utc(6, 2), "ok"),
    ]


async def test_stopping_waits_for_the_run_in_progress(settings, db, monkeypatch) -> None:
    """On stop (SIGTERM) a run in progress finishes and is recorded, not left «running»."""
    clock = Clock(utc(6, 0, 30))
    monkeypatch.setattr(core.jobs, "now", clock)
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(ctx: JobContext) -> str:
        started.set()
        await release.wait()
        return "ferdig"

    runtime = runtime_with(settings, Job("test.slow", "* * * * *", slow))
    stop = asyncio.Event()
    loop = await start_loop(runtime, clock, stop)
    try:
        clock.time = utc(6, 1)
        await asyncio.wait_for(started.wait(), timeout=10)
        stop.set()
        release.set()
        await asyncio.wait_for(loop, timeout=10)
    finally:
        release.set()
        loop.cancel()
    rows = await JobRun.select(JobRun.status, JobRun.message).where(JobRun.job == "test.slow")
    assert rows == [{"status": "ok", "message": "ferdig"}]
