"""The database goes away and comes back: ``/healthz`` stays 200 without touching it,
``/readyz`` answers 503 with a short reason, static files are still served, pages show the
Norwegian 503 page, no request answers 500, and the app recovers without a restart.

The first test runs in both rounds against an address where nothing listens. The second
(PostgreSQL round) serves the app with ``arkivrutiner serve`` and its connection pool through a
TCP proxy (:mod:`tests.support.tcp_proxy`), stops the proxy and starts it again on the same
port."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.db import bind_tables
from core.sessions import SESSION_COOKIE
from tests.conftest import ENGINE
from tests.support.factories import make_person, make_unit
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 30.0


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port bound but not listening: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def unreachable_settings(settings, db, refused_port: int) -> Iterator[Any]:
    yield dataclasses.replace(
        settings, database_url=f"postgresql://postgres@127.0.0.1:{refused_port}/arkivrutiner", db_pool_size=0
    )
    bind_tables(settings)  # create_app pointed every table at the unreachable database


def assert_unavailable_page(response: httpx.Response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:500])
    assert "Midlertidig utilgjengelig" in response.text
    assert response.headers["retry-after"]


async def test_without_a_database_health_static_files_and_error_pages_still_answer(
    unreachable_settings,
) -> None:
    app = create_app(unreachable_settings)
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as client:
        client.follow_redirects = False
        for cookies in ({}, {SESSION_COOKIE: "a" * 64}):  # without and with a session cookie
            client.cookies.clear()
            client.cookies.update(cookies)
            assert (await client.get("/healthz")).json() == {"status": "ok"}
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["database"].startswith("utilgjengelig")
            static = await client.get("/static/core/app.css")
            assert static.status_code == 200 and static.text
            page = await client.get("/")
            if not cookies:  # nobody signed in: to the sign-in page, without asking the database
                assert page.status_code == 302
                continue
            assert_unavailable_page(page)
            assert "<!doctype html>" in page.text
            fragment = await client.get("/", headers={"HX-Request": "true"})
            assert_unavailable_page(fragment)
            assert fragment.headers["hx-retarget"] == "#meldinger"
        client.cookies.clear()
        assert_unavailable_page(await client.get("/dev-logg-inn"))  # the page lists people


# --- A served app, its pool, and a proxy that goes away --------------------------------------


def read_log(log: Path) -> str:
    return log.read_text()


def start_server(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("w") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


async def wait_for(condition: Any, what: str, log: Path | None = None) -> Any:
    """Poll ``await condition()`` until it returns something truthy, or fail after the deadline."""
    deadline = time.monotonic() + DEADLINE
    while True:
        result = await condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"{what}: not within {DEADLINE} s" + (
            "\n" + read_log(log) if log else ""
        )
        await asyncio.sleep(0.05)


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[TcpProxy]:
    target = urlsplit(database_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()


@pytest.fixture
async def served(database_url: str, proxy: TcpProxy, tmp_path: Path) -> AsyncIterator[str]:
    """``arkivrutiner serve`` on port 0 (the port read back from its log) with a pool of 2
    connections to the test database through ``proxy``; yields the base URL."""
    parts = urlsplit(database_url)
    via_proxy = urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}"))
    executable = Path(sys.executable).with_name("arkivrutiner")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "core.cli"]
    env = {**os.environ, "ARKIV_DATABASE_URL": via_proxy, "ARKIV_DB_POOL_SIZE": "2", "PYTHONPATH": str(ROOT)}
    log_path = tmp_path / "serve.log"
    process = start_server([*command, "serve", "--host", "127.0.0.1", "--port", "0"], env, log_path)
    try:

        async def port() -> int | None:
            assert process.poll() is None, "the server stopped:\n" + read_log(log_path)
            found = re.search(r"Uvicorn running on http://127\.0\.0\.1:(\d+)", read_log(log_path))
            return int(found.group(1)) if found else None

        base = f"http://127.0.0.1:{await wait_for(port, 'the server start', log_path)}"
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)

        async def stopped() -> bool:
            return process.poll() is not None

        try:
            await wait_for(stopped, "the server stop")
        finally:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.skipif(ENGINE != "postgres", reason="pulls a PostgreSQL server away (PostgreSQL round)")
async def test_the_app_survives_the_database_going_away_and_coming_back(
    db, proxy: TcpProxy, served: str
) -> None:
    person = await make_person(name="Kari Nordmann", unit=await make_unit())
    statuses: list[tuple[str, int]] = []

    async with httpx.AsyncClient(base_url=served, timeout=10, follow_redirects=False) as browser:

        async def get(path: str, **kwargs: Any) -> httpx.Response:
            response = await browser.get(path, **kwargs)
            statuses.append((path, response.status_code))
            return response

        async def ready() -> bool:
            return (await get("/readyz")).status_code == 200

        await wait_for(ready, "ready before the outage")
        await get("/dev-logg-inn")
        signed_in = await browser.post(
            "/dev-logg-inn",
            data={"person_id": str(person), "neste": "/"},
            headers={"x-csrftoken": browser.cookies["arkiv_csrf"]},
        )
        assert signed_in.status_code == 303, signed_in.text
        assert "Kari Nordmann" in (await get("/")).text

        await proxy.stop()

        async def not_ready() -> httpx.Response | None:
            response = await get("/readyz")
            return response if response.status_code == 503 else None

        reason = (await wait_for(not_ready, "readyz 503 during the outage")).json()
        assert reason["status"] == "error" and reason["database"].startswith("utilgjengelig")
        for _ in range(3):  # the pool's connections were cut: every request finds out anew
            assert (await get("/healthz")).status_code == 200
            assert (await get("/static/core/app.css")).status_code == 200
            assert_unavailable_page(await get("/"))
            assert_unavailable_page(await get("/", headers={"HX-Request": "true"}))
            assert (await get("/readyz")).status_code == 503

        await proxy.start()  # the same port: the app was not told anything
        await wait_for(ready, "readyz 200 after the outage")
        page = await get("/")
        assert page.status_code == 200 and "Kari Nordmann" in page.text  # the session survived

    assert not [s for s in statuses if s[1] >= 500 and s[1] != 503], statuses
    assert [s for s in statuses if s[1] == 503], "the outage was never seen"
