"""Writes of tasks: create, take, complete, withdraw, reassign.

Every function runs in one write transaction (:func:`core.db.writing`) and records a
hendelseslogg row in it (``task.created``, ``task.taken``, ``task.done``, ``task.withdrawn``,
``task.reassigned``; object ``oppgave``). Called inside a transaction that is already open (a
routine that creates or completes a task together with its own change), it joins that
transaction: the task, its audit row and its mail stand or fall with the caller's change.

Changes of an existing task lock the row (PostgreSQL) and check the ``version`` the user saw:
of two people acting at once exactly one wins, and the other gets
:class:`~core.errors.Conflict` saying who did what ("Kari Nordmann har allerede behandlet
oppgaven (godkjent).").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from core import audit, memo, roles
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.i18n import _
from core.settings import Settings
from core.tables import Person
from core.tasks import notices, permissions, queries
from core.tasks.tables import ACTIVE, DONE, OPEN, TAKEN, WITHDRAWN, Task
from core.timeutil import now, today

OBJECT = "oppgave"
"""The hendelseslogg's ``object_type`` of a task."""
ROLES: tuple[str, ...] = (roles.LONN, roles.IKT, roles.ARKIV)
"""The roles a task may be sent to (any member may take it)."""

Row = dict[str, Any]


def outcome_text(outcome: str) -> str:
    """An outcome as people read it: the kind's bokmål word (``ikke_godkjent`` → "ikke
    godkjent"), translated when the kind marked it with ``N_()``."""
    return _(outcome.replace("_", " ")) if outcome else ""


@dataclass(frozen=True)
class Completed:
    """A completed task: who acted, on behalf of whom (a deputy), with which outcome."""

    task_id: int
    kind: str
    object_type: str
    object_id: str
    outcome: str
    actor_id: int
    on_behalf_of: int | None


def _check_new(
    kind: str,
    receiver_person_id: int | None,
    receiver_role: str | None,
    object_type: str,
    object_id: str,
    title: str,
) -> None:
    """The caller's contract (a programming error, not the user's): ValueError."""
    if (receiver_person_id is None) == (receiver_role is None):
        raise ValueError("give exactly one of receiver_person_id and receiver_role")
    if receiver_role is not None and receiver_role not in ROLES:
        raise ValueError(f"receiver_role must be one of {ROLES}, not {receiver_role!r}")
    if "." not in kind or len(kind) > 80:
        raise ValueError(f"kind must be '<plugin>.<kind>' (at most 80 characters), not {kind!r}")
    if not object_type or len(object_type) > 40 or not object_id or len(object_id) > 80:
        raise ValueError("object_type (≤ 40) and object_id (≤ 80) are required")
    if not title.strip():
        raise ValueError("title is required")


TITLE_LENGTH = 300


def shorten(title: str, length: int = TITLE_LENGTH) -> str:
    """A title that fits the column: a longer one is cut and ends with "…"."""
    title = " ".join(title.split())
    return title if len(title) <= length else title[: length - 1].rstrip() + "…"


async def _person_name(person_id: int | None) -> str:
    if person_id is None:
        return ""
    row = await Person.select(Person.name).where(Person.id == person_id).first()
    return str(row["name"]) if row else ""


