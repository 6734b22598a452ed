"""What onboarding reads from its own tables: the training follow-ups with names. Archive
records and people are read through core's query modules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plugins.onboarding.tables.training import DONE, TrainingFollowUp

_COLUMNS = (
    TrainingFollowUp.id,
    TrainingFollowUp.handler,
    TrainingFollowUp.handler._.name.as_alias("handler_name"),
    TrainingFollowUp.unit._.name.as_alias("unit_name"),
    TrainingFollowUp.registered_by._.name.as_alias("registered_by_name"),
    TrainingFollowUp.agreed_by._.name.as_alias("agreed_by_name"),
    TrainingFollowUp.done_by._.name.as_alias("done_by_name"),
    TrainingFollowUp.signal,
    TrainingFollowUp.observed,
    TrainingFollowUp.registered_at,
    TrainingFollowUp.task,
    TrainingFollowUp.state,
    TrainingFollowUp.agreed_date,
    TrainingFollowUp.done_text,
    TrainingFollowUp.done_at,
    TrainingFollowUp.version,
)


async def follow_ups(unit_ids: Sequence[int] | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Follow-ups (of handlers in ``unit_ids``, or all), open ones first, newest first."""
    query = TrainingFollowUp.select(*_COLUMNS)
    if unit_ids is not None:
        query = query.where(TrainingFollowUp.unit.is_in(list(unit_ids) or [-1]))
    rows: list[dict[str, Any]] = await query.order_by(TrainingFollowUp.id, ascending=False).limit(limit)
    return sorted(rows, key=lambda r: r["state"] == DONE)


async def open_follow_ups(unit_ids: Sequence[int] | None = None) -> int:
    """How many follow-ups (of handlers in ``unit_ids``, or all) are under way: registered or
    agreed, not done (the rows :func:`follow_ups` lists first)."""
    query = TrainingFollowUp.count().where(TrainingFollowUp.state != DONE)
    if unit_ids is not None:
        query = query.where(TrainingFollowUp.unit.is_in(list(unit_ids) or [-1]))
    return int(await query)


async def follow_up(follow_up_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await TrainingFollowUp.select(*_COLUMNS).where(TrainingFollowUp.id == follow_up_id).first()
    )
    return row


async def follow_up_of_task(task_id: int) -> int | None:
    row = await TrainingFollowUp.select(TrainingFollowUp.id).where(TrainingFollowUp.task == task_id).first()
    return int(row["id"]) if row else None
