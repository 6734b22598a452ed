"""Tables owned by the godkjenning plugin (prefix ``godkjenning_``).

An approval round (*godkjenningsrunde*) takes one journal post through a chain of steps; each
step has one or more approvers, who must all approve before the post moves on (parallel
hearing). The work itself is core's tasks (:mod:`core.tasks`, kinds ``godkjenning.*``); a decision
points at the task it completed. Every transition is also a Noark 5 dokumentflyt row on the
journal post (:func:`core.archive.services.add_dokumentflyt`), which is what an export shows.

- :class:`Round`: the round of one post, its state and the step it is at;
- :class:`Step` and :class:`Approver`: the chain as the handler chose it, with each
  approver's decision;
- :class:`ChainTemplate` and :class:`ChainTemplateStep`: a unit's saved chains (e.g.
  avdelingsleder → kommunalsjef → kommunedirektør) the handler starts from.
"""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from core.archive.tables import Journalpost
from core.tables import Person, Unit


class Round(Table, tablename="godkjenning_round"):
    """One approval round of a journal post.

    ``state``: ``running`` (at ``current_step``), ``returned`` (back with the handler: ikke
    godkjent at the first step), ``approved`` (journalstatus G, waiting for dispatch),
    ``dispatched`` (E), ``withdrawn`` (the handler took it back). Only one round of a post is
    running, returned or approved at a time."""

    id: Serial
    journalpost = ForeignKey(Journalpost, on_delete=OnDelete.restrict, index=True)
    handler = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    state = Varchar(length=12, index=True)
    current_step = Integer(default=1)
    started = Timestamptz()
    ended = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class Step(Table, tablename="godkjenning_step"):
    """One step of a round's chain: ``position`` 1…n, a label (e.g. *Kommunalsjef*)."""

    id: Serial
    round = ForeignKey(Round, on_delete=OnDelete.cascade, index=True)
    position = Integer()
    label = Varchar(length=100, default="")


class Approver(Table, tablename="godkjenning_approver"):
    """An approver of a step and their decision in the step's current pass: ``decision`` ""
    (waiting), ``V`` (videresendt), ``G`` (godkjent), ``I`` (ikke godkjent). ``decided_by`` is
    who acted (a deputy acts ``on_behalf_of`` the approver); ``task`` the core task."""

    id: Serial
    step = ForeignKey(Step, on_delete=OnDelete.cascade, index=True)
    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    decision = Varchar(length=1, default="")
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    on_behalf_of = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    comment = Text(default="")
    task = Integer(null=True, default=None)


class ChainTemplate(Table, tablename="godkjenning_chain_template"):
    """A unit's saved approval chain."""

    id: Serial
    unit = ForeignKey(Unit, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=100)
    created_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    created = Timestamptz()


class ChainTemplateStep(Table, tablename="godkjenning_chain_template_step"):
    """One step of a template: its position, label and approver(s) (one row per approver)."""

    id: Serial
    template = ForeignKey(ChainTemplate, on_delete=OnDelete.cascade, index=True)
    position = Integer()
    label = Varchar(length=100, default="")
    person = ForeignKey(Person, on_delete=OnDelete.restrict)


TABLES: list[type[Table]] = [Round, Step, Approver, ChainTemplate, ChainTemplateStep]
