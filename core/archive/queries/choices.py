"""Values for the case-work forms' select lists: units and people (active ones)."""

from __future__ import annotations

from typing import Any

from piccolo.querystring import QueryString

from core.request_connection import raw_rows
from core.tables import Person, Unit


async def units() -> list[dict[str, Any]]:
    """Active units by code (raw SQL: on every fordeling page, and Piccolo's query builder cost
    twice the statement)."""
    return await raw_rows(
        Unit,
        QueryString("SELECT u.id, u.code, u.name FROM core_unit u WHERE u.active = {} ORDER BY u.code", True),
        generic_plan=True,
    )


async def people_by_unit() -> list[dict[str, Any]]:
    """Active people grouped by unit (for ``<optgroup>``): ``[{code, name, people: [...]}]``."""
    rows = (
        await Person.select(
            Person.id,
            Person.name,
            Person.initials,
            Person.unit,
            Person.unit.code.as_alias("unit_code"),
            Person.unit.name.as_alias("unit_name"),
        )
        .where(Person.active.eq(True))
        .order_by(Person.unit.code, Person.name)
    )
    groups: dict[int | None, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(
            row["unit"],
            {"id": row["unit"], "code": row["unit_code"] or "", "name": row["unit_name"] or "", "people": []},
        )
        group["people"].append(row)
    return list(groups.values())