async def create_task(
    settings: Settings,
    *,
    kind: str,
    receiver_person_id: int | None = None,
    receiver_role: str | None = None,
    sender_id: int | None,
    object_type: str,
    object_id: str | int,
    title: str,
    message: str = "",
    due: date | None = None,
    parent_id: int | None = None,
    edits_documents: bool = False,
) -> int:
    """Send a task to one person or to a role; returns its id.

    ``title`` must be safe for the receiver: for a restricted record pass its public title. A
    title longer than 300 characters is shortened (ending with "…").
    Queues the mail about the new task (key ``task.new:<id>``; see
    :mod:`core.tasks.notices`). ``sender_id`` None means the system (a job).
    ``edits_documents``: pass the kind's :attr:`~core.contributions.TaskKind.edits_documents`
    (core's Noark rule then lets the receiver add versions to the journal post it is about). A receiver who
    does not exist or has left is a :class:`~core.errors.ValidationFailed` on ``mottaker``;
    a broken contract (both or no receiver, an unknown role, no title) is a ValueError.
    """
    object_id = str(object_id)
    _check_new(kind, receiver_person_id, receiver_role, object_type, object_id, title)
    title = shorten(title)
    async with writing(Task):
        if receiver_person_id is not None:
            receiver = await Person.select(Person.active).where(Person.id == receiver_person_id).first()
            if receiver is None or not receiver["active"]:
                raise ValidationFailed(
                    {"mottaker": _("Mottakeren av oppgaven finnes ikke eller er ikke lenger aktiv.")}
                )
        if parent_id is not None and not await Task.exists().where(Task.id == parent_id):
            raise NotFound(_("Fant ikke oppgaven den nye oppgaven følger av."))
        memo.forget()  # the request's memo may hold a person's open tasks (queries.open_tasks_of)
        inserted = await Task.insert(
            Task(
                kind=kind,
                receiver_person=receiver_person_id,
                receiver_role=receiver_role,
                sender=sender_id,
                object_type=object_type,
                object_id=object_id,
                title=title,
                message=message.strip(),
                due=due,
                state=OPEN,
                created=now(),
                version=1,
                parent=parent_id,
                edits_documents=edits_documents,
            )
        ).returning(Task.id)
        task_id = int(inserted[0]["id"])
        await audit.record(
            actor_id=sender_id,
            action="task.created",
            object_type=OBJECT,
            object_id=task_id,
            summary=title,
            details={
                "kind": kind,
                "mottaker": receiver_person_id,
                "rolle": receiver_role,
                "gjelder": f"{object_type}/{object_id}",
                "frist": due,
                "forrige": parent_id,
            },
        )
        task = await queries.get_task(task_id)
        assert task is not None
        await notices.new_task(settings, task, sender_name=str(task["sender_name"] or ""), day=today())
    return task_id


async def _load(task_id: int) -> Row:
    """The task inside the write transaction, locked on PostgreSQL."""
    query = Task.select().where(Task.id == task_id)
    if Task._meta.db.engine_type in ("postgres", "cockroach"):
        query = query.lock_rows("NO KEY UPDATE")
    row: Row | None = await query.first()
    if row is None:
        raise NotFound(_("Fant ikke oppgaven."))
    return row


async def _conflict(task: Row, user: User | None = None) -> Conflict:
    """Someone else was first: say who did what to the task."""
    if task["state"] == DONE:
        by = await _person_name(task["done_by"])
        if task["done_on_behalf_of"]:
            return Conflict(
                _("%(name)s har allerede behandlet oppgaven på vegne av %(leader)s (%(outcome)s).")
                % {
                    "name": by,
                    "leader": await _person_name(task["done_on_behalf_of"]),
                    "outcome": outcome_text(task["outcome"]),
                }
            )
        return Conflict(
            _("%(name)s har allerede behandlet oppgaven (%(outcome)s).")
            % {"name": by, "outcome": outcome_text(task["outcome"])}
        )
    if task["state"] == WITHDRAWN:
        return Conflict(
            _("Oppgaven er trukket tilbake av %(name)s.") % {"name": await _person_name(task["done_by"])}
        )
    if task["state"] == TAKEN and (user is None or task["taken_by"] != user.person_id):
        return Conflict(
            _("Oppgaven er allerede tatt av %(name)s.") % {"name": await _person_name(task["taken_by"])}
        )
    return Conflict(_("Oppgaven er endret siden du åpnet den. Last siden på nytt."))


