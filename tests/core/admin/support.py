"""Shortcuts for the admin service tests: the acting user, audit rows, expected field errors and a
small organisation (a unit with its leader and a would-be deputy)."""

from __future__ import annotations

import pytest

from core import roles
from core.auth.user import User, load_user
from core.errors import ValidationFailed
from core.tables import AuditEvent
from tests.support.factories import make_leader, make_person, make_unit


async def user(person_id: int) -> User:
    loaded = await load_user(person_id)
    assert loaded is not None
    return loaded


async def audit_rows(action: str) -> list[dict]:
    return await AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)


async def expect_errors(awaitable, *fields: str) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as info:
        await awaitable
    assert set(fields) <= set(info.value.errors), info.value.errors
    return info.value.errors


async def org() -> tuple[User, int, int, int]:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    unit = await make_unit(code="LMA", name="Landbruk")
    leader, deputy = (
        await make_person(unit=unit, name="Leder"),
        await make_person(unit=unit, name="Stedfortreder"),
    )
    await make_leader(unit, leader)
    return admin, unit, leader, deputy
