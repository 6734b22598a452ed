"""Units and leaders (``core.admin.units``): validation, access and hendelseslogg rows."""

from __future__ import annotations

import json

import pytest

from core import roles
from core.admin import units
from core.admin.units import UnitForm
from core.errors import Conflict
from core.tables import Leadership, Person
from tests.core.admin.support import audit_rows, expect_errors, user
from tests.support.factories import make_person, make_unit

pytestmark = pytest.mark.anyio


async def test_unit_create_validates_and_audits(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    await expect_errors(units.create_unit(admin, UnitForm(code="", name="")), "code", "name")
    await expect_errors(units.create_unit(admin, UnitForm(code="X" * 41, name="N")), "code")
    await expect_errors(units.create_unit(admin, UnitForm(code="A", name="N", parent="999")), "parent")

    parent = await units.create_unit(admin, UnitForm(code="RAD-V", name="Rådmannen"))
    child = await units.create_unit(admin, UnitForm(code="SUV", name="Stab", parent=str(parent)))
    errors = await expect_errors(units.create_unit(admin, UnitForm(code="suv", name="Dup")), "code")
    assert "SUV" in errors["code"]

    rows = await audit_rows("org.unit_created")
    assert [r["object_id"] for r in rows] == [str(parent), str(child)]
    assert rows[0]["actor"] == admin.person_id
    assert json.loads(rows[1]["details"])["parent"] == parent


async def test_unit_parent_may_not_be_itself_or_below_itself(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    top = await make_unit(code="TOP")
    middle = await make_unit(code="MID", parent=top)
    bottom = await make_unit(code="BOT", parent=middle)
    errors = await expect_errors(
        units.update_unit(admin, top, UnitForm(code="TOP", name="T", parent=str(top))), "parent"
    )
    assert "seg selv" in errors["parent"]
    errors = await expect_errors(
        units.update_unit(admin, top, UnitForm(code="TOP", name="T", parent=str(bottom))), "parent"
    )
    assert "underenheter" in errors["parent"]
    assert await units.update_unit(admin, bottom, UnitForm(code="BOT", name="B", parent=str(top)))
    changes = json.loads((await audit_rows("org.unit_updated"))[-1]["details"])["changes"]
    assert changes["parent"] == [middle, top]


async def test_unit_update_without_changes_logs_nothing(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    unit = await make_unit(code="SAME", name="Samme")
    assert not await units.update_unit(admin, unit, UnitForm(code="SAME", name="Samme"))
    assert await audit_rows("org.unit_updated") == []


async def test_unit_with_active_people_cannot_be_deactivated(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    unit = await make_unit()
    child = await make_unit(parent=unit)
    person = await make_person(unit=unit)
    with pytest.raises(Conflict):
        await units.set_unit_active(admin, unit, False)
    await Person.update({Person.active: False}).where(Person.id == person)
    with pytest.raises(Conflict):
        await units.set_unit_active(admin, unit, False)
    assert await units.set_unit_active(admin, child, False)
    assert await units.set_unit_active(admin, unit, False)
    assert [r["object_id"] for r in await audit_rows("org.unit_deactivated")] == [str(child), str(unit)]
    # A child cannot be reactivated below a deactivated parent.
    with pytest.raises(Conflict):
        await units.set_unit_active(admin, child, True)


async def test_set_leader_replaces_and_removes(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    unit = await make_unit()
    first, second = await make_person(unit=unit), await make_person(unit=unit)
    inactive = await make_person(unit=unit, active=False)
    await expect_errors(units.set_leader(admin, unit, str(inactive)), "leader")
    await expect_errors(units.set_leader(admin, unit, "abc"), "leader")

    assert await units.set_leader(admin, unit, str(first))
    assert await units.set_leader(admin, unit, str(second))
    assert not await units.set_leader(admin, unit, str(second))
    assert await Leadership.select(Leadership.person).where(Leadership.unit == unit) == [{"person": second}]
    details = [json.loads(r["details"]) for r in await audit_rows("org.leader_set")]
    assert details == [{"before": None, "after": first}, {"before": first, "after": second}]

    assert await units.set_leader(admin, unit, "")
    assert await Leadership.count() == 0
    assert len(await audit_rows("org.leader_removed")) == 1
