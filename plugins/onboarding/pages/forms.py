"""What the form's pages show: the list ``/onboarding``, the form being filled in, the form
followed like a parcel (its steps, who took each, when, what was said), and a step's task page."""

from __future__ import annotations

from typing import Any

import pluggy

from core import roles
from core.archive.queries import choices
from core.archive.queries.people import person_names, unit_people
from core.archive.queries.units import units_by_id
from core.auth.user import User
from core.errors import Forbidden, NotFound
from core.i18n import _
from core.tasks.queries import tasks_about
from core.tasks.tables import ACTIVE
from core.timeutil import today
from plugins.onboarding import forms
from plugins.onboarding.services import checklist, form_apply, form_kinds
from plugins.onboarding.services.form import EDITABLE, load, may_see
from plugins.onboarding.services.form_route import step_task
from plugins.onboarding.tables.forms import OnboardingForm

Row = dict[str, Any]


def is_route_member(user: User) -> bool:
    return any(user.has_role(role) for role in form_kinds.STEP_ROLE.values())


def state_label(state: str) -> str:
    label = form_kinds.STEP_LABELS.get(state, state)
    return _(label)


def kind_label(kind: str) -> str:
    label = forms.KIND_LABELS.get(kind, kind)
    return _(label)


def _followed_by(user: User) -> Any:
    """The forms ``user`` follows (``None``: every form, for the roles on the route)."""
    if is_route_member(user):
        return None
    where: Any = OnboardingForm.leader == user.person_id
    if user.led_unit_ids:
        where = where | OnboardingForm.unit.is_in(user.led_unit_ids)
    return where


UNDER_WAY = ("lonn", "ikt", "arkiv", "retur")
LEAVING = ("utkast", *UNDER_WAY)
"""States of an *avgang* whose person is still leaving: the checklist matters until it is done."""
CARD_LEAVERS = 3
"""Leavers named on the leader's card (each with a link to the checklist)."""


def _led_by(user: User) -> Any:
    """The forms of the leader's card: those the user filled in, and those of the units the user
    leads or deputises for today."""
    where: Any = OnboardingForm.leader == user.person_id
    if user.led_unit_ids:
        where = where | OnboardingForm.unit.is_in(user.led_unit_ids)
    return where


def may_see_checklist(user: User, row: Row) -> bool:
    """Whether the list and the card show the checklist of the person of ``row`` to ``user``:
    Fellestjenesten/Arkiv, and the acting leader of the form's unit (the page itself asks
    :func:`core.archive.transfer.require_authority`)."""
    return user.is_archive or user.authority_for(int(row["unit"])) is not None


def leaving(row: Row) -> bool:
    """An *avgang* not yet completed, for a person in the organisation."""
    return row["kind"] == forms.AVGANG and row["state"] in LEAVING and row["person"] is not None


async def card_context(user: User, pm: pluggy.PluginManager, role: str | None = None) -> dict[str, Any]:
    """The front-page card: the forms the user follows that are under way, those returned to
    them, and their drafts (one read over the indexed state; forms are few). In the leader's
    section (``role`` ``leder``) the forms of the units led today and the user's own, and the
    people leaving those units whose checklist has open lines (:func:`checklist.open_counts`),
    as the list marks them."""
    query = OnboardingForm.select(
        OnboardingForm.state,
        OnboardingForm.leader,
        OnboardingForm.kind,
        OnboardingForm.unit,
        OnboardingForm.person,
    ).where(OnboardingForm.state.is_in([*UNDER_WAY, "utkast"]))
    as_leader = role == roles.LEADER and user.is_leader
    followed = _led_by(user) if as_leader else _followed_by(user)
    if followed is not None:
        query = query.where(followed)
    rows = await query
    leavers: list[dict[str, Any]] = []
    if as_leader:
        people = {int(r["person"]) for r in rows if leaving(r) and user.authority_for(int(r["unit"]))}
        open_lines = await checklist.open_counts(pm, people)
        names = await person_names(list(open_lines))
        leavers = sorted(
            ({"id": p, "name": names.get(p, ""), "open": n} for p, n in open_lines.items()),
            key=lambda leaver: (leaver["name"], leaver["id"]),
        )
    return {
        "under_way": sum(1 for r in rows if r["state"] in UNDER_WAY),
        "returned": sum(1 for r in rows if r["state"] == "retur" and r["leader"] == user.person_id),
        "drafts": sum(1 for r in rows if r["state"] == "utkast" and r["leader"] == user.person_id),
        "as_leader": as_leader,
        "leavers": leavers[:CARD_LEAVERS],
        "leaver_count": len(leavers),
    }


