"""The approver's three outcomes, on a *Til godkjenning* task:

* **Videresendt** (``V``): this approver is done; when every approver of the step is, the next
  step's approvers get their tasks. At the last step the approver names who gets it next (a
  new step is added).
* **Godkjent** (``G``, the last step only): when every approver of the last step approved, the
  post becomes G (godkjent av leder) and the handler gets *Godkjent – til ekspedering*.
* **Ikke godkjent** (``I``, a comment required): back one step — to the previous step's
  approvers, or the handler at the first step (the post is under work again, R) — or to another
  receiver the approver picks from the chain (an earlier approver, or the handler). The other
  open tasks of the step are withdrawn.

Exactly one winner per task (core's ``complete_task``): a second action on the same task, by the
approver and the deputy at once, is refused with who did what. Every outcome writes a Noark 5
dokumentflyt row (flytFra: who sent it to the approver, flytTil: the approver, mottatt: the
task's time, sendt: now, flytStatus G or I, flytMerknad: the comment) and the hendelseslogg row
says "… på vegne av …" for a deputy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import audit
from core.archive import services as archive
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.i18n import _
from core.settings import Settings
from core.tasks import queries as task_queries
from core.tasks import services as tasks
from core.timeutil import now
from core.validation import parse_id
from plugins.godkjenning.queries import RoundView, active_round_of, round_view
from plugins.godkjenning.services import kinds
from plugins.godkjenning.services.rounds import _bump, _create_step_tasks, post_facts
from plugins.godkjenning.tables import Approver, Round, Step

COMMENT_MAX = 2000
OUTCOMES = ("V", "G", "I")
HANDLER = "saksbehandler"
"""The ``til`` value that sends *Ikke godkjent* to the handler."""


@dataclass(frozen=True)
class Decided:
    """What happened: the outcome, and where the post went (a name, or "")."""

    outcome: str
    to: str
    approved: bool = False


async def _task_and_round(task_id: int) -> tuple[dict[str, Any], RoundView]:
    task = await task_queries.get_task(task_id)
    if task is None or task["kind"] != kinds.TIL_GODKJENNING or task["object_type"] != "journalpost":
        raise NotFound(_("Fant ingen godkjenningsoppgave med dette nummeret."))
    view = await active_round_of(int(task["object_id"]))
    if view is None or view.state != "running":
        raise await _lost(task_id, _("Godkjenningsrunden for denne journalposten er avsluttet."))
    return task, view


_RESET: dict[Any, Any] = {
    Approver.decision: "",
    Approver.decided_at: None,
    Approver.decided_by: None,
    Approver.on_behalf_of: None,
    Approver.comment: "",
}
"""An approver row waiting again (a new pass after *ikke godkjent*)."""


async def _lost(task_id: int, fallback: str) -> Conflict:
    """Someone else acted first: who did what to the task, else ``fallback``."""
    return await tasks.already_handled(task_id) or Conflict(fallback)


async def _locked(round_id: int) -> RoundView:
    """The round as it is now, locked for this transaction: two approvers of one step deciding
    at once are serialised, so exactly one of them sees the step complete and moves it on
    (SQLite's IMMEDIATE transaction already serialises writers)."""
    if Round._meta.db.engine_type == "postgres":
        await Round.raw("SELECT id FROM godkjenning_round WHERE id = {} FOR UPDATE", round_id)
    view = await round_view(round_id)
    if view is None or view.state != "running":
        raise Conflict(_("Godkjenningsrunden for denne journalposten er avsluttet."))
    return view


async def _locked_for(task_id: int, round_id: int, person_id: int) -> tuple[RoundView, dict[str, Any]]:
    """The locked round and the approver's row, or the Conflict that says who was first."""
    try:
        view = await _locked(round_id)
        return view, _approver_row(view, person_id, task_id)
    except Conflict as exc:
        raise await _lost(task_id, str(exc.detail)) from None


def _approver_row(view: RoundView, person_id: int, task_id: int | None = None) -> dict[str, Any]:
    """The approver's row of the current step: by the task (it may have been given to someone
    else when the approver left), else by the person."""
    step = view.step
    rows = step.approvers if step else []
    row = next((a for a in rows if task_id is not None and a["task"] == task_id), None)
    row = row or next((a for a in rows if a["person"] == person_id), None)
    if row is None or row["decision"]:
        raise Conflict(_("Dette steget er allerede behandlet. Last siden på nytt."))
    return row


async def decide(
    settings: Settings,
    user: User,
    task_id: int,
    *,
    version: int,
    outcome: str,
    comment: str = "",
    til: str = "",
) -> Decided:
    """Record the approver's outcome on task ``task_id`` (the task's ``version`` as shown)."""
    task, view = await _task_and_round(task_id)
    receiver = int(task["receiver_person"])
    if user.person_id == view.handler_id:
        # Also as a deputy for the approver: nobody approves their own post.
        raise Forbidden(
            _(
                "Du kan ikke godkjenne din egen journalpost. Det må lederen eller en annen stedfortreder gjøre."
            )
        )
    comment = comment.strip()
    errors: dict[str, str] = {}
    if outcome not in OUTCOMES:
        errors["utfall"] = _("Velg hva du vil gjøre med journalposten.")
    if outcome == "I" and not comment:
        errors["kommentar"] = _("Skriv hva som må rettes før journalposten kan godkjennes.")
    if len(comment) > COMMENT_MAX:
        errors["kommentar"] = _("Kommentaren kan ha høyst %(max)s tegn.") % {"max": COMMENT_MAX}
    if outcome == "G" and not view.is_last_step:
        errors["utfall"] = _("Godkjent brukes på siste steg. Videresend journalposten til neste steg.")
    if outcome == "V" and view.is_last_step and not til:
        errors["til"] = _("Velg hvem journalposten skal videresendes til.")
    if errors:
        raise ValidationFailed(errors)
    post = await post_facts(user, view.journalpost_id)
    async with writing(Round):
        view, row = await _locked_for(task_id, view.id, receiver)
        # The post's status changes while the task is still open: core lets only the holder of
        # an open approval task approve or return a post (and rolls it back if the task is lost).
        step = view.step
        assert step is not None
        others_done = all(a["decision"] in ("V", "G") for a in step.approvers if a["id"] != row["id"])
        if outcome == "G" and others_done:
            await archive.approve_post(settings, user, view.journalpost_id, post.version)
        if outcome == "I" and _returns_to_handler(view, til):
            await archive.reopen_post(settings, user, view.journalpost_id, post.version)
        completed = await tasks.complete_task(
            settings,
            user,
            task_id,
            version=version,
            outcome={"V": "videresendt", "G": "godkjent", "I": "ikke_godkjent"}[outcome],
            comment=comment,
        )
        decided_at = now()
        await Approver.update(
            {
                Approver.person: receiver,
                Approver.decision: outcome,
                Approver.decided_at: decided_at,
                Approver.decided_by: user.person_id,
                Approver.on_behalf_of: completed.on_behalf_of,
                Approver.comment: comment,
            }
        ).where((Approver.id == row["id"]) & (Approver.decision == ""))
        await archive.add_dokumentflyt(
            settings,
            user,
            view.journalpost_id,
            flyt_fra_id=task["sender"],
            flyt_til_id=receiver,
            mottatt=task["created"],
            sendt=decided_at,
            status="I" if outcome == "I" else "G",
            merknad=comment,
            on_behalf_of=completed.on_behalf_of,
        )
        if outcome == "I":
            result = await _return(settings, user, view, post, receiver, comment, til)
        else:
            result = await _forward(
                settings, user, view, post, receiver, outcome, til, comment, int(row["id"])
            )
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=completed.on_behalf_of,
            action={
                "V": "godkjenning.forwarded",
                "G": "godkjenning.approved",
                "I": "godkjenning.not_approved",
            }[outcome],
            object_type="journalpost",
            object_id=view.journalpost_id,
            summary={
                "V": _("%(post)s videresendt for godkjenning"),
                "G": _("%(post)s godkjent"),
                "I": _("%(post)s ikke godkjent"),
            }[outcome]
            % {"post": post.nummer},
            details={"round_id": view.id, "step": view.current_step, "comment": comment, "to": result.to},
        )
    return result


