"""Who may act as leader (``core.organisation``): own units, and deputies inside a registered
period for the unit's current leader."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.organisation import (
    acting_authority,
    acting_leaders,
    active_deputies,
    authorities_of,
    deputies_of,
    units_by_acting_leader,
)
from core.tables import Leadership
from core.timeutil import today
from tests.support.factories import make_deputy, make_leader, make_person, make_unit

pytestmark = pytest.mark.anyio


async def test_leader_may_act_for_own_unit(db) -> None:
    unit = await make_unit()
    leader = await make_person(unit=unit)
    await make_leader(unit, leader)
    authority = await acting_authority(leader, unit)
    assert authority is not None
    assert authority.on_behalf_of is None
    assert not authority.as_deputy


async def test_deputy_acts_only_inside_the_period(db) -> None:
    unit = await make_unit()
    leader, deputy = await make_person(unit=unit), await make_person(unit=unit)
    await make_leader(unit, leader)
    starts, ends = today() + timedelta(days=2), today() + timedelta(days=5)
    await make_deputy(unit, leader, deputy, starts, ends)

    assert await acting_authority(deputy, unit, on=starts - timedelta(days=1)) is None
    for day in (starts, starts + timedelta(days=1), ends):
        authority = await acting_authority(deputy, unit, on=day)
        assert authority is not None, day
        assert authority.on_behalf_of == leader
    assert await acting_authority(deputy, unit, on=ends + timedelta(days=1)) is None
    assert await active_deputies(unit, on=starts) == [deputy]


async def test_deputy_acts_only_for_the_current_leader(db) -> None:
    unit = await make_unit()
    old_leader, new_leader, deputy = [await make_person(unit=unit) for _ in range(3)]
    await make_leader(unit, old_leader)
    await make_deputy(unit, old_leader, deputy, today(), today() + timedelta(days=3))
    assert await acting_authority(deputy, unit) is not None

    await Leadership.update({Leadership.person: new_leader}).where(Leadership.unit == unit)
    assert await acting_authority(deputy, unit) is None
    assert await active_deputies(unit) == []


async def test_others_may_not_act(db) -> None:
    unit, other_unit = await make_unit(), await make_unit()
    leader, handler, other_leader = [await make_person(unit=unit) for _ in range(3)]
    await make_leader(unit, leader)
    await make_leader(other_unit, other_leader)
    assert await acting_authority(handler, unit) is None
    assert await acting_authority(other_leader, unit) is None
    # A deputy period in another unit gives nothing here.
    await make_deputy(other_unit, other_leader, handler, today(), today())
    assert await acting_authority(handler, unit) is None
    assert [a.unit_id for a in await authorities_of(handler)] == [other_unit]


async def test_authorities_list_own_units_then_deputyships(db) -> None:
    own, covered = await make_unit(), await make_unit()
    person, leader = await make_person(), await make_person()
    await make_leader(own, person)
    await make_leader(covered, leader)
    await make_deputy(covered, leader, person, today(), today())
    authorities = await authorities_of(person)
    assert [(a.unit_id, a.on_behalf_of) for a in authorities] == [(own, None), (covered, leader)]


async def test_acting_leaders_on_a_day(db) -> None:
    """Who a routine mails "as the unit's leader" on a day: the deputy registered for the
    leader's absence that day (the first registered), else the leader; no leader, no entry."""
    a, b, c = await make_unit(), await make_unit(), await make_unit()
    leader_a, leader_b = await make_person(unit=a), await make_person(unit=b)
    first, second = await make_person(unit=a), await make_person(unit=a)
    await make_leader(a, leader_a)
    await make_leader(b, leader_b)
    day = today()
    await make_deputy(a, leader_a, first, day, day + timedelta(days=3))
    await make_deputy(a, leader_a, second, day, day + timedelta(days=3))
    await make_deputy(b, leader_a, second, day, day)  # not b's current leader: no deputyship
    acting = await acting_leaders([a, b, c], day)
    assert acting == {a: (first, leader_a), b: (leader_b, None)}
    assert (await acting_leaders([a], day + timedelta(days=4)))[a] == (leader_a, None)
    assert await acting_leaders([], day) == {}
    led = await units_by_acting_leader(day)
    assert [unit for unit, _label in led[first]] == [a] and [unit for unit, _label in led[leader_b]] == [b]
    assert leader_a not in led


async def test_deputies_of_leaders_on_a_day(db) -> None:
    """Who acts for a leader on a day (tasks mail them too): registered deputies of a unit the
    leader leads now, inside the period, once each."""
    a, b = await make_unit(), await make_unit()
    leader, other_leader = await make_person(unit=a), await make_person(unit=b)
    first, second, stale = await make_person(unit=a), await make_person(unit=a), await make_person(unit=b)
    await make_leader(a, leader)
    await make_leader(b, other_leader)
    day = today()
    await make_deputy(a, leader, first, day, day + timedelta(days=3))
    await make_deputy(a, leader, second, day - timedelta(days=1), day)
    await make_deputy(a, leader, first, day, day)  # registered twice: once in the answer
    await make_deputy(b, leader, stale, day, day)  # leader does not lead b: no deputyship
    assert await deputies_of([leader, other_leader], day) == {leader: [first, second]}
    assert await deputies_of([leader], day + timedelta(days=1)) == {leader: [first]}
    assert await deputies_of([leader], day + timedelta(days=4)) == {}
    assert await deputies_of([], day) == {}
