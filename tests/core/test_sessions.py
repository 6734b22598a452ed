"""Session stores: the store's contract (the database store and the Redis store alike), the
purge job, ending a person's sessions, and a session shared by the worker processes of
``arkivrutiner serve --workers 2``."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from litestar.stores.base import Store

from core.contributions import Job
from core.jobs import JobContext
from core.jobs_builtin import purge_sessions
from core.redis_sessions import RedisSessionStore
from core.runtime import build_runtime
from core.sessions import DatabaseStore, end_person_sessions, end_person_sessions_for, session_store
from core.tables import SessionData
from core.timeutil import now
from tests.support.factories import make_person, make_unit
from tests.support.serve import start_server, stop_server
from tests.support.session_stores import REDIS_URL, STORES, close_store, count, store_fixture
from tests.support.session_stores import expire as expire_in

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]


async def expire(key: str, seconds_ago: int = 5) -> None:
    """Move a stored session's expiry into the past (instead of sleeping)."""
    await SessionData.update({SessionData.expires_at: int(time.time()) - seconds_ago}).where(
        SessionData.key == key
    )


@pytest.fixture(params=STORES)
async def store(request: pytest.FixtureRequest, db: None) -> AsyncIterator[Store]:
    """The database store and the Redis store, each test run against both."""
    async for opened in store_fixture(request.param):
        yield opened


async def test_set_and_get_round_trip_bytes_and_text(store) -> None:
    await store.set("a", b"\x00\x01binary", expires_in=60)
    await store.set("b", "tekst æøå")
    assert await store.get("a") == b"\x00\x01binary"
    assert await store.get("b") == "tekst æøå".encode()
    assert await store.get("finnes-ikke") is None
    assert await store.exists("a")
    assert not await store.exists("finnes-ikke")


async def test_set_overwrites_value_and_expiry(store) -> None:
    await store.set("k", b"1", expires_in=60)
    await store.set("k", b"2", expires_in=timedelta(hours=2))
    assert await store.get("k") == b"2"
    assert await count(store) == 1
    remaining = await store.expires_in("k")
    assert remaining is not None
    assert 7190 <= remaining <= 7200


async def test_expired_sessions_are_gone(store) -> None:
    await store.set("old", b"x", expires_in=60)
    await expire_in(store, "old")
    assert await store.expires_in("old") is None
    assert await store.get("old") is None
    assert not await store.exists("old")
    assert await count(store) == 0  # removed on read (the database), or by Redis itself


async def test_no_expiry_means_never(store) -> None:
    await store.set("forever", b"x")
    assert await store.expires_in("forever") is None
    assert await store.get("forever", renew_for=60) == b"x"
    assert await store.expires_in("forever") is None  # renewing a value without expiry is a no-op


async def test_get_with_renew_for_extends_the_expiry(store) -> None:
    await store.set("k", b"x", expires_in=10)
    assert await store.get("k", renew_for=3600) == b"x"
    remaining = await store.expires_in("k")
    assert remaining is not None
    assert remaining > 3500
    assert await store.get("k", renew_for=timedelta(seconds=100)) == b"x"
    assert (await store.expires_in("k") or 0) <= 100


async def test_delete_and_delete_all(store) -> None:
    for key in ("a", "b", "c"):
        await store.set(key, b"x", expires_in=60)
    await store.delete("a")
    await store.delete("finnes-ikke")  # a no-op
    assert await store.get("a") is None
    assert await count(store) == 2
    await store.delete_all()
    assert await count(store) == 0


async def test_delete_expired_removes_only_expired_rows(db) -> None:
    store = DatabaseStore()
    await store.set("expired-1", b"x", expires_in=60)
    await store.set("expired-2", b"x", expires_in=60)
    await store.set("alive", b"x", expires_in=60)
    await store.set("forever", b"x")
    await expire("expired-1")
    await expire("expired-2", seconds_ago=86400)
    assert await store.delete_expired() == 2
    assert sorted(r["key"] for r in await SessionData.select(SessionData.key)) == ["alive", "forever"]
    assert await store.delete_expired() == 0


async def test_purge_job_removes_only_expired_sessions(settings, db) -> None:
    store = DatabaseStore()
    await store.set("expired", b"x", expires_in=60)
    await store.set("alive", b"x", expires_in=60)
    await expire("expired")
    runtime = build_runtime(settings)
    job = Job("core.purge_sessions", "17 * * * *", purge_sessions)
    assert await purge_sessions(JobContext(runtime, job, now())) == "slettet 1 utløpte økter"
    assert [r["key"] for r in await SessionData.select(SessionData.key)] == ["alive"]


async def test_purge_job_leaves_expiry_to_redis_when_redis_is_used(settings, db) -> None:
    store = DatabaseStore()
    await store.set("expired", b"x", expires_in=60)
    await expire("expired")
    runtime = build_runtime(dataclasses.replace(settings, redis_url="redis://127.0.0.1:6379/0"))
    job = Job("core.purge_sessions", "17 * * * *", purge_sessions)
    assert await purge_sessions(JobContext(runtime, job, now())) == "Redis sletter utløpte økter selv"
    assert await SessionData.count() == 1