def _returns_to_handler(view: RoundView, til: str) -> bool:
    """*Ikke godkjent* goes to the handler: chosen, or by default from the first step."""
    return til == HANDLER or (not til and view.current_step == 1)


async def _forward(
    settings: Settings,
    user: User,
    view: RoundView,
    post: Any,
    receiver: int,
    outcome: str,
    til: str,
    comment: str,
    row_id: int,
) -> Decided:
    step = view.step
    assert step is not None
    others_done = all(a["decision"] in ("V", "G") for a in step.approvers if a["id"] != row_id)
    if view.is_last_step and outcome == "V":
        # Videresendt at the last step: a new step for the person the approver chose.
        target = parse_id(til)
        if target is None or target == view.handler_id:
            raise ValidationFailed({"til": _("Velg en godkjenner som ikke er saksbehandleren.")})
        new = Step(round=view.id, position=step.position + 1, label="")
        await new.save()
        await Approver(step=new.id, person=target).save()
    if not others_done:
        return Decided(outcome, _("de andre godkjennerne på steget"))
    if outcome == "G":
        await _bump(view.id, view.version, {Round.state: "approved"})
        await tasks.create_task(
            settings,
            kind=kinds.TIL_EKSPEDERING,
            receiver_person_id=view.handler_id,
            sender_id=receiver,
            object_type="journalpost",
            object_id=view.journalpost_id,
            title=post.title,
            message=comment,
        )
        return Decided(outcome, view.handler_name, approved=True)
    await _bump(view.id, view.version, {Round.current_step: step.position + 1})
    await _create_step_tasks(settings, view.id, step.position + 1, post, receiver, comment)
    nxt = await Approver.select(Approver.person.name.as_alias("name")).where(
        Approver.step.is_in(
            Step.select(Step.id).where((Step.round == view.id) & (Step.position == step.position + 1))
        )
    )
    return Decided(outcome, ", ".join(str(r["name"]) for r in nxt))


