"""A leader's own absence (``core.admin.absence``): only for units the leader leads."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from core.admin import absence
from core.admin.deputies import DeputyForm
from core.errors import Conflict, Forbidden
from core.organisation import acting_authority
from core.tables import DeputyPeriod
from core.timeutil import today
from tests.core.admin.support import audit_rows, org, user
from tests.support.factories import make_deputy, make_leader, make_person, make_unit

pytestmark = pytest.mark.anyio


async def test_leader_registers_and_cancels_own_absence(db) -> None:
    _, unit, leader_id, deputy = await org()
    other_unit = await make_unit()
    other_leader = await make_person()
    await make_leader(other_unit, other_leader)
    leader = await user(leader_id)

    assert [u["id"] for u in await absence.led_units(leader)] == [unit]
    form = DeputyForm(
        unit=str(unit), deputy=str(deputy), starts=today().isoformat(), ends=today().isoformat()
    )
    period = await absence.register_absence(leader, form)
    assert (await acting_authority(deputy, unit)) is not None
    assert json.loads((await audit_rows("org.deputy_registered"))[0]["details"])["registered_by_leader"]

    with pytest.raises(Forbidden):
        await absence.register_absence(leader, DeputyForm(unit=str(other_unit), deputy=str(deputy)))
    foreign = await make_deputy(other_unit, other_leader, deputy, today(), today())
    with pytest.raises(Forbidden):
        await absence.cancel_absence(leader, foreign)
    past = await make_deputy(
        unit, leader_id, deputy, today() - timedelta(days=9), today() - timedelta(days=5)
    )
    with pytest.raises(Conflict):
        await absence.cancel_absence(leader, past)

    assert {r["id"] for r in (await absence.list_own_absences(leader)).items} == {period, past}
    await absence.cancel_absence(leader, period)
    assert not await DeputyPeriod.exists().where(DeputyPeriod.id == period)
    assert (await audit_rows("org.deputy_removed"))[0]["actor"] == leader_id


async def test_deputies_and_handlers_are_not_leaders_for_absence(db) -> None:
    _, unit, leader, deputy = await org()
    await make_deputy(unit, leader, deputy, today(), today())
    acting_deputy = await user(deputy)
    assert acting_deputy.is_leader  # may act as leader today ...
    with pytest.raises(Forbidden):  # ... but registers no absence for the leader
        await absence.led_units(acting_deputy)
    with pytest.raises(Forbidden):
        await absence.register_absence(acting_deputy, DeputyForm(unit=str(unit), deputy=str(leader)))
