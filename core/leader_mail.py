"""Mail to the acting leader of each unit: the person a routine reminds "as the unit's leader"
on a day, the deputy during the leader's registered absence (:func:`core.organisation.acting_leaders`).

Each mail goes through the outbox with the caller's idempotency key, in the recipient's own
language (nb/nn), and says so when it goes to a deputy. Units whose acting leader is inactive
or has no e-mail address are reported back, not mailed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core import mail
from core.archive.queries.people import people_by_id
from core.i18n import current_language, set_language
from core.organisation import acting_leaders
from core.settings import Settings

Compose = Callable[[int, dict[str, Any], str], tuple[str, str] | Awaitable[tuple[str, str]]]
"""``(unit_id, person, leader_name) -> (subject, body)``, called in the recipient's language;
``leader_name`` is the leader a deputy acts for ("" for the leader)."""


@dataclass
class LeaderMailResult:
    queued: int = 0
    """Mails put in the outbox now (a key already used adds none)."""
    without_leader: list[str] = field(default_factory=list)
    """Codes of the units whose acting leader has no active account with an e-mail address."""


async def mail_acting_leaders(
    settings: Settings,
    day: date,
    units: Sequence[tuple[int, str]],
    *,
    compose: Compose,
    key: Callable[[int], str],
    source: str,
) -> LeaderMailResult:
    """One mail per unit in ``units`` (``(unit_id, code)``) to its acting leader on ``day``."""
    acting = await acting_leaders([unit_id for unit_id, _code in units], day)
    people = await people_by_id(sorted({pid for pair in acting.values() for pid in pair if pid is not None}))
    result = LeaderMailResult()
    language = current_language()
    try:
        for unit_id, code in units:
            person_id, leader_id = acting.get(unit_id, (None, None))
            person = people.get(person_id) if person_id is not None else None
            if person is None or not person["active"] or not person["email"]:
                result.without_leader.append(code)
                continue
            set_language(person["language"] or settings.default_language)
            leader_name = people[leader_id]["name"] if leader_id is not None and leader_id in people else ""
            composed = compose(unit_id, person, leader_name)
            subject, body = composed if isinstance(composed, tuple) else await composed
            result.queued += await mail.enqueue(
                key=key(unit_id),
                to_address=person["email"],
                to_name=person["name"],
                subject=subject,
                body_text=body,
                source=source,
            )
    finally:
        set_language(language)
    return result
