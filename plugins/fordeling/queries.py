"""What fordeling reads, through core's query modules (:mod:`core.archive.queries.distribution`
and :mod:`core.archive.queries.distribution_counts`): the user's own queues and the menu count.
"""

from __future__ import annotations

from core import roles
from core.archive.queries.distribution_counts import QueueSummary, summaries
from core.auth.user import User
from plugins.fordeling.services import uses_fordeling


async def own_summaries(user: User) -> list[QueueSummary]:
    """Count and oldest item of each queue the user works: the central queue first (archive),
    then the units the user leads or deputises for today."""
    if not uses_fordeling(user):
        return []
    return await summaries(user.led_unit_ids, central=user.is_archive)


async def card_summaries(user: User, role: str) -> list[QueueSummary]:
    """The front-page card of one role: ``leder``, the units the user leads or deputises for
    today; ``arkiv``, the central queue and every unit with post waiting (Fellestjenesten/Arkiv
    only; anyone else gets no queues)."""
    if role == roles.ARKIV:
        return await summaries(None, central=True, only_waiting=True) if user.is_archive else []
    return await summaries(user.led_unit_ids) if user.led_unit_ids else []


async def menu_count(user: User) -> int:
    """The menu badge: journal posts waiting in the user's own queues."""
    return sum(s.count for s in await own_summaries(user))
