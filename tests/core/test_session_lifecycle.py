"""Sessions in the app, with the database store and with the Redis store: nothing stored for a
request that needs no session, nothing written for a request that changes nothing (but a
bounded refresh of the activity time), the idle timeout beside the absolute lifetime, and the
sessions of a deactivated person ending at once."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.stores.base import Store
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.roles import ADMIN
from core.sessions import CREATED, SEEN, SESSION_COOKIE, TOUCH_SECONDS
from core.tables import Person
from tests.support.factories import csrf, login, make_person, make_unit
from tests.support.session_stores import STORES, count, edit_session, read_session, store_fixture, use_store

pytestmark = pytest.mark.anyio
HOUR = 3600


@pytest.fixture(params=STORES)
async def store(request: pytest.FixtureRequest, db: None) -> AsyncIterator[Store]:
    async for opened in store_fixture(request.param):
        yield opened


@pytest.fixture
async def web(settings, store: Store) -> AsyncIterator[Any]:
    """A test client of an app whose sessions live in ``store``."""
    app = create_app(settings)
    use_store(app, store)
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as client:
        client.follow_redirects = False
        yield client


async def signed_in(web: Any, **person: Any) -> tuple[int, str]:
    person_id = await make_person(unit=await make_unit(), **person)
    await login(web, person_id)
    return person_id, web.cookies[SESSION_COOKIE]


async def test_requests_without_a_session_store_nothing(web, store) -> None:
    """50 cookieless requests (health checks, static files, the sign-in pages, a page that
    redirects to sign-in) create no session and set no session cookie."""
    paths = ["/healthz", "/readyz", "/static/core/app.css", "/logg-inn", "/dev-logg-inn", "/", "/finnes-ikke"]
    for i in range(50):
        web.cookies.clear()
        response = await web.get(paths[i % len(paths)])
        assert response.status_code < 500, response.text
        assert SESSION_COOKIE not in response.cookies, response.headers
    assert await count(store) == 0


async def test_signing_in_stores_one_session_and_signing_out_removes_it(web, store) -> None:
    _person, key = await signed_in(web)
    assert await count(store) == 1
    stored = await read_session(store, key)
    assert stored is not None and stored[CREATED] == stored[SEEN]
    assert (await web.post("/logg-ut", headers=csrf(web))).status_code == 303
    assert await count(store) == 0
    assert (await web.get("/")).status_code == 302


async def test_a_request_that_changes_nothing_writes_nothing(web, store) -> None:
    _person, key = await signed_in(web)
    before = await store.get(key)
    for _ in range(3):
        response = await web.get("/")
        assert response.status_code == 200
        assert SESSION_COOKIE not in response.cookies  # nothing sent, nothing stored
    assert await store.get(key) == before


async def test_an_unchanged_session_records_activity_at_most_every_few_minutes(web, store) -> None:
    _person, key = await signed_in(web)
    long_ago = int(time.time()) - TOUCH_SECONDS - 1
    await edit_session(store, key, **{SEEN: long_ago, CREATED: long_ago})
    response = await web.get("/")
    assert response.status_code == 200
    assert response.cookies.get(SESSION_COOKIE) == key  # the same session, written again
    stored = await read_session(store, key)
    assert stored is not None
    assert stored[SEEN] >= int(time.time()) - 5 and stored[CREATED] == long_ago
    remaining = await store.expires_in(key)
    assert remaining is not None and 8 * HOUR <= remaining <= 8 * HOUR + TOUCH_SECONDS


async def test_an_idle_session_ends(web, store) -> None:
    _person, key = await signed_in(web)
    now = int(time.time())
    await edit_session(store, key, **{SEEN: now - 8 * HOUR + 60})  # idle 7 h 59 min: still signed in
    assert (await web.get("/")).status_code == 200
    await edit_session(store, key, **{SEEN: now - 8 * HOUR - 1})
    response = await web.get("/")
    assert response.status_code == 302 and response.headers["location"].startswith("/logg-inn")
    assert await store.get(key) is None
    assert await count(store) == 0


async def test_the_idle_timeout_is_configurable(settings, store) -> None:
    import dataclasses

    app = create_app(dataclasses.replace(settings, session_idle_hours=1))
    use_store(app, store)
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as client:
        client.follow_redirects = False
        _person, key = await signed_in(client)
        await edit_session(store, key, **{SEEN: int(time.time()) - HOUR - 1})
        assert (await client.get("/")).status_code == 302


async def test_a_session_ends_after_its_absolute_lifetime_even_when_active(web, store) -> None:
    _person, key = await signed_in(web)
    now = int(time.time())
    await edit_session(store, key, **{CREATED: now - 14 * 24 * HOUR + 60, SEEN: now})
    assert (await web.get("/")).status_code == 200
    await edit_session(store, key, **{CREATED: now - 14 * 24 * HOUR - 1, SEEN: now})
    assert (await web.get("/")).status_code == 302
    assert await store.get(key) is None


async def test_a_stored_session_without_times_is_refused(web, store) -> None:
    person, key = await signed_in(web)
    await store.set(key, b'{"person_id": %d}' % person, expires_in=3600)
    assert (await web.get("/")).status_code == 302
    assert await store.get(key) is None


async def test_deactivating_a_person_ends_their_sessions_at_once(settings, store, web) -> None:
    """The maintainer deactivates the person; the person's session is gone from the store
    before the person's browser makes another request."""
    person, key = await signed_in(web)
    app = create_app(settings)
    use_store(app, store)
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as admin:
        admin.follow_redirects = False
        await login(admin, await make_person(roles=(ADMIN,)))
        admin_key = admin.cookies[SESSION_COOKIE]
        response = await admin.post(f"/admin/personer/{person}/deaktiver", headers=csrf(admin))
        assert response.status_code in (200, 303), response.text
    assert await store.get(key) is None
    assert await store.get(admin_key) is not None
    assert (await web.get("/")).status_code == 302


async def test_a_session_of_a_person_deactivated_elsewhere_is_deleted_on_its_next_request(web, store) -> None:
    person, key = await signed_in(web)
    await Person.update({Person.active: False}).where(Person.id == person)
    response = await web.get("/")
    assert response.status_code == 302
    assert await store.get(key) is None
    assert response.cookies.get(SESSION_COOKIE) in (None, "null", "")
