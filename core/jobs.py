"""Running jobs: each (job, time slot) runs at most once, however many runners race.

A run starts by inserting its ``core_job_run`` row; the unique (job, slot) pair means the
second runner's insert does nothing, and that runner skips the slot. Schedules are cron
expressions in Europe/Oslo time, evaluated by :func:`due_slots`; :func:`scheduler_loop` is the
``arkivrutiner scheduler`` process (run one; a second one, or cron, is harmless).

Cron semantics follow Vixie cron (``man 8 cron``), because APScheduler 3's own time-zone
handling is not safe across daylight-saving changes (on the autumn change its
``get_next_fire_time`` keeps returning the same time, which hangs a naive loop):

* Day of week: 0 or 7 is Sunday, 1 is Monday (APScheduler 3's ``from_crontab`` treats 0 as
  Monday; we translate the field ourselves).
* When both day of month and day of week are restricted, either one matching is enough.
* Clocks forward (the skipped hour 02:00-03:00): a job at a fixed time in that hour runs once,
  shifted by the gap (02:30 runs at 03:30); a job with ``*`` in its minute or hour field simply
  has no slots in the missing hour.
* Clocks back (02:00-03:00 happens twice): a job at a fixed time runs once, in the first pass;
  a job with ``*`` in its minute or hour field runs in both passes.

Slots are instants; :func:`due_slots` and :func:`next_slot` return them in UTC so that two
slots in the repeated hour never compare equal (aware datetimes sharing a ``tzinfo`` ignore
``fold`` when compared).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from piccolo.query.mixins import OnConflictAction

from core.contributions import Job
from core.i18n import _
from core.runtime import Runtime
from core.tables import JobRun
from core.timeutil import OSLO, now

log = logging.getLogger(__name__)

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_SEARCH_WINDOWS = (timedelta(hours=2), timedelta(days=2), timedelta(days=40), timedelta(days=400))
"""Look for the latest (or next) slot in growing windows, so a minutely job costs a few steps."""


@dataclass(frozen=True)
class JobContext:
    """What a job function receives."""

    runtime: Runtime
    job: Job
    slot: datetime


@dataclass(frozen=True)
class RunResult:
    job: str
    slot: datetime
    ran: bool
    status: str
    message: str = ""


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _day_number(token: str) -> int:
    token = token.strip().lower()
    if token[:3] in _DAY_NAMES and not token.isdigit():
        return _DAY_NAMES.index(token[:3])
    value = int(token)
    if not 0 <= value <= 7:
        raise ValueError(f"Ukedag må være 0-7, ikke {value}")
    return value


def _day_of_week(field: str) -> str:
    """A crontab day-of-week field (0/7 = Sunday, names allowed) as APScheduler 3 day names."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        span, _sep, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"Ugyldig steg i ukedag: {part}")
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            first, last = span.split("-", 1)
            low, high = _day_number(first), _day_number(last)
        else:
            low = _day_number(span)
            high = 7 if step_text else low
        if low > high:
            raise ValueError(f"Ugyldig ukedagsintervall: {part}")
        days.update(day % 7 for day in range(low, high + 1, step))
    return ",".join(_DAY_NAMES[day] for day in sorted(days))


def _wall_triggers(schedule: str) -> list[CronTrigger]:
    """Triggers over naive local wall-clock time (UTC stands in for "no time zone")."""
    fields = schedule.split()
    if len(fields) != 5:
        raise ValueError(f"Tidsplanen «{schedule}» må ha fem felt (minutt time dag måned ukedag)")
    minute, hour, day, month, day_of_week = fields
    common = {"minute": minute, "hour": hour, "month": month, "second": "0", "timezone": UTC}
    weekday = _day_of_week(day_of_week)
    if not day.startswith("*") and not day_of_week.startswith("*"):
        return [CronTrigger(day=day, **common), CronTrigger(day_of_week=weekday, **common)]
    return [CronTrigger(day=day, day_of_week=weekday, **common)]


def validate_schedule(schedule: str) -> None:
    """Raise ``ValueError`` when ``schedule`` is not a valid five-field cron expression."""
    _wall_triggers(schedule)


def _is_fixed_time(schedule: str) -> bool:
    minute, hour = schedule.split()[:2]
    return not minute.startswith("*") and not hour.startswith("*")


def _wall_times(triggers: list[CronTrigger], start: datetime, end: datetime) -> Iterator[datetime]:
    """Naive wall-clock times in (start, end] that any trigger matches, in order, no duplicates."""
    found: set[datetime] = set()
    for trig in triggers:
        current = start.replace(tzinfo=UTC) + timedelta(microseconds=1)
        limit = end.replace(tzinfo=UTC)
        while True:
            fire = trig.get_next_fire_time(None, current)
            if fire is None or fire > limit or fire < current:
                break
            found.add(fire.replace(tzinfo=None))
            current = fire + timedelta(microseconds=1)
    yield from sorted(found)


def _instants(wall: datetime, fixed: bool) -> list[datetime]:
    """The UTC instants a local wall-clock time stands for (see the module docstring)."""
    first = wall.replace(tzinfo=OSLO, fold=0)
    second = wall.replace(tzinfo=OSLO, fold=1)
    if first.utcoffset() == second.utcoffset():
        return [first.astimezone(UTC)]
    exists = first.astimezone(UTC).astimezone(OSLO).replace(tzinfo=None) == wall
    if exists:  # the repeated hour when the clocks go back
        return [first.astimezone(UTC)] if fixed else [first.astimezone(UTC), second.astimezone(UTC)]
    # the missing hour when the clocks go forward: fold=0 shifts the time by the gap
    return [first.astimezone(UTC)] if fixed else []


