"""CSRF over every unsafe route the router knows (POST, PUT, PATCH, DELETE): without the token
the request answers 403 and changes nothing; with a valid token the same request, made by a
person the authorisation matrix lets through, is not refused by CSRF.

The routes and the person for each come from ``tests/support/route_matrix.py`` and
``tests/authorization_matrix.csv``, so a new route is covered the day it is added.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest

from core.app import create_app
from core.settings import Settings
from tests.support.factories import csrf
from tests.support.route_matrix import (
    PERSONAS,
    SESSION_CHANGING,
    UNSAFE,
    World,
    app_routes,
    build_world,
    fingerprint,
    fingerprint_sql,
    read_matrix,
    sign_in_again,
    signed_in,
)

pytestmark = pytest.mark.anyio

REFUSED = (302, 303, 401, 403)


@pytest.fixture(scope="module")
def world(base_settings: Settings) -> World:
    return build_world(base_settings)


def authorised(statuses: dict[str, int]) -> str:
    """The first persona the matrix does not refuse (a signed-in one if all are refused)."""
    return next((p for p in PERSONAS if statuses[p] not in REFUSED), "saksbehandler")


async def test_every_unsafe_route_needs_the_csrf_token(base_settings: Settings, world: World) -> None:
    app = create_app(base_settings)
    _, table = read_matrix()
    unsafe = [r for r in app_routes(app) if r[0] in UNSAFE]
    assert len(unsafe) > 40, unsafe  # the routes are really enumerated
    sql = fingerprint_sql(base_settings)
    problems: list[str] = []
    async with AsyncExitStack() as stack:
        clients = await signed_in(stack, app, world)
        for method, template in unsafe:
            persona = authorised(table[(method, template)])
            client = clients[persona]
            url = world.url(template, persona)
            before = await fingerprint(sql)
            for headers in ({}, {"x-csrftoken": "feil-token"}):
                response = await client.request(method, url, data={}, headers=headers)
                if response.status_code != 403:
                    problems.append(f"{method} {url} as {persona}, token {headers}: {response.status_code}")
            after = await fingerprint(sql)
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            if changed:
                problems.append(f"{method} {url} as {persona} without a valid token changed {changed}")
            response = await client.request(method, url, data={}, headers=csrf(client))
            expected = table[(method, template)][persona]
            if (response.status_code == 403 and expected != 403) or response.status_code >= 500:
                problems.append(f"{method} {url} as {persona} with the token: {response.status_code}")
            if template in SESSION_CHANGING:
                await sign_in_again(client, world, persona)
    assert not problems, "\n".join(problems)