async def already_handled(task_id: int) -> Conflict | None:
    """When the task no longer waits: the :class:`Conflict` saying who did what to it (for a
    routine that finds out before it calls :func:`complete_task`); None while it waits."""
    task = await queries.get_task(task_id)
    if task is None or task["state"] in ACTIVE:
        return None
    full = await Task.select().where(Task.id == task_id).first()
    return await _conflict(full) if full else None


async def _require_current(task: Row, version: int, user: User) -> None:
    """The task still waits, and is as the user saw it."""
    if task["state"] not in ACTIVE or task["version"] != version:
        raise await _conflict(task, user)


async def _bump(task: Row, values: dict[Any, Any], user: User) -> None:
    """Change the task and raise its version; the version check is in the statement too."""
    memo.forget()  # the request's memo may hold a person's open tasks (queries.open_tasks_of)
    updated = (
        await Task.update({**values, Task.version: task["version"] + 1})
        .where((Task.id == task["id"]) & (Task.version == task["version"]))
        .returning(Task.id)
    )
    if not updated:
        raise await _conflict(await _load(int(task["id"])), user)


async def take_task(settings: Settings, user: User, task_id: int, *, version: int) -> None:
    """A member of the receiving role takes a role task: it is theirs from now on. Of two
    members taking it at once one wins; the other gets :class:`Conflict` naming who took it."""
    del settings
    async with writing(Task):
        task = await _load(task_id)
        if task["receiver_role"] is None:
            raise Forbidden(_("Oppgaven er sendt til én person. Bare oppgaver til en rolle kan tas."))
        await _require_current(task, version, user)
        if not user.has_role(task["receiver_role"]):
            role = str(task["receiver_role"])
            label = roles.ROLE_LABELS.get(role, role)
            raise Forbidden(_("Bare %(role)s kan ta denne oppgaven.") % {"role": _(label)})
        await _bump(task, {Task.state: TAKEN, Task.taken_by: user.person_id, Task.taken_at: now()}, user)
        await audit.record(
            actor_id=user.person_id,
            action="task.taken",
            object_type=OBJECT,
            object_id=task_id,
            summary=task["title"],
            details={"kind": task["kind"], "rolle": task["receiver_role"]},
        )


async def complete_task(
    settings: Settings, user: User, task_id: int, *, version: int, outcome: str, comment: str = ""
) -> Completed:
    """The receiver (a role member, or the receiving leader's deputy inside the registered
    absence, on the leader's behalf) completes the task with ``outcome`` (the kind's own word,
    at most 40 characters, e.g. ``godkjent``). Exactly one of two concurrent calls wins."""
    del settings
    outcome = outcome.strip()
    if not outcome or len(outcome) > 40:
        raise ValueError("outcome is required (at most 40 characters)")
    async with writing(Task):
        task = await _load(task_id)
        await _require_current(task, version, user)
        try:
            on_behalf_of = permissions.may_act(user, task)
        except Forbidden:
            if task["state"] == TAKEN and task["receiver_role"] and user.has_role(task["receiver_role"]):
                raise await _conflict(task, user) from None
            raise
        await _bump(
            task,
            {
                Task.state: DONE,
                Task.done_by: user.person_id,
                Task.done_on_behalf_of: on_behalf_of,
                Task.done_at: now(),
                Task.outcome: outcome,
                Task.comment: comment.strip(),
            },
            user,
        )
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=on_behalf_of,
            action="task.done",
            object_type=OBJECT,
            object_id=task_id,
            summary=task["title"],
            details={
                "kind": task["kind"],
                "utfall": outcome,
                "gjelder": f"{task['object_type']}/{task['object_id']}",
            },
        )
    return Completed(
        task_id=task_id,
        kind=task["kind"],
        object_type=task["object_type"],
        object_id=task["object_id"],
        outcome=outcome,
        actor_id=user.person_id,
        on_behalf_of=on_behalf_of,
    )


