"""What godkjenning reads: a post's current round with its chain and decisions, the rounds a
handler sent, and the posts a handler may send for approval. Archive records are read through
core's query modules; the plugin's own tables here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.archive.queries import people
from core.archive.queries.common import as_datetime
from plugins.godkjenning.tables import Approver, Round, Step

ACTIVE_STATES = ("running", "returned", "approved")
"""A post has at most one round in these states."""


@dataclass
class StepView:
    id: int
    position: int
    label: str
    approvers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        return all(a["decision"] in ("V", "G") for a in self.approvers)


@dataclass
class RoundView:
    id: int
    journalpost_id: int
    handler_id: int
    handler_name: str
    state: str
    current_step: int
    version: int
    started: Any
    ended: Any
    steps: list[StepView] = field(default_factory=list)

    @property
    def step(self) -> StepView | None:
        return next((s for s in self.steps if s.position == self.current_step), None)

    @property
    def is_last_step(self) -> bool:
        return bool(self.steps) and self.current_step == max(s.position for s in self.steps)

    def step_of(self, person_id: int) -> StepView | None:
        """The latest step where ``person_id`` approves."""
        found = [s for s in self.steps if any(a["person"] == person_id for a in s.approvers)]
        return found[-1] if found else None


async def round_view(round_id: int) -> RoundView | None:
    """A round with its steps and approvers (names, decisions), three statements."""
    head = await Round.select().where(Round.id == round_id).first()
    if head is None:
        return None
    steps = await Step.select().where(Step.round == round_id).order_by(Step.position)
    approvers = await (
        Approver.select().where(Approver.step.is_in([s["id"] for s in steps] or [-1])).order_by(Approver.id)
    )
    ids = {int(head["handler"])} | {int(a["person"]) for a in approvers}
    ids |= {int(a["decided_by"]) for a in approvers if a["decided_by"]}
    names = await people.person_names(sorted(ids))
    view = RoundView(
        id=int(head["id"]),
        journalpost_id=int(head["journalpost"]),
        handler_id=int(head["handler"]),
        handler_name=names.get(int(head["handler"]), ""),
        state=head["state"],
        current_step=int(head["current_step"]),
        version=int(head["version"]),
        started=as_datetime(head["started"]),
        ended=as_datetime(head["ended"]),
    )
    by_step: dict[int, StepView] = {}
    for s in steps:
        by_step[int(s["id"])] = StepView(int(s["id"]), int(s["position"]), s["label"])
        view.steps.append(by_step[int(s["id"])])
    for a in approvers:
        a["name"] = names.get(int(a["person"]), "")
        a["decided_by_name"] = names.get(int(a["decided_by"]), "") if a["decided_by"] else ""
        a["decided_at"] = as_datetime(a["decided_at"])
        by_step[int(a["step"])].approvers.append(a)
    return view


async def active_round_of(journalpost_id: int) -> RoundView | None:
    """The post's running, returned or approved round, if any."""
    row = (
        await Round.select(Round.id)
        .where((Round.journalpost == journalpost_id) & Round.state.is_in(list(ACTIVE_STATES)))
        .order_by(Round.id, ascending=False)
        .first()
    )
    return await round_view(int(row["id"])) if row else None


async def rounds_of_handler(handler_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The handler's rounds, newest first: id, journal post, state, current step."""
    rows: list[dict[str, Any]] = await (
        Round.select(Round.id, Round.journalpost, Round.state, Round.current_step, Round.started, Round.ended)
        .where(Round.handler == handler_id)
        .order_by(Round.id, ascending=False)
        .limit(limit)
    )
    return rows


async def last_round_of(journalpost_id: int) -> RoundView | None:
    """The post's newest round in any state (for a task whose round has ended)."""
    row = (
        await Round.select(Round.id)
        .where(Round.journalpost == journalpost_id)
        .order_by(Round.id, ascending=False)
        .first()
    )
    return await round_view(int(row["id"])) if row else None


async def leaver_counts(person_id: int) -> tuple[int, int]:
    """For a leaver's checklist: (the person's rounds as handler that are not over, the steps
    now waiting for the person's decision as approver)."""
    as_handler = await Round.count().where(
        (Round.handler == person_id) & Round.state.is_in(list(ACTIVE_STATES))
    )
    waiting = await Approver.select(
        Approver.id, Approver.step._.position, Approver.step._.round._.current_step
    ).where(
        (Approver.person == person_id)
        & (Approver.decision == "")
        & (Approver.step._.round._.state == "running")
    )
    as_approver = sum(1 for row in waiting if row["step.position"] == row["step.round.current_step"])
    return as_handler, as_approver
