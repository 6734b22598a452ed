"""The bulk transfer of a leaver's work: the successors the leader may pick, the preview (for a
page: the first items of each kind and the counts of all, ``summary``), and
the transfer itself through :func:`core.archive.services.transfer_work` (one transaction)."""

from __future__ import annotations

from typing import Any

from core.archive import services as archive
from core.archive.queries.people import people_by_id, unit_people
from core.archive.transfer import TransferCounts, counts_of, preview, require_authority, summary
from core.auth.user import User
from core.organisation import leader_of
from core.settings import Settings

__all__ = ["TransferCounts", "counts_of", "preview", "successors", "summary", "transfer"]


async def successors(user: User, person_id: int) -> list[dict[str, Any]]:
    """Who may take over: the active people of the leaver's unit and its leader (not the
    leaver), by name."""
    await require_authority(user, person_id)
    leaver = (await people_by_id([person_id])).get(person_id)
    unit_id = leaver["unit"] if leaver else None
    if unit_id is None:
        return []
    people = {int(p["id"]): p for p in await unit_people(unit_id)}
    leader = await leader_of(unit_id)
    if leader is not None and leader not in people:
        found = (await people_by_id([leader])).get(leader)
        if found and found["active"]:
            people[leader] = found
    people.pop(person_id, None)
    return sorted(({"id": p["id"], "name": p["name"]} for p in people.values()), key=lambda p: p["name"])


async def transfer(
    settings: Settings, user: User, from_person: int, to_person: int, expected: TransferCounts
) -> TransferCounts:
    return await archive.transfer_work(settings, user, from_person, to_person, expected=expected)