# --- Two workers --------------------------------------------------------------------------


@pytest.fixture
def two_workers(database_url: str, tmp_path: Path) -> Iterator[str]:
    """``arkivrutiner serve --workers 2`` on a port the kernel picks, against the test database
    (migrated by the session fixture); yields the base URL, then stops the server's process group."""
    executable = Path(sys.executable).with_name("arkivrutiner")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "core.cli"]
    env = {**os.environ, "ARKIV_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    process, base = start_server(
        [*command, "serve", "--workers", "2"], cwd=ROOT, env=env, log_path=tmp_path / "serve.log"
    )
    try:
        yield base
    finally:
        stop_server(process)


async def test_a_session_made_by_one_worker_is_honoured_by_the_other(db, two_workers: str) -> None:
    """The issue's acceptance test: ``serve --workers 2`` shares sessions through the database
    (PostgreSQL in the PostgreSQL run, SQLite in the SQLite run)."""
    person = await make_person(name="Kari Nordmann", unit=await make_unit())

    async with httpx.AsyncClient(base_url=two_workers, timeout=10) as browser:
        form = await browser.get("/dev-logg-inn")
        assert form.status_code == 200
        token = browser.cookies["arkiv_csrf"]
        signed_in = await browser.post(
            "/dev-logg-inn", data={"person_id": str(person), "neste": "/"}, headers={"x-csrftoken": token}
        )
        assert signed_in.status_code == 303, signed_in.text
        session = browser.cookies["arkiv_session"]
        login_pid = signed_in.headers["x-worker-pid"]
    cookies = {"arkiv_session": session, "arkiv_csrf": token}

    async def fresh_request() -> tuple[str, int, str]:
        """A new connection each time, carrying only the session cookie."""
        async with httpx.AsyncClient(base_url=two_workers, cookies=cookies, timeout=10) as client:
            response = await client.get("/", headers={"connection": "close"})
            return response.headers["x-worker-pid"], response.status_code, response.text

    answered: dict[str, int] = {}
    for _round in range(60):  # until both workers have answered (stops as soon as they have)
        for pid, status, text in await asyncio.gather(*(fresh_request() for _ in range(10))):
            assert status == 200, text[:500]
            assert "Kari Nordmann" in text  # signed in, not the sign-in page
            answered[pid] = answered.get(pid, 0) + 1
        if len(answered) >= 2 and any(pid != login_pid for pid in answered):
            break
    assert len(answered) >= 2, f"only one worker answered: {answered}"
    assert any(pid != login_pid for pid in answered), (login_pid, answered)

    async with httpx.AsyncClient(base_url=two_workers, timeout=10) as anonymous:
        assert (await anonymous.get("/")).status_code == 302  # without the cookie, nobody is signed in


async def test_worker_pid_header_is_sent_outside_production_only(settings, db) -> None:
    from litestar.testing import AsyncTestClient

    from core.app import create_app

    for environment, expected in (("test", str(os.getpid())), ("production", None)):
        app = create_app(dataclasses.replace(settings, environment=environment))
        async with AsyncTestClient(app=app) as client:
            response = await client.get("/healthz")
            assert response.status_code == 200
            assert response.headers.get("x-worker-pid") == expected
            assert "content-security-policy" in response.headers


async def test_delete_person_ends_only_that_persons_sessions(store) -> None:
    await store.set("a", b'{"person_id": 7, "language": "nb"}', expires_in=60)
    await store.set("a2", b'{"person_id": 7, "_created": 1, "_seen": 1}', expires_in=60)
    await store.set("b", b'{"person_id": 8}', expires_in=60)
    await store.set("c", b"not json", expires_in=60)
    assert await end_person_sessions(store, 7) == 2
    assert await store.get("a") is None and await store.get("a2") is None
    assert await store.get("b") is not None and await store.get("c") is not None
    assert await end_person_sessions(store, 7) == 0


async def test_the_configured_store_is_redis_when_a_redis_url_is_set(settings, db) -> None:
    """``ARKIV_REDIS_URL`` selects the Redis store, and ending a person's sessions (the
    onboarding job's way, with settings and no app) works there."""
    redis_settings = dataclasses.replace(settings, redis_url=REDIS_URL)
    store = session_store(redis_settings, namespace="arkivrutiner-session-test-" + uuid.uuid4().hex)
    assert isinstance(store, RedisSessionStore)
    try:
        await store.set("x", b'{"person_id": 5}', expires_in=60)
        assert await end_person_sessions(store, 5) == 1
        assert await count(store) == 0
    finally:
        await close_store(store)
    assert isinstance(session_store(settings), DatabaseStore)
    await DatabaseStore().set("y", b'{"person_id": 6}', expires_in=60)
    assert await end_person_sessions_for(settings, 6) == 1
