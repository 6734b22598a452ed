"""Start ``arkivrutiner serve`` for a test on a port the kernel picks, and read the port back.

The server is started with ``--port 0``; uvicorn binds the socket and logs the port it got
(``Uvicorn running on http://127.0.0.1:PORT``, with one worker or several). Nothing picks a free
port first and releases it, so two test processes can never be handed the same port.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

_RUNNING = re.compile(rb"Uvicorn running on http://127\.0\.0\.1:(\d+)")


class ServerStartError(Exception):
    """The server stopped or did not answer in time; the message ends with its log."""


def start_server(
    command: list[str], *, cwd: Path, env: dict[str, str], log_path: Path, timeout: float = 60.0
) -> tuple[subprocess.Popen[bytes], str]:
    """Run ``command + ["--host", "127.0.0.1", "--port", "0"]`` in its own process group, logging
    to ``log_path``; return the process and its base URL once ``/healthz`` answers 200.

    Stop it with :func:`stop_server` (also when this raises, the process is already stopped).
    """
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", "0"],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stopped as a whole
        )
    deadline = time.monotonic() + timeout
    base_url = ""
    try:
        while True:
            if process.poll() is not None:
                raise ServerStartError(f"the server stopped ({process.returncode}):\n{log_tail(log_path)}")
            if not base_url:
                found = _RUNNING.search(log_path.read_bytes())
                if found:
                    base_url = f"http://127.0.0.1:{int(found.group(1))}"
            if base_url and _healthy(base_url):
                return process, base_url
            if time.monotonic() > deadline:
                raise ServerStartError(
                    f"the server did not start within {timeout:.0f} s:\n{log_tail(log_path)}"
                )
            time.sleep(0.05)  # poll interval of the wait above, not a wait of its own
    except BaseException:
        stop_server(process)
        raise


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, then SIGKILL what is left."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def log_tail(log_path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
