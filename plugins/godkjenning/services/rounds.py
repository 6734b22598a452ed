"""Approval rounds from the handler's side: send a post for approval, withdraw the round, send
it again after *Ikke godkjent*, and dispatch it once approved.

Every function is one transaction: the archive change (through :mod:`core.archive.services`,
which checks the handler's authority again), the round's rows, the tasks (:mod:`core.tasks`)
and the hendelseslogg commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import audit
from core.archive import services as archive
from core.archive.queries.posts import get_post
from core.archive.queries.visibility import Viewer
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound
from core.i18n import _
from core.settings import Settings
from core.tasks import queries as task_queries
from core.tasks import services as tasks
from core.timeutil import now
from plugins.godkjenning.queries import RoundView, active_round_of, round_view
from plugins.godkjenning.services import kinds
from plugins.godkjenning.services.chains import Chain, check_chain
from plugins.godkjenning.tables import Approver, Round, Step

SENDABLE_TYPES = ("U", "N", "X")
SENDABLE_STATUSES = ("R", "S")


@dataclass(frozen=True)
class PostFacts:
    """What a round needs of its journal post: number, a title safe for every receiver, status."""

    id: int
    nummer: str
    title: str
    journalposttype: str
    journalstatus: str
    version: int
    saksbehandler: int | None


async def post_facts(user: User, journalpost_id: int) -> PostFacts:
    post = await get_post(await Viewer.of(user), journalpost_id)
    safe = post["offentlig_tittel"] if post["skjermet"] else post["vist_tittel"]
    return PostFacts(
        id=int(post["id"]),
        nummer=post["registrerings_id"],
        title=f"{post['registrerings_id']} {safe or _('Skjermet tittel')}",
        journalposttype=post["journalposttype"],
        journalstatus=post["journalstatus"],
        version=int(post["version"]),
        saksbehandler=post["saksbehandler"],
    )


def send_refusal(post: PostFacts) -> str | None:
    if post.journalposttype not in SENDABLE_TYPES:
        return _("Bare utgående brev og notater (U, N og X) sendes til godkjenning.")
    if post.journalstatus not in SENDABLE_STATUSES:
        return _(
            "Journalposten er ikke under arbeid (status %(status)s), og kan ikke sendes til godkjenning."
        ) % {"status": post.journalstatus}
    return None


async def _create_step_tasks(
    settings: Settings, view_round: int, position: int, post: PostFacts, sender_id: int, message: str
) -> None:
    """A *Til godkjenning* task for every approver of the step who has not decided in this pass."""
    step = await Step.select(Step.id).where((Step.round == view_round) & (Step.position == position)).first()
    assert step is not None
    approvers = await Approver.select(Approver.id, Approver.person).where(
        (Approver.step == step["id"]) & (Approver.decision == "")
    )
    for approver in approvers:
        task_id = await tasks.create_task(
            settings,
            kind=kinds.TIL_GODKJENNING,
            edits_documents=True,
            receiver_person_id=int(approver["person"]),
            sender_id=sender_id,
            object_type="journalpost",
            object_id=post.id,
            title=post.title,
            message=message,
        )
        await Approver.update({Approver.task: task_id}).where(Approver.id == approver["id"])


async def send_for_approval(
    settings: Settings, user: User, journalpost_id: int, *, version: int, chain: Chain, message: str = ""
) -> int:
    """Send the post through ``chain``: the post becomes F (ferdigstilt fra saksbehandler) and is
    locked for the handler; the first step's approvers get a *Til godkjenning* task each."""
    post = await post_facts(user, journalpost_id)
    refusal = send_refusal(post)
    if refusal:
        raise Conflict(refusal)
    chain = await check_chain(chain, user.person_id)
    async with writing(Round):
        if await active_round_of(journalpost_id) is not None:
            raise Conflict(_("Journalposten er allerede sendt til godkjenning."))
        await archive.ferdigstill(settings, user, journalpost_id, version)
        started = now()
        round_ = Round(
            journalpost=journalpost_id,
            handler=user.person_id,
            state="running",
            current_step=1,
            started=started,
        )
        await round_.save()
        for position, chain_step in enumerate(chain.steps, start=1):
            step = Step(round=round_.id, position=position, label=chain_step.label)
            await step.save()
            for person_id in chain_step.approver_ids:
                await Approver(step=step.id, person=person_id).save()
        await _create_step_tasks(settings, int(round_.id), 1, post, user.person_id, message.strip())
        await audit.record(
            actor_id=user.person_id,
            action="godkjenning.sent",
            object_type="journalpost",
            object_id=journalpost_id,
            summary=_("%(post)s sendt til godkjenning") % {"post": post.nummer},
            details={"round_id": round_.id, "steps": [list(s.approver_ids) for s in chain.steps]},
        )
    return int(round_.id)


