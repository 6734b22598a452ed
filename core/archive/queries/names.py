"""The names of people and units a page of rows shows, read once for the page.

A list's statement names its rows' handler, author and unit by id; this reads their names in
one statement for the whole page (:func:`names_of`). A scalar subquery per row did the same
inside the list's statement, and PostgreSQL reads a small table such as ``core_person`` by a
sequential scan per lookup: five of them in each of 50 rows took half of *Egne restanser*'s
statement (2.1 ms against 1.0 ms at a million posts, docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from core.archive.queries.common import QueryString, in_list, run


@dataclass(frozen=True)
class Names:
    """People's names and units' codes and names by id; ``""`` for an unknown or no id."""

    people: dict[int, str] = field(default_factory=dict)
    units: dict[int, tuple[str, str]] = field(default_factory=dict)

    def person(self, person_id: int | None) -> str:
        return self.people.get(person_id, "") if person_id is not None else ""

    def unit_code(self, unit_id: int | None) -> str:
        return self.units.get(unit_id, ("", ""))[0] if unit_id is not None else ""

    def unit_name(self, unit_id: int | None) -> str:
        return self.units.get(unit_id, ("", ""))[1] if unit_id is not None else ""


def _ids(values: Iterable[int | None]) -> list[int]:
    return sorted({int(value) for value in values if value is not None})


async def names_of(person_ids: Iterable[int | None], unit_ids: Iterable[int | None] = ()) -> Names:
    """The names of ``person_ids`` and the codes and names of ``unit_ids`` (``None`` ignored;
    deactivated ones too): one statement, none when there are no ids."""
    people, units = _ids(person_ids), _ids(unit_ids)
    if not people and not units:
        return Names()
    rows = await run(
        QueryString(
            "SELECT 0 AS kind, p.id, p.name, '' AS code FROM core_person p WHERE {} "
            "UNION ALL SELECT 1 AS kind, u.id, u.name, u.code FROM core_unit u WHERE {}",
            in_list("p.id", people),
            in_list("u.id", units),
        ),
        generic_plan=True,
    )
    return Names(
        people={int(r["id"]): r["name"] or "" for r in rows if int(r["kind"]) == 0},
        units={int(r["id"]): (r["code"] or "", r["name"] or "") for r in rows if int(r["kind"]) == 1},
    )