def slots_between(job: Job, after: datetime, until: datetime) -> list[datetime]:
    """Every slot of ``job`` in (after, until] as UTC instants, oldest first."""
    after, until = after.astimezone(UTC), until.astimezone(UTC)
    if until <= after:
        return []
    margin = timedelta(hours=2)  # covers the repeated hour and the shift out of the missing one
    wall_start = after.astimezone(OSLO).replace(tzinfo=None) - margin
    wall_end = until.astimezone(OSLO).replace(tzinfo=None) + margin
    fixed = _is_fixed_time(job.schedule)
    slots = {
        instant
        for wall in _wall_times(_wall_triggers(job.schedule), wall_start, wall_end)
        for instant in _instants(wall, fixed)
        if after < instant <= until
    }
    return sorted(slots)


def due_slots(job: Job, after: datetime, until: datetime) -> list[datetime]:
    """The slot of ``job`` to run for (after, until]: at most the latest one, so a runner that
    was down for long does not flood the log with catch-up runs."""
    for window in _SEARCH_WINDOWS:
        start = max(after, until - window)
        slots = slots_between(job, start, until)
        if slots or start <= after:
            return slots[-1:]
    return slots_between(job, after, until)[-1:]


def next_slot(job: Job, after: datetime | None = None) -> datetime | None:
    """The first slot of ``job`` after ``after`` (default: now), or None within a year."""
    after = after or now()
    for window in _SEARCH_WINDOWS:
        slots = slots_between(job, after, after + window)
        if slots:
            return slots[0]
    return None


def current_slot(at: datetime | None = None) -> datetime:
    """The minute a manual run belongs to (cron's resolution)."""
    at = at or now()
    return at.replace(second=0, microsecond=0)


async def run_job(runtime: Runtime, job: Job, slot: datetime) -> RunResult:
    """Run ``job`` for ``slot`` unless another runner already took that slot."""
    slot = slot.astimezone(OSLO).replace(microsecond=0)
    claimed = (
        await JobRun.insert(
            JobRun(job=job.name, slot=slot, status="running", started_at=now(), runner=runner_name())
        )
        .on_conflict(action=OnConflictAction.do_nothing)
        .returning(JobRun.id)
    )
    if not claimed:
        return RunResult(job.name, slot, ran=False, status="skipped", message=_("allerede kjørt"))
    run_id = claimed[0]["id"]
    try:
        message = await job.func(JobContext(runtime, job, slot)) or ""
        status = "ok"
    except Exception as exc:  # recorded on the run and logged
        log.exception("Jobben %s feilet for %s", job.name, slot)
        message, status = f"{type(exc).__name__}: {exc}", "failed"
    await JobRun.update({JobRun.status: status, JobRun.finished_at: now(), JobRun.message: message}).where(
        JobRun.id == run_id
    )
    return RunResult(job.name, slot, ran=True, status=status, message=message)


async def _run_window(
    runtime: Runtime, job: Job, slots: list[datetime], window_end: datetime, checked: dict[str, datetime]
) -> None:
    """Run ``job``'s due slots; close its window (``checked``) only when every run was recorded."""
    try:
        for slot in slots:
            result = await run_job(runtime, job, slot)
            log.info("%s %s: %s %s", job.name, slot.isoformat(), result.status, result.message)
    except Exception:
        log.exception("Planleggeren kunne ikke kjøre %s; prøver igjen", job.name)
        return
    checked[job.name] = window_end


async def scheduler_loop(
    runtime: Runtime, tick_seconds: float = 20.0, stop: asyncio.Event | None = None
) -> None:
    """Run every job at its cron slots until ``stop`` is set.

    Each due job runs as its own task, so a slow job never holds up another job's slot. A job
    has at most one run in progress in this process: while it runs, its window stays open, and
    when it ends the latest slot it missed (if any) runs once. Across processes the
    ``(job, slot)`` row keeps each slot to one run.

    A job whose run could not even be recorded (database unreachable) keeps its window open
    and is tried again on the next tick; the loop itself never dies of it. On ``stop`` the loop
    waits for the runs in progress to end.
    """
    stop = stop or asyncio.Event()
    started = now()
    checked: dict[str, datetime] = {}
    running: dict[str, asyncio.Task[None]] = {}
    log.info("Planleggeren startet med %d jobber", len(runtime.jobs))
    try:
        while not stop.is_set():
            current = now()
            for job in runtime.jobs:
                if job.name in running and not running[job.name].done():
                    continue  # still busy: its window stays open
                try:
                    slots = due_slots(job, checked.get(job.name, started), current)
                except Exception:
                    log.exception("Planleggeren kunne ikke finne tidene for %s", job.name)
                    continue
                if not slots:
                    checked[job.name] = current
                    continue
                running[job.name] = asyncio.create_task(
                    _run_window(runtime, job, slots, current, checked), name=f"jobb {job.name}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=tick_seconds)
        await asyncio.gather(*running.values(), return_exceptions=True)
    finally:
        for task in running.values():
            task.cancel()
