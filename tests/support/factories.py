"""Small factories for organisation data, and a sign-in helper for the test client."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from core.tables import DeputyPeriod, Leadership, Person, PersonRole, Unit
from core.timeutil import now

_seq = itertools.count(1)


async def make_unit(code: str | None = None, name: str | None = None, parent: int | None = None) -> int:
    n = next(_seq)
    unit = Unit(code=code or f"U{n}", name=name or f"Enhet {n}", parent=parent, active=True)
    await unit.save()
    return int(unit.id)


async def make_person(
    name: str | None = None,
    unit: int | None = None,
    roles: tuple[str, ...] = (),
    email: str | None = None,
    active: bool = True,
) -> int:
    n = next(_seq)
    person = Person(
        name=name or f"Person {n}",
        initials=f"P{n}",
        email=email or f"p{n}@kommune.example",
        unit=unit,
        active=active,
    )
    await person.save()
    for role in roles:
        await PersonRole(person=person.id, role=role).save()
    return int(person.id)


async def make_leader(unit: int, person: int) -> None:
    await Leadership(unit=unit, person=person).save()


async def make_deputy(unit: int, leader: int, deputy: int, starts: date, ends: date) -> int:
    period = DeputyPeriod(
        unit=unit,
        leader=leader,
        deputy=deputy,
        starts=starts,
        ends=ends,
        reason="Ferie",
        created_by=leader,
        created_at=now(),
    )
    await period.save()
    return int(period.id)


async def login(client: Any, person_id: int) -> None:
    """Sign in through the dev login form (a real POST with the CSRF token)."""
    page = await client.get("/dev-logg-inn")
    assert page.status_code == 200
    response = await client.post(
        "/dev-logg-inn",
        data={"person_id": str(person_id), "neste": "/"},
        headers={"x-csrftoken": client.cookies.get("arkiv_csrf", "")},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"


def csrf(client: Any) -> dict[str, str]:
    """Headers carrying the CSRF token, as htmx sends them."""
    return {"x-csrftoken": client.cookies.get("arkiv_csrf", "")}