async def _return(
    settings: Settings, user: User, view: RoundView, post: Any, receiver: int, comment: str, til: str
) -> Decided:
    """*Ikke godkjent*: back to the previous step, the handler, or a chosen earlier approver."""
    step = view.step
    assert step is not None
    await tasks.withdraw_about(
        settings,
        actor_id=user.person_id,
        object_type="journalpost",
        object_id=view.journalpost_id,
        kinds=(kinds.TIL_GODKJENNING,),
        reason=_("Et annet ledd returnerte journalposten (ikke godkjent)."),
    )
    target_step: int | None = step.position - 1 if step.position > 1 else None
    target_person: int | None = None
    if til and til != HANDLER:
        chosen = parse_id(til)
        earlier = [s for s in view.steps if s.position < step.position]
        found = next((s for s in earlier if any(a["person"] == chosen for a in s.approvers)), None)
        if chosen is None or found is None:
            raise ValidationFailed({"til": _("Velg et tidligere ledd i kjeden, eller saksbehandleren.")})
        target_step, target_person = found.position, chosen
    elif til == HANDLER:
        target_step = None
    if target_step is None:
        await Approver.update(_RESET).where(Approver.step.is_in([s.id for s in view.steps]))
        await _bump(view.id, view.version, {Round.state: "returned", Round.current_step: 1})
        await tasks.create_task(
            settings,
            kind=kinds.RETUR,
            receiver_person_id=view.handler_id,
            sender_id=receiver,
            object_type="journalpost",
            object_id=view.journalpost_id,
            title=post.title,
            message=comment,
        )
        return Decided("I", view.handler_name)
    later = [s.id for s in view.steps if s.position > target_step]
    await Approver.update(_RESET).where(Approver.step.is_in(later))
    target = next(s for s in view.steps if s.position == target_step)
    who = [a for a in target.approvers if target_person is None or a["person"] == target_person]
    await Approver.update(_RESET).where(Approver.id.is_in([a["id"] for a in who]))
    await _bump(view.id, view.version, {Round.current_step: target_step})
    await _create_step_tasks(settings, view.id, target_step, post, receiver, comment)
    return Decided("I", ", ".join(a["name"] for a in who))
