"""Organisation rules every routine shares: who leads a unit, and who may act as its leader.

:func:`acting_authority` is the one answer to "may this person act as leader for unit U now,
and on whose behalf?" Every plugin asks it (through :class:`core.auth.user.User`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.querystring import QueryString

from core.tables import DeputyPeriod, Leadership, Unit
from core.timeutil import today


@dataclass(frozen=True)
class Authority:
    """``person_id`` may act as leader of ``unit_id``; ``on_behalf_of`` is set for a deputy."""

    unit_id: int
    person_id: int
    on_behalf_of: int | None = None

    @property
    def as_deputy(self) -> bool:
        return self.on_behalf_of is not None


async def leader_of(unit_id: int) -> int | None:
    """The person id of the unit's leader, or None."""
    row = await Leadership.select(Leadership.person).where(Leadership.unit == unit_id).first()
    return row["person"] if row else None


async def active_deputies(unit_id: int, on: date | None = None) -> list[int]:
    """People registered as deputy for the unit's current leader on ``on`` (default today)."""
    on = on or today()
    leader = await leader_of(unit_id)
    if leader is None:
        return []
    rows = await DeputyPeriod.select(DeputyPeriod.deputy).where(
        (DeputyPeriod.unit == unit_id)
        & (DeputyPeriod.leader == leader)
        & (DeputyPeriod.starts <= on)
        & (DeputyPeriod.ends >= on)
    )
    return [r["deputy"] for r in rows]


def authority_rows(person_id: int, on: date) -> QueryString:
    """SQL for every unit ``person_id`` may act as leader for on ``on``: rows of ``part`` (2 =
    the person leads the unit, 3 = a deputyship), ``unit``, ``on_behalf_of`` (the leader a
    deputy acts for) and ``k`` (the order within the part). A deputy acts only inside a
    registered period, and only for the unit's current leader. Read by :func:`authorities_of`
    and, inside the one statement that loads a signed-in user, by
    :func:`core.auth.user.load_user`; :func:`authorities_from_rows` turns the rows into
    :class:`Authority` objects."""
    return QueryString(
        "SELECT 2 AS part, l.unit AS unit, NULL AS on_behalf_of, l.unit AS k"
        " FROM core_leadership l WHERE l.person = {}"
        " UNION ALL SELECT 3, d.unit, d.leader, d.id FROM core_deputy_period d"
        " JOIN core_leadership cur ON cur.unit = d.unit AND cur.person = d.leader"
        " WHERE d.deputy = {} AND d.starts <= {} AND d.ends >= {}",
        person_id,
        person_id,
        on,
        on,
    )


def authorities_from_rows(person_id: int, rows: list[dict[str, Any]]) -> list[Authority]:
    """The :class:`Authority` list from :func:`authority_rows`' rows: own units first, then
    deputyships in registration order, each unit once."""
    result: list[Authority] = []
    seen: set[int] = set()
    for row in sorted(rows, key=lambda r: (int(r["part"]), int(r["k"]))):
        unit_id = int(row["unit"])
        if unit_id in seen:
            continue
        seen.add(unit_id)
        behalf = row["on_behalf_of"]
        result.append(Authority(unit_id, person_id, on_behalf_of=int(behalf) if behalf is not None else None))
    return result


async def authorities_of(person_id: int, on: date | None = None) -> list[Authority]:
    """Every unit ``person_id`` may act as leader for on ``on``: own units, then deputyships.
    One statement whatever the number of units (:func:`authority_rows`)."""
    rows: list[dict[str, Any]] = await Leadership.raw("{}", authority_rows(person_id, on or today()))
    return authorities_from_rows(person_id, rows)


async def acting_authority(person_id: int, unit_id: int, on: date | None = None) -> Authority | None:
    """May ``person_id`` act as leader for ``unit_id`` on ``on``? None means no."""
    for authority in await authorities_of(person_id, on):
        if authority.unit_id == unit_id:
            return authority
    return None


async def acting_leaders(unit_ids: list[int], day: date) -> dict[int, tuple[int, int | None]]:
    """Unit → (the person who acts as its leader on ``day``, the leader they act for or None).

    The acting leader is the deputy registered for ``day`` for the unit's current leader (the
    leader is away; with several, the first registered), else the leader. Units without a
    leader are left out. Three statements, whatever the number of units: who a routine mails or
    asks on a given day (reminders, monthly mails, tasks)."""
    if not unit_ids:
        return {}
    leaders = {
        int(r["unit"]): int(r["person"])
        for r in await Leadership.select(Leadership.unit, Leadership.person).where(
            Leadership.unit.is_in(unit_ids)
        )
    }
    deputies = await (
        DeputyPeriod.select(DeputyPeriod.unit, DeputyPeriod.leader, DeputyPeriod.deputy)
        .where(DeputyPeriod.unit.is_in(unit_ids) & (DeputyPeriod.starts <= day) & (DeputyPeriod.ends >= day))
        .order_by(DeputyPeriod.id)
    )
    acting: dict[int, tuple[int, int | None]] = {unit: (leader, None) for unit, leader in leaders.items()}
    for row in deputies:
        unit = int(row["unit"])
        if unit in acting and leaders.get(unit) == row["leader"] and acting[unit][1] is None:
            acting[unit] = (int(row["deputy"]), int(row["leader"]))
    return acting


async def deputies_of(leader_ids: list[int], day: date) -> dict[int, list[int]]:
    """Leader → the people who act for them on ``day`` (registered deputies of a unit the
    leader currently leads, inside the period), in registration order. Two statements."""
    if not leader_ids:
        return {}
    periods = await (
        DeputyPeriod.select(DeputyPeriod.unit, DeputyPeriod.leader, DeputyPeriod.deputy)
        .where(
            DeputyPeriod.leader.is_in(leader_ids) & (DeputyPeriod.starts <= day) & (DeputyPeriod.ends >= day)
        )
        .order_by(DeputyPeriod.id)
    )
    current = {
        (int(r["unit"]), int(r["person"]))
        for r in await Leadership.select(Leadership.unit, Leadership.person).where(
            Leadership.unit.is_in([int(r["unit"]) for r in periods] or [-1])
        )
    }
    deputies: dict[int, list[int]] = {}
    for row in periods:
        leader, deputy = int(row["leader"]), int(row["deputy"])
        if (int(row["unit"]), leader) in current and deputy not in deputies.get(leader, []):
            deputies.setdefault(leader, []).append(deputy)
    return deputies


async def units_by_acting_leader(day: date) -> dict[int, list[tuple[int, str]]]:
    """The acting leader's person id → the active units they answer for on ``day`` (id,
    ``CODE Name``), sorted by code: the leader, or the deputy registered for the leader's
    absence that day. Only units whose leader is active."""
    rows = await (
        Leadership.select(
            Leadership.person,
            Leadership.unit,
            Leadership.unit.code.as_alias("code"),
            Leadership.unit.name.as_alias("name"),
        )
        .where((Leadership.unit._.active.eq(True)) & (Leadership.person._.active.eq(True)))
        .order_by(Leadership.unit.code)
    )
    acting = await acting_leaders([int(r["unit"]) for r in rows], day)
    led: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        unit = int(row["unit"])
        person = acting[unit][0] if unit in acting else int(row["person"])
        led.setdefault(person, []).append((unit, f"{row['code']} {row['name']}"))
    return led


async def unit_label(unit_id: int) -> str:
    row = await Unit.select(Unit.code, Unit.name).where(Unit.id == unit_id).first()
    return f"{row['code']} {row['name']}" if row else str(unit_id)
