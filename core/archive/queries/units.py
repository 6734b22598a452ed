"""Units (administrative enheter), as the routines need them: by id, with their sub-units, and
the units a person may see a unit report for. The select lists of active units are in
:mod:`core.archive.queries.choices`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.archive.queries.common import QueryString, as_bool, in_list, run
from core.auth.user import User


async def units_by_id(unit_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """``id``, ``code``, ``name`` and ``active`` of the given units (also deactivated ones)."""
    if not unit_ids:
        return {}
    rows = await run(
        QueryString(
            "SELECT u.id, u.code, u.name, u.active FROM core_unit u WHERE {}",
            in_list("u.id", sorted(set(unit_ids))),
        ),
        generic_plan=True,
    )
    for row in rows:
        row["active"] = as_bool(row["active"])
    return {int(r["id"]): r for r in rows}


async def unit_by_id(unit_id: int) -> dict[str, Any] | None:
    return (await units_by_id([unit_id])).get(unit_id)


async def with_sub_units(unit_ids: Sequence[int]) -> tuple[int, ...]:
    """The units and all their descendants (``Unit.parent``), sorted; one recursive CTE."""
    if not unit_ids:
        return ()
    rows = await run(
        QueryString(
            "WITH RECURSIVE tre(id) AS (SELECT u.id FROM core_unit u WHERE {} "
            "UNION SELECT c.id FROM core_unit c JOIN tre ON c.parent = tre.id) "
            "SELECT id FROM tre ORDER BY id",
            in_list("u.id", list(unit_ids)),
        )
    )
    return tuple(int(row["id"]) for row in rows)


async def trees_of(unit_ids: Sequence[int]) -> dict[int, tuple[str, tuple[int, ...]]]:
    """Per unit of ``unit_ids`` that exists: its name, and it with all its descendants, sorted
    (:func:`with_sub_units` of each); one recursive CTE for all of them."""
    if not unit_ids:
        return {}
    rows = await run(
        QueryString(
            "WITH RECURSIVE tre(rot, id) AS (SELECT u.id, u.id FROM core_unit u WHERE {} "
            "UNION SELECT tre.rot, c.id FROM core_unit c JOIN tre ON c.parent = tre.id) "
            "SELECT tre.rot, tre.id, r.name FROM tre JOIN core_unit r ON r.id = tre.rot ORDER BY tre.rot, tre.id",
            in_list("u.id", list(unit_ids)),
        )
    )
    names: dict[int, str] = {}
    found: dict[int, list[int]] = {}
    for row in rows:
        names[int(row["rot"])] = str(row["name"])
        found.setdefault(int(row["rot"]), []).append(int(row["id"]))
    return {root: (names[root], tuple(ids)) for root, ids in found.items()}


async def report_units(user: User) -> list[dict[str, Any]]:
    """The units ``user`` may see a unit report for: every active unit for
    Fellestjenesten/Arkiv, else the units the user leads or deputises for today; with the
    number of direct sub-units (``underenheter``)."""
    condition = QueryString("u.active") if user.is_archive else in_list("u.id", user.led_unit_ids)
    rows = await run(
        QueryString(
            "SELECT u.id, u.code, u.name, (SELECT COUNT(*) FROM core_unit c WHERE c.parent = u.id) AS underenheter "
            "FROM core_unit u WHERE {} ORDER BY u.code",
            condition,
        )
    )
    for row in rows:
        row["id"] = int(row["id"])
        row["underenheter"] = int(row["underenheter"] or 0)
    return rows
