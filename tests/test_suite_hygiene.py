"""The test run cleans up after itself and says plainly when PostgreSQL is missing; the
``engine_independent`` marker (SQLite round only) stays off tests of engine-specific behaviour.

The run tests start pytest in a separate process on ``tests/support/failing_probe.py`` (a test that
fails after writing into its ``tmp_path``), with ``TMPDIR`` pointing at a folder of its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import engine_independent_misuse

ROOT = Path(__file__).resolve().parents[1]
PROBE = "tests/support/failing_probe.py"


def run_probe(tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def files_left(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_a_failing_run_leaves_no_temporary_folders(tmp_path: Path) -> None:
    result = run_probe(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout
    assert files_left(tmp_path) == []


@pytest.mark.engine_independent
def test_an_unreachable_postgresql_gives_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        result = run_probe(
            tmp_path,
            ARKIV_TEST_DATABASE="postgres",
            ARKIV_TEST_POSTGRES=f"postgresql://postgres@127.0.0.1:{port}/postgres",
        )
    output = result.stdout + result.stderr
    assert result.returncode == 4, output  # pytest's usage error, not "tests failed"
    assert f"trenger PostgreSQL på 127.0.0.1:{port}, men den svarer ikke" in output
    assert "make test uten CI=true" in output
    assert "Traceback" not in output
    assert "conftest" not in output
    assert files_left(tmp_path) == []


FAKE_PYTEST = """#!/bin/sh
# Stands in for pytest: says which round it is, waits (up to 60 s) until the other round has
# started too, then fails if its round is FAIL_ROUND.
round="$ARKIV_TEST_DATABASE"
touch "$MARKS/$round"
other=postgres; [ "$round" = postgres ] && other=sqlite
tries=0
until [ -e "$MARKS/$other" ]; do
  tries=$((tries + 1)); [ "$tries" -gt 1200 ] && { echo "$round: the other round never started"; exit 2; }
  sleep 0.05
done
echo "round $round args $*"
[ "$round" = "$FAIL_ROUND" ] && exit 1
exit 0
"""


def run_rounds(tmp_path: Path, fail_round: str) -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "fake-pytest"
    fake.write_text(FAKE_PYTEST)
    fake.chmod(0o755)
    marks = tmp_path / f"marks-{fail_round}"
    marks.mkdir()
    env = {**os.environ, "PYTEST": str(fake), "MARKS": str(marks), "FAIL_ROUND": fail_round}
    return subprocess.run(
        [str(ROOT / ".ci" / "test-rounds"), "-q", "tests/core"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.engine_independent
def test_ci_runs_both_rounds_at_once_with_separate_output_and_both_exit_codes(tmp_path: Path) -> None:
    ok = run_rounds(tmp_path, fail_round="")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    sqlite_part, postgres_part = ok.stdout.split("== Testpakken mot PostgreSQL")
    assert "round sqlite args -q tests/core" in sqlite_part.split("== Testpakken mot SQLite (")[1]
    assert "round postgres" not in sqlite_part
    assert "round postgres args -q tests/core" in postgres_part
    assert "never started" not in ok.stdout  # the rounds ran at the same time
    assert ok.stdout.rstrip().endswith("== SQLite: ok, PostgreSQL: ok ==")

    for failing in ("sqlite", "postgres"):
        result = run_rounds(tmp_path, fail_round=failing)
        assert result.returncode != 0, f"{failing} failed, yet the rounds passed:\n{result.stdout}"
        assert "FEILET (1)" in result.stdout.splitlines()[-1]


@pytest.mark.engine_independent
def test_engine_independent_stays_off_engine_specific_tests() -> None:
    """The PostgreSQL round leaves out tests marked ``engine_independent``. No test of the
    archive's records (tests/core/archive: their queries differ per engine) or of the ledger and
    its spans may carry the marker; the collection hook (``engine_independent_misuse``) also
    refuses it on any test that uses the test database."""
    marked = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("test_*.py")
        if "engine_independent" in path.read_text(encoding="utf-8")
    ]
    wrong = [
        path
        for path in marked
        if path.startswith("tests/core/archive/") or "ledger" in path or "spans" in path
    ]
    assert not wrong, f"engine_independent on engine-specific tests: {wrong}"
    assert "tests/core/test_i18n.py" in marked  # the scan sees the markers


class _Item:
    def __init__(self, path: str, fixturenames: tuple[str, ...] = ()) -> None:
        self.path = ROOT / path
        self.fixturenames = fixturenames


@pytest.mark.engine_independent
def test_the_collection_hook_refuses_the_marker_where_the_engine_may_matter() -> None:
    assert engine_independent_misuse(_Item("tests/core/test_i18n.py")) is None  # type: ignore[arg-type]
    assert engine_independent_misuse(_Item("tests/core/test_i18n.py", ("client", "app", "db")))  # type: ignore[arg-type]
    assert engine_independent_misuse(_Item("tests/core/archive/test_import.py"))  # type: ignore[arg-type]
    assert engine_independent_misuse(_Item("tests/core/archive/queries/test_search.py"))  # type: ignore[arg-type]
    assert engine_independent_misuse(_Item("tests/plugins/restanse/test_ledger_spans.py"))  # type: ignore[arg-type]


def test_the_postgresql_round_keeps_connections_of_the_apps_engine() -> None:
    """The PostgreSQL round opens a connection per statement unless the app's engine keeps them
    (tests/support/db.py); once the app's engine became a subclass the keeping silently stopped
    and the round took twice as long. Any other engine now stops the round at its start
    (``reuse_connections`` in tests/conftest.py raises)."""
    from core.request_connection import ArkivPostgresEngine
    from tests.support.db import ReusingPostgresEngine, reuse_connections

    engine = object.__new__(ArkivPostgresEngine)  # as core.db.engine_for makes it, unconnected
    reuse_connections(engine)
    assert type(engine) is ReusingPostgresEngine
    assert isinstance(engine, ArkivPostgresEngine)  # the request's connection still applies
    reuse_connections(engine)  # twice is harmless
    with pytest.raises(TypeError):
        reuse_connections(object())
