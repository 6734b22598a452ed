"""Deputy periods (``core.admin.deputies``): the registration rules and hendelseslogg rows."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from core.admin import deputies
from core.admin.deputies import DeputyForm
from core.organisation import acting_authority
from core.tables import DeputyPeriod
from core.timeutil import today
from tests.core.admin.support import audit_rows, expect_errors, org
from tests.support.factories import make_person, make_unit

pytestmark = pytest.mark.anyio


async def test_deputy_registration_rules(db) -> None:
    admin, unit, leader, deputy = await org()
    inactive = await make_person(active=False)
    day = today().isoformat()
    later = (today() + timedelta(days=3)).isoformat()

    def form(**changes: str) -> DeputyForm:
        values = {"unit": str(unit), "deputy": str(deputy), "starts": day, "ends": later, "reason": "Ferie"}
        return DeputyForm(**{**values, **changes})

    errors = await expect_errors(deputies.register_deputy(admin, form(starts=later, ends=day)), "ends")
    assert errors["ends"] == "Til-dato kan ikke være før fra-dato."
    await expect_errors(deputies.register_deputy(admin, form(starts="31.02.2026", ends="")), "starts", "ends")
    await expect_errors(deputies.register_deputy(admin, form(deputy=str(inactive))), "deputy")
    errors = await expect_errors(deputies.register_deputy(admin, form(deputy=str(leader))), "deputy")
    assert "sin egen" in errors["deputy"]
    await expect_errors(deputies.register_deputy(admin, form(leader=str(deputy))), "leader")
    no_leader = await make_unit()
    await expect_errors(deputies.register_deputy(admin, form(unit=str(no_leader))), "unit")
    assert await DeputyPeriod.count() == 0

    period = await deputies.register_deputy(
        admin, form(leader=str(leader), starts=today().strftime("%d.%m.%Y"))
    )
    authority = await acting_authority(deputy, unit)
    assert authority is not None and authority.on_behalf_of == leader
    await expect_errors(deputies.register_deputy(admin, form(starts=later, ends=later)), "starts")

    rows = await audit_rows("org.deputy_registered")
    assert [r["object_id"] for r in rows] == [str(period)]
    assert rows[0]["actor"] == admin.person_id
    assert json.loads(rows[0]["details"])["leader"] == leader

    listed = await deputies.list_deputy_periods(admin, unit=unit)
    assert listed.items[0]["in_force"] and listed.items[0]["status"] == "gjeldende"

    await deputies.delete_deputy_period(admin, period)
    assert await acting_authority(deputy, unit) is None
    removed = await audit_rows("org.deputy_removed")
    assert json.loads(removed[0]["details"])["deputy"] == deputy
