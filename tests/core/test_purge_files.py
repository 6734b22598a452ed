"""The ``core.purge_files`` job: files no document version references, and staged uploads left
behind, are removed once older than ``ARKIV_FILE_GRACE_HOURS``; referenced and recent files stay.
Real files in a file store of the test's own."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest

from core.archive.filestore import FileStore
from core.jobs import run_job
from core.runtime import build_runtime
from core.settings import Settings
from core.tables import JobRun
from core.timeutil import now
from tests.support.factories import make_case, make_document, make_post, make_unit

pytestmark = pytest.mark.anyio


def age(path: Path, hours: float) -> None:
    stamp = time.time() - hours * 3600
    os.utime(path, (stamp, stamp))


async def test_unreferenced_files_older_than_the_grace_period_are_removed(
    settings: Settings, db: None, tmp_path: Path
) -> None:
    settings = dataclasses.replace(settings, file_store=str(tmp_path / "filer"), file_grace_hours=24)
    store = FileStore.from_settings(settings)
    unit = await make_unit()
    post = await make_post(await make_case("Sak", unit=unit), "Brev", unit=unit)
    await make_document(settings, post, [b"versjon 1", b"versjon 2"])
    referenced = [path for _sum, path in store.files()]
    assert len(referenced) == 2
    old_orphan = store.path(store.put(b"gammel, ingen viser til den").sjekksum)
    new_orphan = store.path(store.put(b"ny, ingen viser til den").sjekksum)
    left_behind = store.stage_bytes(b"opplasting som ble avbrutt").path
    for path in [*referenced, old_orphan, left_behind]:
        age(path, 25)
    age(new_orphan, 23)

    runtime = build_runtime(settings)
    job = runtime.job("core.purge_files")
    assert job is not None
    result = await run_job(runtime, job, now())

    assert result.status == "ok", result.message
    size = len(b"gammel, ingen viser til den") + len(b"opplasting som ble avbrutt")
    assert result.message == f"slettet 2 filer ({size} byte) som ingen dokumentversjon viser til"
    assert not old_orphan.exists() and not left_behind.exists()
    assert new_orphan.exists()
    assert all(path.exists() for path in referenced)
    run = await JobRun.select(JobRun.message).where(JobRun.job == "core.purge_files").first()
    assert run == {"message": result.message}


def test_a_file_stored_again_starts_its_grace_period_anew(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    path = store.path(store.put(b"samme bytes").sjekksum)
    age(path, 48)
    store.put(b"samme bytes")  # a new version with the bytes of an orphan
    assert time.time() - path.stat().st_mtime < 3600
