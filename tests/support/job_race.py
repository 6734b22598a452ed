"""Run a test job for fixed slots when told to, to race another process.

``python -m tests.support.job_race SLOT [SLOT ...]`` imports everything and connects to the
database, prints ``ready``, waits for a line on stdin (the test's starting shot, sent once every
racer is ready) and then runs :data:`RACE_JOB` for each ISO slot with :func:`core.jobs.run_job`.
The job body writes an audit event (a side effect in the shared database), so the test can
count how often the body really ran across processes. Prints the statuses and when the race
began and ended as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import datetime

from core import audit
from core.contributions import Job
from core.db import connected
from core.jobs import JobContext, run_job, runner_name
from core.runtime import build_runtime
from core.settings import load_settings

BODY_RAN = "test.job_body_ran"
READY = "ready"


async def record_run(ctx: JobContext) -> str:
    await audit.record(
        actor_id=None,
        action=BODY_RAN,
        object_type="job",
        object_id=ctx.slot.isoformat(),
        summary=runner_name(),
    )
    await asyncio.sleep(0.2)  # hold the slot a while, as a real job would
    return "kjørt"


RACE_JOB = Job("test.race", "* * * * *", record_run, "Kappløp mellom to prosesser")


async def main(slots: list[datetime]) -> dict[str, object]:
    settings = load_settings()
    runtime = build_runtime(settings)
    async with connected(settings):
        print(READY, flush=True)
        if not sys.stdin.readline():
            raise SystemExit("no starting shot: stdin closed")
        began = time.time()
        statuses = [(await run_job(runtime, RACE_JOB, slot)).status for slot in slots]
        ended = time.time()
    return {"statuses": statuses, "began": began, "ended": ended}


if __name__ == "__main__":
    result = asyncio.run(main([datetime.fromisoformat(s) for s in sys.argv[1:]]))
    print(json.dumps(result))
