"""Hendelseslogg: the append-only audit log of every state change.

Call :func:`record` inside the same transaction as the change, so a change without its audit
row cannot exist. There is no update or delete function, and none must be written.
"""

from __future__ import annotations

import json
from typing import Any

from core.tables import AuditEvent
from core.timeutil import now


async def record(
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str | int,
    summary: str = "",
    on_behalf_of: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit event.

    ``actor_id`` is the signed-in person (None for the system, e.g. a job); ``on_behalf_of`` is
    the leader a deputy acted for. ``action`` is ``<area>.<verb>`` (``org.unit_created``).
    """
    await AuditEvent.insert(
        AuditEvent(
            at=now(),
            actor=actor_id,
            on_behalf_of=on_behalf_of,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            summary=summary,
            details=json.dumps(details or {}, ensure_ascii=False, default=str),
        )
    )
