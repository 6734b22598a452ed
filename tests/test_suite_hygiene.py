"""The test run cleans up after itself and says plainly when PostgreSQL is missing.

Each test starts pytest in a separate process on ``tests/support/failing_probe.py`` (a test that
fails after writing into its ``tmp_path``), with ``TMPDIR`` pointing at a folder of its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

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
