"""What godkjenning's pages show: the handler's overview, the send form, the approver's task
page, a round's status and the unit's chain templates."""

from __future__ import annotations

from typing import Any

from core.archive.queries import choices, people
from core.archive.queries.documents import attach_documents
from core.archive.queries.flow import dokumentflyt_of
from core.archive.queries.history import remarks
from core.archive.queries.posts import get_post, own_posts_in_work
from core.archive.queries.visibility import Viewer
from core.auth.user import User
from core.contributions import MenuLink
from core.errors import Forbidden, NotFound
from core.i18n import _
from core.tasks import queries as task_queries
from core.web.pages import AnyRequest, current_user
from plugins.godkjenning import forms, queries
from plugins.godkjenning.services import chains, kinds
from plugins.godkjenning.services.rounds import SENDABLE_STATUSES, SENDABLE_TYPES

STATE_LABELS = {
    "running": "Til godkjenning",
    "returned": "Ikke godkjent – hos saksbehandler",
    "approved": "Godkjent – til ekspedering",
    "dispatched": "Ekspedert",
    "withdrawn": "Trukket tilbake",
}
DECISION_LABELS = {"": "Venter", "V": "Videresendt", "G": "Godkjent", "I": "Ikke godkjent"}


def state_label(state: str) -> str:
    return _(STATE_LABELS.get(state, state))


def decision_label(decision: str) -> str:
    return _(DECISION_LABELS.get(decision, decision))


def menu_link() -> MenuLink:
    return MenuLink(_("Godkjenning"), "/godkjenning", order=30)


async def index_context(request: AnyRequest) -> dict[str, Any]:
    """The handler's rounds (where each post is now) and the posts ready to be sent."""
    user = current_user(request)
    viewer = await Viewer.of(user)
    rounds = await queries.rounds_of_handler(user.person_id)
    posts = await own_posts_in_work(viewer, user.person_id, types=SENDABLE_TYPES, statuses=SENDABLE_STATUSES)
    in_round = {int(r["journalpost"]) for r in rounds if r["state"] in queries.ACTIVE_STATES}
    titles = {p["id"]: p for p in posts}
    for row in rounds:
        row["state_label"] = state_label(row["state"])
        post = titles.get(int(row["journalpost"]))
        row["post"] = post
    if any(r["post"] is None for r in rounds):
        for row in rounds:
            if row["post"] is None:
                try:
                    row["post"] = await get_post(viewer, int(row["journalpost"]))
                except NotFound:
                    row["post"] = None
    return {
        "rounds": rounds,
        "ready": [p for p in posts if p["id"] not in in_round],
        "state_label": state_label,
    }


async def send_context(
    request: AnyRequest,
    journalpost_id: int,
    *,
    chain: chains.Chain | None = None,
    message: str = "",
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    user = current_user(request)
    post = await get_post(await Viewer.of(user), journalpost_id)
    templates = await chains.templates_for([user.unit_id] if user.unit_id else [])
    default = await chains.default_chain(user)
    chosen = chain if chain is not None else default
    return {
        "post": post,
        "templates": templates,
        "steps": forms.chain_fields(chosen),
        "people": await choices.people_by_unit(),
        "message": message,
        "errors": errors or {},
        "no_default": not default.steps,
        "handler_id": user.person_id,
    }


async def _task(task_id: int) -> dict[str, Any]:
    task = await task_queries.get_task(task_id)
    if task is None or not str(task["kind"]).startswith(kinds.PREFIX):
        raise NotFound(_("Fant ingen godkjenningsoppgave med dette nummeret."))
    return task


def _may_see_round(user: User, view: queries.RoundView) -> bool:
    involved = {view.handler_id} | {a["person"] for s in view.steps for a in s.approvers}
    return (
        user.person_id in involved
        or user.is_archive
        or any(a.on_behalf_of in involved for a in user.authorities if a.on_behalf_of)
    )


async def round_context(user: User, view: queries.RoundView) -> dict[str, Any]:
    if not _may_see_round(user, view):
        raise Forbidden(_("Du er ikke med i denne godkjenningsrunden."))
    viewer = await Viewer.of(user)
    post = await get_post(viewer, view.journalpost_id)
    return {
        "round": view,
        "post": post,
        "flow": await dokumentflyt_of(viewer, view.journalpost_id),
        "state_label": state_label,
        "decision_label": decision_label,
        "may_withdraw": view.handler_id == user.person_id and view.state in ("running", "returned"),
    }


async def task_context(
    request: AnyRequest,
    task_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The task page: for an approver the post, its remarks and documents (with versions and an
    upload of a changed version), the chain with who did what, and the decision form; for the
    handler a returned post (correct and send again) or an approved one (dispatch)."""
    user = current_user(request)
    task = await _task(task_id)
    view = await queries.active_round_of(int(task["object_id"]))
    if view is None:
        last = await queries.last_round_of(int(task["object_id"]))
        if last is None:
            raise NotFound(_("Fant ingen godkjenningsrunde for denne oppgaven."))
        view = last
    context = await round_context(user, view)
    viewer = await Viewer.of(user)
    post = context["post"]
    await attach_documents(viewer, [post])
    open_task = task["state"] in ("open", "taken")
    chain_people = [
        {"id": a["person"], "name": a["name"], "step": s.position}
        for s in view.steps
        if s.position < view.current_step
        for a in s.approvers
    ]
    context.update(
        {
            "task": task,
            "open_task": open_task,
            "remarks": await remarks(post["synlig"], journalpost_id=post["id"]),
            "is_approver_task": task["kind"] == kinds.TIL_GODKJENNING,
            "is_return_task": task["kind"] == kinds.RETUR,
            "is_dispatch_task": task["kind"] == kinds.TIL_EKSPEDERING,
            "last_step": view.is_last_step,
            "earlier": chain_people,
            "people": await choices.people_by_unit(),
            "errors": errors or {},
            "form": form or {"utfall": "", "kommentar": "", "til": ""},
            "can_upload_version": open_task and task["kind"] == kinds.TIL_GODKJENNING,
            "approver_upload": open_task and task["kind"] == kinds.TIL_GODKJENNING,
            "can_add_document": False,
            "upload_errors": {},
            "new_title": "",
            "sender_name": (await people.person_names([task["sender"]])).get(task["sender"], "")
            if task["sender"]
            else "",
        }
    )
    return context


async def templates_context(
    request: AnyRequest, *, errors: dict[str, str] | None = None, form: Any = None
) -> dict[str, Any]:
    user = current_user(request)
    own = chains.own_template_unit(user)
    unit_ids = list(user.led_unit_ids) or ([own] if own else [])
    names = await people.person_names(
        sorted({pid for t in await chains.templates_for(unit_ids) for pid in t.chain.approver_ids})
    )
    return {
        "templates": await chains.templates_for(unit_ids),
        "names": names,
        "unit_ids": unit_ids,
        "may_edit": bool(user.led_unit_ids) or user.is_archive,
        "steps": forms.chain_fields(form or chains.Chain(())),
        "people": await choices.people_by_unit(),
        "errors": errors or {},
        "navn": "",
    }
