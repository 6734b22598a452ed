"""Two people act on the same task at once: exactly one wins, the other is told who did what.

Each call runs in its own asyncio task with its own connection and transaction. On PostgreSQL
(``ARKIV_TEST_DATABASE=postgres``) they really run in parallel (the row lock and the version
decide); on SQLite the IMMEDIATE write lock serialises them. The last test sends the two
requests through the app, as two browsers would.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core import roles
from core.errors import Conflict
from core.tables import AuditEvent
from core.tasks import services
from core.tasks.tables import Task
from tests.core.tasks.org import make_org, task_to
from tests.support.factories import csrf, login

pytestmark = pytest.mark.anyio


def outcomes(results: list[Any]) -> Counter[str]:
    """``ok`` / ``conflict`` per result; any other exception fails the test."""
    counted: Counter[str] = Counter()
    for result in results:
        if isinstance(result, Conflict):
            counted["conflict"] += 1
        elif isinstance(result, BaseException):
            raise result
        else:
            counted["ok"] += 1
    return counted


async def test_leader_and_deputy_complete_at_once_one_wins(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.leader, sender=org.handler)
    leader, deputy = await org.user(org.leader), await org.user(org.deputy)
    results = await asyncio.gather(
        services.complete_task(settings, leader, task_id, version=1, outcome="godkjent"),
        services.complete_task(settings, deputy, task_id, version=1, outcome="ikke_godkjent"),
        return_exceptions=True,
    )
    assert outcomes(results) == {"ok": 1, "conflict": 1}
    row = await Task.select().where(Task.id == task_id).first()
    assert row["state"] == "done" and row["version"] == 2
    winner = next(r for r in results if not isinstance(r, BaseException))
    loser = next(r for r in results if isinstance(r, Conflict))
    assert row["done_by"] == winner.actor_id
    if winner.actor_id == org.leader:
        assert loser.detail == "Lise Leder har allerede behandlet oppgaven (godkjent)."
    else:
        assert loser.detail == (
            "Stian Stedfortreder har allerede behandlet oppgaven på vegne av Lise Leder (ikke godkjent)."
        )
    assert await AuditEvent.count().where(AuditEvent.action == "task.done") == 1


async def test_many_members_take_a_role_task_at_once_one_wins(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, role=roles.ARKIV, sender=org.handler)
    people = [org.archivist, org.archivist2] * 4
    users = [await org.user(p) for p in people]
    results = await asyncio.gather(
        *(services.take_task(settings, user, task_id, version=1) for user in users), return_exceptions=True
    )
    assert outcomes(results) == {"ok": 1, "conflict": len(people) - 1}
    row = await Task.select().where(Task.id == task_id).first()
    assert (row["state"], row["version"]) == ("taken", 2)
    taker = "Anne Arkiv" if row["taken_by"] == org.archivist else "Arne Arkiv"
    assert {r.detail for r in results if isinstance(r, Conflict)} <= {
        f"Oppgaven er allerede tatt av {taker}.",
        "Oppgaven er endret siden du åpnet den. Last siden på nytt.",  # the taker's own second click
    }
    assert await AuditEvent.count().where(AuditEvent.action == "task.taken") == 1


async def test_two_members_complete_a_role_task_at_once_one_wins(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, role=roles.LONN, sender=org.handler)
    lena, lars = await org.user(org.payroll), await org.user(org.payroll2)
    results = await asyncio.gather(
        services.complete_task(settings, lena, task_id, version=1, outcome="ferdig"),
        services.complete_task(settings, lars, task_id, version=1, outcome="ferdig"),
        return_exceptions=True,
    )
    assert outcomes(results) == {"ok": 1, "conflict": 1}
    assert await AuditEvent.count().where(AuditEvent.action == "task.done") == 1


async def test_two_requests_complete_at_once_one_gets_409(settings, db, app) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.leader, sender=org.handler)
    async with (
        AsyncTestClient(app=app, raise_server_exceptions=False) as first,
        AsyncTestClient(app=app, raise_server_exceptions=False) as second,
    ):
        for client, person in ((first, org.leader), (second, org.deputy)):
            client.follow_redirects = False
            await login(client, person)
        responses = await asyncio.gather(
            *(
                client.post(
                    f"/oppgaver/{task_id}/ferdig",
                    data={"version": "1", "kommentar": ""},
                    headers={**csrf(client), "HX-Request": "true"},
                )
                for client in (first, second)
            )
        )
    statuses = sorted(r.status_code for r in responses)
    assert statuses[1] == 409, [r.text for r in responses]
    assert statuses[0] in (200, 303)
    loser = next(r for r in responses if r.status_code == 409)
    assert "har allerede behandlet oppgaven" in loser.text
    assert await AuditEvent.count().where(AuditEvent.action == "task.done") == 1
