"""Bulk transfer of a leaver's work to a successor (*avgang*), in ONE write transaction.

What moves (counted and listed by :mod:`core.archive.queries.leaver` and
:func:`core.tasks.queries.open_tasks_of`): the open cases' saksansvarlig, the open
recipients' saksbehandler, the leaver's own unsent posts' saksbehandler, and the tasks that
wait for the leaver (a personal task gets the successor as receiver; a role task the leaver
took goes back, open, to its role).
Write-offs, history and dispatched posts are untouched. Every object moved is audited
(``archive.work_transferred`` / ``task.reassigned``) with who did it and on whose behalf.

The caller passes the counts it showed (``expected``); when the live counts differ, the
transfer is refused with :class:`~core.errors.Conflict` and nothing moves. Any error midway
rolls back all of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import audit
from core.archive import ledger, sender_handlers
from core.archive.queries import leaver
from core.archive.queries.visibility import Viewer
from core.archive.records import touch_many
from core.archive.tables import Journalpost, Korrespondansepart, Saksmappe
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.i18n import _
from core.organisation import Authority, leader_of
from core.settings import Settings
from core.tables import Person
from core.tasks import queries as task_queries
from core.tasks.tables import OPEN, Task

ACTION = "archive.work_transferred"
TASK_OBJECT = "oppgave"
"""As :data:`core.tasks.services.OBJECT`."""


@dataclass(frozen=True)
class TransferCounts:
    """What a transfer moves: shown in the preview, checked again when it runs."""

    restanser: int = 0
    cases: int = 0
    unsent: int = 0
    tasks: int = 0

    @property
    def total(self) -> int:
        return self.restanser + self.cases + self.unsent + self.tasks


async def _unit_of(person_id: int) -> tuple[int | None, bool]:
    row = await Person.select(Person.unit, Person.active).where(Person.id == person_id).first()
    if row is None:
        raise NotFound(_("Personen finnes ikke."))
    return row["unit"], bool(row["active"])


async def authority_over(user: User, person_id: int) -> Authority | None:
    """``user``'s authority to act for ``person_id``'s avgang: as acting leader of their unit
    (an Authority), or as Fellestjenesten/Arkiv (an Authority with the user's own id). None:
    neither."""
    unit_id, _active = await _unit_of(person_id)
    if unit_id is not None:
        authority = user.authority_for(unit_id)
        if authority is not None:
            return authority
    if user.is_archive:
        return Authority(unit_id=unit_id or 0, person_id=user.person_id)
    return None


async def require_authority(user: User, person_id: int) -> Authority:
    authority = await authority_over(user, person_id)
    if authority is None:
        raise Forbidden(
            _("Bare lederen og Fellestjenesten/Arkiv kan se og flytte arbeidet til en som slutter.")
        )
    return authority


async def successor_allowed(from_person: int, to_person: int) -> bool:
    """The successor is an active person of the leaver's unit, or the unit's leader."""
    if to_person == from_person:
        return False
    unit_id, _active = await _unit_of(from_person)
    to_unit, to_active = await _unit_of(to_person)
    if not to_active or unit_id is None:
        return False
    return to_unit == unit_id or await leader_of(unit_id) == to_person


async def preview(user: User, from_person: int) -> dict[str, list[dict[str, object]]]:
    """Exactly what :func:`transfer_work` would move now: the items, by kind."""
    await require_authority(user, from_person)
    viewer = await Viewer.of(user)
    return {
        "restanser": await leaver.restanser(viewer, from_person),
        "cases": await leaver.cases(viewer, from_person),
        "unsent": await leaver.unsent(viewer, from_person),
        "tasks": [dict(t) for t in await task_queries.open_tasks_of(from_person)],
    }


SHOWN = 50
"""Items of each kind a page lists (:func:`summary`); the counts are of all."""


async def summary(user: User, from_person: int) -> tuple[dict[str, list[dict[str, object]]], TransferCounts]:
    """What :func:`preview` shows, for a page: the first :data:`SHOWN` items of each kind and
    the counts of all (the restanser from the ledger's spans, :func:`leaver.counts`). The
    busiest handler has some ten thousand restanser: listing them all made the checklist a
    2.5 MB page (0.4 s at a million posts)."""
    await require_authority(user, from_person)
    viewer = await Viewer.of(user)
    tasks = [dict(t) for t in await task_queries.open_tasks_of(from_person)]
    found = await leaver.counts(from_person)
    items = {
        "restanser": await leaver.restanser(viewer, from_person, limit=SHOWN),
        "cases": await leaver.cases(viewer, from_person, limit=SHOWN),
        "unsent": await leaver.unsent(viewer, from_person, limit=SHOWN),
        "tasks": tasks[:SHOWN],
    }
    return items, TransferCounts(found.restanser, found.cases, found.unsent, len(tasks))


def counts_of(items: dict[str, list[dict[str, object]]]) -> TransferCounts:
    return TransferCounts(**{key: len(value) for key, value in items.items()})


def _ids_of(rows: list[dict[str, object]]) -> list[int]:
    return [int(str(row["id"])) for row in rows]


async def _still_with(
    table: type[Saksmappe] | type[Korrespondansepart] | type[Journalpost],
    column: str,
    rows: list[dict[str, object]],
    from_person: int,
    to_person: int,
) -> int:
    """Give ``rows`` of ``table`` to ``to_person`` (``column``), each only while it is still
    ``from_person``'s; how many moved."""
    return await touch_many(
        table,
        _ids_of(rows),
        f"{column} = {{}}",
        to_person,
        where=f" AND {column} = {{}}",
        where_values=(from_person,),
    )


async def transfer_work(
    settings: Settings, user: User, from_person: int, to_person: int, *, expected: TransferCounts
) -> TransferCounts:
    """Move everything that lies with ``from_person`` to ``to_person`` (see the module)."""
    del settings  # the signature of every archive service; no mail is sent here
    authority = await require_authority(user, from_person)
    if not await successor_allowed(from_person, to_person):
        raise ValidationFailed({"til": _("Velg en aktiv person i enheten, eller lederen.")})
    on_behalf = authority.on_behalf_of

    def logged(object_type: str, rows: list[dict[str, object]], what: str) -> list[audit.Event]:
        return [
            audit.Event(
                actor_id=user.person_id,
                on_behalf_of=on_behalf,
                action=ACTION,
                object_type=object_type,
                object_id=int(str(row["id"])),
                summary=str(row["tittel"]),
                details={"hva": what, "fra": from_person, "til": to_person},
            )
            for row in rows
        ]

    async with writing(Saksmappe):
        items = await preview(user, from_person)
        found = counts_of(items)
        if found != expected:
            raise Conflict(_("Arbeidet har endret seg siden du så det. Se over listen og prøv igjen."))
        # Set-based, a few hundred rows per statement (records.touch_many, audit.record_many):
        # one statement per row took about a millisecond per object moved.
        # Each row only while it still lies with the leaver: one that moved since the preview
        # was read (another transaction committed in between) refuses the whole transfer.
        moved = await _still_with(Saksmappe, "saksansvarlig", items["cases"], from_person, to_person)
        parts = _ids_of(items["restanser"])
        moved += await _still_with(
            Korrespondansepart, "saksbehandler", items["restanser"], from_person, to_person
        )
        if parts:
            # The sender suggestion's table follows the moved recipients (two set-based statements each).
            await sender_handlers.rebuild_for(from_person, to_person)
        await ledger.refresh_parts(parts)
        moved += await _still_with(Journalpost, "saksbehandler", items["unsent"], from_person, to_person)
        if moved != found.restanser + found.cases + found.unsent:
            raise Conflict(_("Arbeidet har endret seg siden du så det. Se over listen og prøv igjen."))
        await audit.record_many(
            logged("saksmappe", items["cases"], "saksansvarlig")
            + logged("korrespondansepart", items["restanser"], "saksbehandler")
            + logged("journalpost", items["unsent"], "saksbehandler")
        )
        for task in items["tasks"]:
            # A role task the leaver took goes back to its role; a personal one to the successor.
            role_task = task["receiver_role"] is not None and task["receiver_person"] is None
            await Task.update(
                {
                    Task.receiver_person: None if role_task else to_person,
                    Task.receiver_role: task["receiver_role"] if role_task else None,
                    Task.taken_by: None,
                    Task.taken_at: None,
                    Task.state: OPEN,
                    Task.reminded_on: None,
                    Task.escalated_on: None,
                    Task.version: Task.version + 1,
                }
            ).where(Task.id == task["id"])
            await audit.record(
                actor_id=user.person_id,
                on_behalf_of=on_behalf,
                action="task.reassigned",
                object_type=TASK_OBJECT,
                object_id=int(str(task["id"])),
                summary=str(task["title"]),
                details={
                    "kind": task["kind"],
                    "fra": from_person,
                    "til": None if role_task else to_person,
                    "til_rolle": task["receiver_role"] if role_task else None,
                    "avgang": True,
                },
            )
    return found