async def withdraw_task(settings: Settings, user: User, task_id: int, *, version: int, reason: str) -> None:
    """The sender (or Fellestjenesten/Arkiv) pulls back a task that still waits. ``reason`` is
    required (a :class:`ValidationFailed` on ``begrunnelse``) and kept as the task's comment."""
    del settings
    reason = reason.strip()
    async with writing(Task):
        task = await _load(task_id)
        permissions.require_withdrawer(user, task)
        await _require_current(task, version, user)
        if not reason:
            raise ValidationFailed({"begrunnelse": _("Skriv hvorfor oppgaven trekkes tilbake.")})
        await _bump(
            task,
            {Task.state: WITHDRAWN, Task.done_by: user.person_id, Task.done_at: now(), Task.comment: reason},
            user,
        )
        await audit.record(
            actor_id=user.person_id,
            action="task.withdrawn",
            object_type=OBJECT,
            object_id=task_id,
            summary=task["title"],
            details={"kind": task["kind"], "begrunnelse": reason},
        )


async def reassign_task(
    settings: Settings, user: User, task_id: int, person_id: int, *, version: int
) -> None:
    """Fellestjenesten/Arkiv gives a task that still waits to another (active) person, e.g.
    when the approver has left. The task becomes that person's, open again; they are mailed
    (key ``task.reassigned:<id>:<version>``)."""
    permissions.require_reassigner(user)
    async with writing(Task):
        task = await _load(task_id)
        await _require_current(task, version, user)
        person = await Person.select(Person.active).where(Person.id == person_id).first()
        if person is None or not person["active"]:
            raise ValidationFailed({"person": _("Velg en aktiv person.")})
        previous = permissions.holder(task)
        if previous == person_id:
            raise ValidationFailed({"person": _("Oppgaven ligger allerede hos denne personen.")})
        await _bump(
            task,
            {
                Task.receiver_person: person_id,
                Task.receiver_role: None,
                Task.taken_by: None,
                Task.taken_at: None,
                Task.state: OPEN,
                Task.reminded_on: None,
                Task.escalated_on: None,
            },
            user,
        )
        await audit.record(
            actor_id=user.person_id,
            action="task.reassigned",
            object_type=OBJECT,
            object_id=task_id,
            summary=task["title"],
            details={
                "kind": task["kind"],
                "fra": previous,
                "fra_rolle": task["receiver_role"],
                "til": person_id,
            },
        )
        changed = await queries.get_task(task_id)
        assert changed is not None
        await notices.new_task(
            settings, changed, sender_name=str(changed["sender_name"] or ""), day=today(), reassigned=True
        )


async def withdraw_about(
    settings: Settings,
    *,
    actor_id: int,
    object_type: str,
    object_id: str | int,
    kinds: Sequence[str],
    reason: str,
    on_behalf_of: int | None = None,
) -> int:
    """Withdraw every task of ``kinds`` still waiting about one record, for a routine's own
    service that has already decided the user may (godkjenning: the handler withdraws the round,
    or an approver's *ikke godkjent* ends the other approvers' tasks of the step). Joins the
    caller's transaction; each task audited ``task.withdrawn``. Returns how many."""
    del settings
    count = 0
    async with writing(Task):
        for row in await queries.open_tasks_about(object_type, object_id, kinds):
            task = await _load(int(row["id"]))
            if task["state"] not in ACTIVE:
                continue
            memo.forget()
            updated = (
                await Task.update(
                    {
                        Task.state: WITHDRAWN,
                        Task.done_by: actor_id,
                        Task.done_at: now(),
                        Task.comment: reason.strip(),
                        Task.version: task["version"] + 1,
                    }
                )
                .where((Task.id == task["id"]) & (Task.version == task["version"]))
                .returning(Task.id)
            )
            if not updated:
                continue
            count += 1
            await audit.record(
                actor_id=actor_id,
                on_behalf_of=on_behalf_of,
                action="task.withdrawn",
                object_type=OBJECT,
                object_id=int(task["id"]),
                summary=task["title"],
                details={"kind": task["kind"], "begrunnelse": reason.strip()},
            )
    return count
