"""The two session stores the app can use, for tests parametrised over both: the database
store and Redis (``ARKIV_TEST_REDIS_URL``, default the local Redis), each Redis test in a
namespace of its own that is emptied afterwards."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.stores.base import Store

from core.redis_sessions import RedisSessionStore
from core.sessions import DatabaseStore
from core.tables import SessionData

REDIS_URL = os.environ.get("ARKIV_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
STORES = ("database", "redis")


async def open_store(kind: str) -> Store:
    if kind == "database":
        return DatabaseStore()
    store = RedisSessionStore.with_client(url=REDIS_URL, namespace=f"arkiv-test-{uuid.uuid4().hex}")
    try:
        await store._redis.ping()
    except Exception as exc:  # Redis runs on every development machine and in CI
        pytest.fail(f"Redis svarer ikke på {REDIS_URL} (ARKIV_TEST_REDIS_URL): {exc!r}")
    return store


async def close_store(store: Store) -> None:
    if isinstance(store, RedisSessionStore):
        await store.delete_all()
        await store._redis.aclose()


async def store_fixture(kind: str) -> AsyncIterator[Store]:
    store = await open_store(kind)
    try:
        yield store
    finally:
        await close_store(store)


async def count(store: Store) -> int:
    """How many sessions the store holds."""
    if isinstance(store, RedisSessionStore):
        return len([key async for key in store._redis.scan_iter(match=f"{store.namespace}:*")])
    return int(await SessionData.count())


async def expire(store: Store, key: str, seconds_ago: int = 5) -> None:
    """Let a stored value expire now (instead of sleeping): the expiry moves into the past in
    the database; Redis drops a key whose expiry is in the past."""
    if isinstance(store, RedisSessionStore):
        await store._redis.expire(store._make_key(key), -seconds_ago)
        return
    await SessionData.update({SessionData.expires_at: int(time.time()) - seconds_ago}).where(
        SessionData.key == key
    )


async def read_session(store: Store, key: str) -> dict[str, Any] | None:
    raw = await store.get(key)
    return None if raw is None else dict(json.loads(raw))


async def edit_session(store: Store, key: str, **changes: Any) -> None:
    """Change values in a stored session (e.g. its times: a controllable clock without sleeps)."""
    data = await read_session(store, key)
    assert data is not None, "no such session"
    data.update(changes)
    await store.set(key, json.dumps(data).encode(), expires_in=await store.expires_in(key) or 3600)


def use_store(app: Any, store: Store) -> None:
    """Let ``app`` keep its sessions where ``store`` does. The test client runs the app in an
    event loop of its own, and a Redis client belongs to one loop, so a Redis store is given to
    the app as a twin: its own client on the same namespace, closed when the app shuts down."""
    if isinstance(store, RedisSessionStore):
        twin = RedisSessionStore.with_client(url=REDIS_URL, namespace=store.namespace)
        app.on_shutdown.append(twin._redis.aclose)
        store = twin
    app.stores.register("sessions", store, allow_override=True)
