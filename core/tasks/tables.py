"""The ``core_task`` table: one row per task, and the states a task goes through.

A task goes to one person (``receiver_person``) or to everyone with a role (``receiver_role``:
``lonn``, ``ikt`` or ``arkiv``), never both. ``open`` → ``taken`` (a role task someone took)
→ ``done``; ``open``/``taken`` → ``withdrawn`` (the sender or the archive service pulled it
back). ``version`` is raised by every change (optimistic locking: one winner).

``title`` is safe for the receiver: for a restricted record the creator passes its public
title. Composite indexes for the lists are made by a migration of their own.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from core.tables import Person

OPEN = "open"
TAKEN = "taken"
DONE = "done"
WITHDRAWN = "withdrawn"
STATES: tuple[str, ...] = (OPEN, TAKEN, DONE, WITHDRAWN)
ACTIVE: tuple[str, ...] = (OPEN, TAKEN)
"""States of a task that still waits for someone."""


class Task(Table, tablename="core_task"):
    """Oppgave: ``kind`` (``<plugin>.<kind>``) about ``object_type``/``object_id``."""

    id: Serial
    kind = Varchar(length=80, index=True)
    receiver_person = ForeignKey(Person, null=True, on_delete=OnDelete.restrict, index=True)
    receiver_role = Varchar(length=20, null=True, default=None)
    sender = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    """None: the system sent it (a job)."""
    object_type = Varchar(length=40)
    object_id = Varchar(length=80)
    title = Varchar(length=300)
    message = Text(default="")
    due = Date(null=True, default=None)
    state = Varchar(length=10, default=OPEN, index=True)
    taken_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    done_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    done_on_behalf_of = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    outcome = Varchar(length=40, default="")
    comment = Text(default="")
    created = Timestamptz()
    taken_at = Timestamptz(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    reminded_on = Date(null=True, default=None)
    escalated_on = Date(null=True, default=None)
    edits_documents = Boolean(default=False)
    """Its receiver may add document versions to the journal post while it waits (an
    approver's task: :attr:`core.contributions.TaskKind.edits_documents` of its kind)."""
    parent: ForeignKey[Task] = ForeignKey("self", null=True, on_delete=OnDelete.restrict, index=True)
    """The task this one follows from (a forwarded approval, the next step of an onboarding)."""


TASK_TABLES: list[type[Table]] = [Task]
