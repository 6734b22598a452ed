"""The daily reminder run (job ``core.task_reminders``, ``0 7 * * 1-5``).

A task still waiting (open, or taken and not done) that was created more than
``reminder_days`` working days ago (its kind's, else ``ARKIV_OPPGAVE_PURREDAGER``) mails whoever
it waits for, once a day; after ``escalation_days`` (the kind's, else
``ARKIV_OPPGAVE_ESKALERINGSDAGER``) the acting leader of that person's unit is told too (the
deputy during the leader's registered absence; when that is the person themself, the leader of
the unit above). Role tasks nobody has taken remind every member and escalate to nobody.

Never twice a day: the run claims each task for the day (``reminded_on`` / ``escalated_on``)
before mailing, and the mail keys carry the date. Nothing happens on weekends and public
holidays (:mod:`core.workdays`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from core.contributions import TaskKind
from core.db import writing
from core.i18n import _
from core.organisation import acting_leaders
from core.settings import Settings
from core.tables import Unit
from core.tasks import notices, queries
from core.tasks.tables import ACTIVE, Task
from core.timeutil import OSLO
from core.workdays import is_working_day, working_days_before

Row = dict[str, Any]


@dataclass
class ReminderRun:
    """What one run did."""

    working_day: bool = True
    reminded: int = 0
    """Tasks reminded about today."""
    escalated: int = 0
    """Tasks whose receiver's leader was told today."""
    mails: int = 0

    def __str__(self) -> str:
        if not self.working_day:
            return _("Ingen påminnelser: i dag er ikke en arbeidsdag")
        return _("%(reminded)s oppgaver purret, %(escalated)s meldt til leder (%(mails)s e-poster)") % {
            "reminded": self.reminded,
            "escalated": self.escalated,
            "mails": self.mails,
        }


def limits(settings: Settings, kind: TaskKind | None) -> tuple[int, int]:
    """``(reminder_days, escalation_days)`` of a kind, the settings where it has none."""
    reminder = kind.reminder_days if kind and kind.reminder_days else settings.task_reminder_days
    escalation = kind.escalation_days if kind and kind.escalation_days else settings.task_escalation_days
    return reminder, max(escalation, reminder)


async def _claim(task_id: int, column: Any, day: date) -> bool:
    """Mark the task as reminded (or escalated) today, unless a run already did."""
    updated = (
        await Task.update({column: day})
        .where((Task.id == task_id) & Task.state.is_in(list(ACTIVE)) & (column.is_null() | (column < day)))
        .returning(Task.id)
    )
    return bool(updated)


@dataclass(frozen=True)
class _Leader:
    person: Row
    unit_label: str
    for_leader: str


async def _leaders_above(tasks: list[Row], day: date) -> dict[int, _Leader]:
    """Task id → who to tell about it: the acting leader of the holder's unit who is neither
    the holder nor acting for the holder, going up the units. Set-based: units, acting leaders
    and people in three steps for all tasks."""
    units = {
        int(r["id"]): r for r in await Unit.select(Unit.id, Unit.code, Unit.name, Unit.parent, Unit.active)
    }
    chains: dict[int, list[int]] = {}
    for task in tasks:
        chain, unit = [], task["holder_unit"]
        while unit is not None and int(unit) in units and int(unit) not in chain:
            chain.append(int(unit))
            unit = units[int(unit)]["parent"]
        chains[int(task["id"])] = chain
    acting = await acting_leaders(sorted({u for chain in chains.values() for u in chain}), day)
    people = await queries.people(sorted({p for pair in acting.values() for p in pair if p is not None}))
    found: dict[int, _Leader] = {}
    for task in tasks:
        holder = int(task["holder"])
        for unit in chains[int(task["id"])]:
            person, on_behalf_of = acting.get(unit, (None, None))
            if person is None or holder in (person, on_behalf_of) or person not in people:
                continue
            leader_name = str(people[on_behalf_of]["name"]) if on_behalf_of in people else ""
            label = f"{units[unit]['code']} {units[unit]['name']}"
            found[int(task["id"])] = _Leader(people[person], label, leader_name)
            break
    return found


async def run(settings: Settings, kinds: Mapping[str, TaskKind], day: date) -> ReminderRun:
    """Remind and escalate for ``day`` (see the module's description)."""
    result = ReminderRun()
    if not is_working_day(day):
        result.working_day = False
        return result
    shortest = min([settings.task_reminder_days, *(limits(settings, k)[0] for k in kinds.values())])
    cutoff = datetime.combine(working_days_before(day, shortest), time(), tzinfo=OSLO)
    due_reminder: list[tuple[Row, date]] = []
    due_escalation: list[tuple[Row, date]] = []
    for task in await queries.waiting_since(cutoff):
        created = task["created"].astimezone(OSLO).date()
        reminder_days, escalation_days = limits(settings, kinds.get(task["kind"]))
        if created < working_days_before(day, reminder_days) and task["reminded_on"] != day:
            due_reminder.append((task, created))
        if (
            task["holder"] is not None
            and created < working_days_before(day, escalation_days)
            and task["escalated_on"] != day
        ):
            due_escalation.append((task, created))
    for task, created in due_reminder:
        async with writing(Task):
            if await _claim(int(task["id"]), Task.reminded_on, day):
                result.reminded += 1
                result.mails += await notices.reminder(settings, task, day=day, waiting_since=created)
    leaders = await _leaders_above([task for task, _created in due_escalation], day)
    for task, created in due_escalation:
        leader = leaders.get(int(task["id"]))
        if leader is None:
            continue
        async with writing(Task):
            if await _claim(int(task["id"]), Task.escalated_on, day):
                result.escalated += 1
                result.mails += await notices.escalation(
                    settings,
                    task,
                    leader=leader.person,
                    unit_label=leader.unit_label,
                    for_leader=leader.for_leader,
                    day=day,
                    waiting_since=created,
                )
    return result
