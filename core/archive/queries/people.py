"""People, as the routines need them: names and addresses by id, the handlers of a unit, the
members of a role. Set-based: one statement per call, whatever the number of ids.
"""

from __future__ import annotations

from typing import Any

from core.archive.queries.common import QueryString, as_bool, in_list, run
from core.archive.tables import Saksmappe
from core.memo import memoized


async def people_by_id(person_ids: list[int]) -> dict[int, dict[str, Any]]:
    """``id``, ``name``, ``initials``, ``email``, ``language``, ``active`` and ``unit`` of the
    given people (also deactivated ones)."""
    if not person_ids:
        return {}
    rows = await run(
        QueryString(
            "SELECT p.id, p.name, p.initials, p.email, p.language, p.active, p.unit FROM core_person p "
            "WHERE {}",
            in_list("p.id", sorted(set(person_ids))),
        )
    )
    for row in rows:
        row["active"] = as_bool(row["active"])
    return {int(r["id"]): r for r in rows}


async def person_names(person_ids: list[int]) -> dict[int, str]:
    """The names of the given people."""
    return {pid: row["name"] for pid, row in (await people_by_id(person_ids)).items()}


async def unit_people(unit_id: int) -> list[dict[str, Any]]:
    """Active people of a unit, by name (``id``, ``name``, ``initials``, ``email``): the handlers
    a post of the unit may go to. Read once per request (:mod:`core.memo`; the queue's
    suggestions and its handler list both ask); each caller gets its own copies."""
    rows = await memoized(
        ("unit-people", unit_id),
        lambda: run(
            QueryString(
                "SELECT p.id, p.name, p.initials, p.email FROM core_person p "
                "WHERE p.unit = {} AND p.active ORDER BY p.name, p.id",
                unit_id,
            ),
            generic_plan=True,
        ),
        in_transaction=Saksmappe._meta.db.transaction_exists(),
    )
    return [dict(row) for row in rows]


async def people_with_role(role: str) -> list[dict[str, Any]]:
    """Active people with a global role (``core.roles``), by name: ``id``, ``name``, ``email``,
    ``language``."""
    return await run(
        QueryString(
            "SELECT DISTINCT p.id, p.name, p.email, p.language FROM core_person_role r "
            "JOIN core_person p ON p.id = r.person WHERE r.role = {} AND p.active ORDER BY p.name, p.id",
            role,
        )
    )