async def complete_own_task(
    settings: Settings, user: User, journalpost_id: int, kind: str, outcome: str
) -> None:
    """Complete the user's waiting task of ``kind`` about the post, if there is one."""
    task = await task_queries.open_task_for(user.person_id, "journalpost", journalpost_id, kind)
    if task is not None:
        await tasks.complete_task(
            settings, user, int(task["id"]), version=int(task["version"]), outcome=outcome
        )


def _require_handler(user: User, view: RoundView) -> None:
    if view.handler_id != user.person_id and not user.is_archive:
        raise Forbidden(_("Bare saksbehandleren som sendte journalposten, kan gjøre dette."))


async def _load(round_id: int) -> RoundView:
    view = await round_view(round_id)
    if view is None:
        raise NotFound(_("Fant ingen godkjenningsrunde med dette nummeret."))
    return view


async def _bump(round_id: int, version: int, values: dict[Any, Any]) -> None:
    """Change the round if it is still at ``version`` (one winner), else :class:`Conflict`."""
    changed = await (
        Round.update({**values, Round.version: version + 1})
        .where((Round.id == round_id) & (Round.version == version))
        .returning(Round.id)
    )
    if not changed:
        raise Conflict(_("Godkjenningsrunden er endret av noen andre i mellomtiden. Last siden på nytt."))


async def withdraw(settings: Settings, user: User, round_id: int, *, version: int, reason: str = "") -> None:
    """The handler takes the post back: the round ends, its open tasks are withdrawn and the post
    is under work again (R)."""
    view = await _load(round_id)
    _require_handler(user, view)
    if view.state not in ("running", "returned"):
        raise Conflict(_("Godkjenningsrunden er avsluttet og kan ikke trekkes tilbake."))
    post = await post_facts(user, view.journalpost_id)
    async with writing(Round):
        await _bump(round_id, version, {Round.state: "withdrawn", Round.ended: now()})
        await tasks.withdraw_about(
            settings,
            actor_id=user.person_id,
            object_type="journalpost",
            object_id=view.journalpost_id,
            kinds=kinds.ALL,
            reason=reason or _("Saksbehandleren trakk journalposten tilbake fra godkjenning."),
        )
        if post.journalstatus == "F":
            await archive.reopen_post(settings, user, view.journalpost_id, post.version)
        await audit.record(
            actor_id=user.person_id,
            action="godkjenning.withdrawn",
            object_type="journalpost",
            object_id=view.journalpost_id,
            summary=_("%(post)s trukket tilbake fra godkjenning") % {"post": post.nummer},
            details={"round_id": round_id, "reason": reason},
        )


async def send_again(
    settings: Settings, user: User, round_id: int, *, version: int, message: str = ""
) -> None:
    """After *Ikke godkjent* to the handler: the corrected post goes through the same chain
    again, from the first step."""
    view = await _load(round_id)
    _require_handler(user, view)
    if view.state != "returned":
        raise Conflict(_("Journalposten er ikke returnert til deg, og kan ikke sendes på nytt."))
    post = await post_facts(user, view.journalpost_id)
    async with writing(Round):
        await _bump(round_id, version, {Round.state: "running", Round.current_step: 1})
        for step in view.steps:
            await Approver.update(
                {
                    Approver.decision: "",
                    Approver.decided_at: None,
                    Approver.decided_by: None,
                    Approver.task: None,
                }
            ).where(Approver.step == step.id)
        await complete_own_task(settings, user, view.journalpost_id, kinds.RETUR, "sendt_paa_nytt")
        await archive.ferdigstill(settings, user, view.journalpost_id, post.version)
        await _create_step_tasks(settings, round_id, 1, post, user.person_id, message.strip())
        await audit.record(
            actor_id=user.person_id,
            action="godkjenning.sent_again",
            object_type="journalpost",
            object_id=view.journalpost_id,
            summary=_("%(post)s sendt til godkjenning på nytt") % {"post": post.nummer},
            details={"round_id": round_id},
        )


async def dispatch(settings: Settings, user: User, round_id: int, *, version: int) -> None:
    """The approved post is dispatched (E) by the handler; the *Godkjent – til ekspedering* task
    is done."""
    view = await _load(round_id)
    _require_handler(user, view)
    if view.state != "approved":
        raise Conflict(_("Journalposten er ikke godkjent ennå, og kan ikke ekspederes."))
    post = await post_facts(user, view.journalpost_id)
    async with writing(Round):
        await _bump(round_id, version, {Round.state: "dispatched", Round.ended: now()})
        await archive.ekspeder(settings, user, view.journalpost_id, post.version)
        await complete_own_task(settings, user, view.journalpost_id, kinds.TIL_EKSPEDERING, "ekspedert")
        await audit.record(
            actor_id=user.person_id,
            action="godkjenning.dispatched",
            object_type="journalpost",
            object_id=view.journalpost_id,
            summary=_("%(post)s ekspedert etter godkjenning") % {"post": post.nummer},
            details={"round_id": round_id},
        )
