"""Checks on the correspondence parties every write path must keep."""

from __future__ import annotations

from core.archive.tables import Korrespondansepart


async def parties_without_their_posts_date() -> list[int]:
    """Ids of parties whose ``journaldato`` is not their post's (the search's name condition
    and its date window read the party's copy: :mod:`core.archive.queries.search`)."""
    rows = await Korrespondansepart.raw(
        "SELECT k.id FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
        "WHERE k.journaldato IS NULL OR k.journaldato <> j.journaldato ORDER BY k.id"
    )
    return [int(row["id"]) for row in rows]
