"""The authorisation matrix: every route of the app (read from the router, so a new route is
covered the day it is added) requested as every kind of person of the demo organisation, with
real ids of the right kind, against the statuses kept in ``tests/authorization_matrix.csv``.

* A route missing from the table, or a row of a route that no longer exists, fails
  :func:`test_every_route_is_in_the_matrix`.
* A status other than the table's fails :func:`test_every_persona_gets_the_status_of_the_matrix`
  with the list of differences. After a deliberate change, ``ARKIV_UPDATE_MATRIX=1`` rewrites
  the table from what the app answers; review the diff of the CSV before you commit it: a 200
  for someone outside the unit or without the role needs a reason (see the README of the
  table, the comment lines at its top).
* Unsafe requests carry a valid CSRF token and an empty form. A refusal (any status from 400
  on) changes nothing: no row added or removed in any table, no hendelseslogg event, no task
  changed. No request answers 500.

The organisation is built once (``tests/support/route_matrix.py``: ``demo-data`` plus a few
rows); GET routes are requested first, then the unsafe ones, personas in the order of the
table's columns, so what an unsafe request changes is the same on every run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest

from core.app import create_app
from core.settings import Settings
from tests.support.factories import csrf
from tests.support.route_matrix import (
    PERSONAS,
    SESSION_CHANGING,
    UNSAFE,
    Key,
    World,
    app_routes,
    build_world,
    fingerprint,
    fingerprint_sql,
    read_matrix,
    sign_in_again,
    signed_in,
    write_matrix,
)

pytestmark = pytest.mark.anyio

HOW_TO_ADD = (
    "Add a row per route to tests/authorization_matrix.csv (method, path as the router writes it without "
    "the :type, then the status for each persona), or run this test with ARKIV_UPDATE_MATRIX=1 and review "
    "the rows it writes; a path parameter needs a real id in tests/support/route_matrix.py (PARAM_IDS or "
    "ROUTE_IDS)."
)


@pytest.fixture(scope="module")
def world(base_settings: Settings) -> World:
    return build_world(base_settings)


@pytest.fixture(scope="module")
def matrix_app(base_settings: Settings, world: World) -> Any:
    return create_app(base_settings)


async def request(client: Any, method: str, url: str, *, token: bool = True) -> Any:
    if method in UNSAFE:
        return await client.request(method, url, data={}, headers=csrf(client) if token else {})
    return await client.request(method, url)


@pytest.fixture
async def clients(matrix_app: Any, world: World) -> AsyncIterator[dict[str, Any]]:
    async with AsyncExitStack() as stack:
        yield await signed_in(stack, matrix_app, world)


def test_every_route_is_in_the_matrix(base_settings: Settings) -> None:
    routes = set(app_routes(create_app(base_settings)))
    _, table = read_matrix()
    missing = sorted(routes - set(table))
    stale = sorted(set(table) - routes)
    assert not missing, f"Routes without a row in the authorisation matrix: {missing}. {HOW_TO_ADD}"
    assert not stale, (
        f"Rows of the authorisation matrix for routes that no longer exist: {stale}. Remove them."
    )


async def test_every_persona_gets_the_status_of_the_matrix(
    base_settings: Settings, matrix_app: Any, world: World, clients: dict[str, Any]
) -> None:
    sql = fingerprint_sql(base_settings)
    routes = app_routes(matrix_app)
    ordered = [r for r in routes if r[0] not in UNSAFE] + [r for r in routes if r[0] in UNSAFE]
    actual: dict[Key, dict[str, int]] = {}
    problems: list[str] = []
    last = None
    for method, template in ordered:
        actual[(method, template)] = {}
        for persona in PERSONAS:
            url = world.url(template, persona)
            client = clients[persona]
            if method in UNSAFE and last is None:
                last = await fingerprint(sql)
            response = await request(client, method, url)
            status = response.status_code
            actual[(method, template)][persona] = status
            if status >= 500:
                problems.append(f"{method} {url} as {persona}: {status} {response.text[:300]}")
            if status in (302, 303) and persona == "anonym":
                location = response.headers.get("location", "")
                if "logg-inn" not in location:
                    problems.append(f"{method} {url} signed out: redirect to {location}, not to sign-in")
            if last is not None:
                now_ = await fingerprint(sql)
                changed = {k: (last[k], now_[k]) for k in last if last[k] != now_[k]}
                if changed and status >= 400:
                    problems.append(f"{method} {url} as {persona} answered {status} but changed {changed}")
                last = now_
            if template in SESSION_CHANGING and world.people[persona] is not None:
                await sign_in_again(client, world, persona)
                if last is not None:
                    last = await fingerprint(sql)  # signing in writes to the hendelseslogg
    comments, table = read_matrix()
    if os.environ.get("ARKIV_UPDATE_MATRIX") == "1":
        write_matrix(comments, actual)
    differences = [
        f"{method} {path} as {persona}: table {table[(method, path)][persona]}, app {status}"
        for (method, path), statuses in actual.items()
        if (method, path) in table
        for persona, status in statuses.items()
        if table[(method, path)][persona] != status
    ]
    assert not problems, "\n".join(problems)
    assert not differences, (
        f"{len(differences)} statuses differ from tests/authorization_matrix.csv:\n"
        + "\n".join(differences)
        + "\nIf the change is intended, run with ARKIV_UPDATE_MATRIX=1 and review the diff."
    )