async def list_context(user: User, pm: pluggy.PluginManager) -> dict[str, Any]:
    """The forms the user follows: their own and their units' (a leader), every form (the
    roles on the route); newest first. An *avgang* under way carries the number of open lines
    of its person's checklist (``open_lines``) for those who may see that checklist."""
    query = OnboardingForm.select().order_by(OnboardingForm.updated, ascending=False)
    followed = _followed_by(user)
    if followed is not None:
        query = query.where(followed)
    rows: list[Row] = await query.limit(200)
    units = await units_by_id([int(r["unit"]) for r in rows])
    names = await person_names([int(r["leader"]) for r in rows])
    shown = {int(r["id"]): int(r["person"]) for r in rows if leaving(r) and may_see_checklist(user, r)}
    open_lines = await checklist.open_counts(pm, shown.values())
    for row in rows:
        row["unit_name"] = units.get(int(row["unit"]), {}).get("name", "")
        row["leader_name"] = names.get(int(row["leader"]), "")
        row["open_lines"] = open_lines.get(shown.get(int(row["id"]), 0), 0)
    return {
        "forms": rows,
        "may_fill_in": user.is_leader,
        "kind_labels": forms.KIND_LABELS,
        "state_label": state_label,
        "kind_label": kind_label,
    }


async def edit_context(
    user: User,
    entered: forms.Entered,
    *,
    form: Row | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The form being filled in: the leader's units and their people, every unit (for a
    change of unit), what was typed and the errors."""
    if not user.is_leader:
        raise Forbidden(_("Bare ledere (eller stedfortredere i fraværet) fyller ut skjemaet."))
    units = await units_by_id(user.led_unit_ids)
    people = [
        {"unit": units[uid], "people": await unit_people(uid)}
        for uid in sorted(units, key=lambda u: units[u]["code"])
    ]
    return {
        "entered": entered,
        "skjema": form,
        "errors": errors or {},
        "units": [units[u] for u in sorted(units, key=lambda u: units[u]["code"])],
        "people": people,
        "all_units": await choices.units(),
        "kind_labels": forms.KIND_LABELS,
        "archive_roles": forms.ARCHIVE_ROLES,
        "state_label": state_label,
    }


def _step_of(task: Row) -> str:
    return form_kinds.KIND_STEP.get(task["kind"], "retur")


async def form_context(user: User, form_id: int) -> dict[str, Any]:
    """One form and its route: each task about it, oldest first."""
    form = await load(form_id)
    if not may_see(user, form):
        raise NotFound(_("Fant ikke skjemaet."))
    history = await tasks_about(form_kinds.OBJECT, form_id, (*form_kinds.ALL, form_kinds.STEDFORTREDER))
    for task in history:
        if task["kind"] == form_kinds.RETUR:
            task["step_label"] = _("Spørsmål til leder")
        elif task["kind"] == form_kinds.STEDFORTREDER:
            task["step_label"] = _("Stedfortreder i permisjonen")
        else:
            task["step_label"] = state_label(_step_of(task))
        task["overdue"] = task["state"] in ACTIVE and task["due"] is not None and task["due"] < today()
    units = await units_by_id([u for u in (form["unit"], form["new_unit"]) if u])
    return {
        "skjema": form,
        "history": history,
        "unit": units.get(int(form["unit"])),
        "new_unit": units.get(int(form["new_unit"])) if form["new_unit"] else None,
        "leader_name": (await person_names([int(form["leader"])])).get(int(form["leader"]), ""),
        "may_edit": form["state"] in EDITABLE and user.authority_for(int(form["unit"])) is not None,
        "state_label": state_label,
        "kind_label": kind_label,
        "archive_roles": forms.ARCHIVE_ROLES,
    }


async def task_context(
    user: User, task_id: int, *, errors: dict[str, str] | None = None, entered: dict[str, str] | None = None
) -> dict[str, Any]:
    """A step's task page: the form, and what the step's handler may do."""
    task, form = await step_task(task_id)
    step = form_kinds.KIND_STEP.get(task["kind"])
    role = form_kinds.STEP_ROLE.get(step or "")
    if not (user.has_role(role) if role else task["receiver_person"] == user.person_id) and not may_see(
        user, form
    ):
        raise NotFound(_("Fant ikke oppgaven."))
    context = await form_context(user, int(form["id"])) if may_see(user, form) else {}
    waiting = task["state"] in ACTIVE
    return {
        **context,
        "skjema": form,
        "task": task,
        "step": step,
        "waiting": waiting,
        "may_take": waiting and role is not None and user.has_role(role) and task["state"] == "open",
        "may_act": waiting
        and role is not None
        and user.has_role(role)
        and (task["state"] == "open" or task["taken_by"] == user.person_id),
        "is_return": task["kind"] == form_kinds.RETUR,
        "preview": form_apply.preview(form) if step == "arkiv" else [],
        "errors": errors or {},
        "entered": entered or {},
        "state_label": state_label,
        "kind_label": kind_label,
        "archive_roles": forms.ARCHIVE_ROLES,
    }
