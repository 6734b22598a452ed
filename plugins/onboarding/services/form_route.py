"""The roles' side of the route: a member takes the step's task (core's ``take_task``) and
completes it with the step's own fields, or returns the form to the leader with a question.

Lønningskontoret confirms the employee number, IKT gives the user name created (or closed),
Fellestjenesten/Arkiv applies the access (:mod:`.form_apply`). Completing the last step makes
the form ``fullfort``. Of two members acting at once exactly one wins (core's task locking).

An *avgang* is not completed while the leaver's checklist (:mod:`.checklist`) has open lines,
unless the leader or Fellestjenesten/Arkiv has recorded why it may be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pluggy

from core.auth.user import User
from core.db import writing
from core.errors import Conflict, ValidationFailed
from core.i18n import _
from core.settings import Settings
from core.tasks import services as tasks
from core.tasks.queries import get_task
from core.timeutil import now
from plugins.onboarding import forms
from plugins.onboarding.services import checklist, form_apply, form_kinds, form_mail
from plugins.onboarding.services.form import create_step_task, load, title
from plugins.onboarding.tables.forms import OnboardingForm

Row = dict[str, Any]


@dataclass(frozen=True)
class StepInput:
    """What the step's handler typed."""

    employee_number: str = ""
    user_name: str = ""
    email: str = ""
    """IKT gives the new person's e-mail when the leader did not know it."""
    comment: str = ""


async def step_task(task_id: int) -> tuple[Row, Row]:
    """The task and its form (NotFound when the task is not the form route's)."""
    from core.errors import NotFound

    task = await get_task(task_id)
    if task is None or task["kind"] not in form_kinds.ALL:
        raise NotFound(_("Fant ikke oppgaven."))
    return task, await load(int(task["object_id"]))


def _check_step(step: str, form: Row, data: StepInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if step == "lonn" and not data.employee_number.isdigit():
        errors["employee_number"] = _("Skriv ansattnummeret (bare sifre).")
    if step == "ikt" and form["kind"] == forms.NY and not data.user_name.strip():
        errors["user_name"] = _("Skriv brukernavnet som er opprettet.")
    if step == "ikt" and form["kind"] == forms.NY and not form["email"]:
        if not data.email.strip():
            errors["email"] = _("Skriv e-postadressen som er opprettet.")
        elif not forms.is_email(data.email.strip()):
            errors["email"] = _("Skriv e-postadressen som navn@domene.no, eller la feltet stå tomt.")
    return errors


class ChecklistOpen(Conflict):
    """The avgang cannot be completed: the leaver's checklist has open lines and no reason."""


async def _require_checklist_done(pm: pluggy.PluginManager, form: Row) -> None:
    if form["kind"] != forms.AVGANG or form["person"] is None:
        return
    if not await checklist.may_complete(pm, int(form["person"])):
        raise ChecklistOpen(
            _(
                "Avgangen kan ikke fullføres: sjekklisten for %(name)s har åpne punkter. Flytt "
                "dem til en etterfølger, eller be lederen skrive hvorfor avgangen kan fullføres likevel."
            )
            % {"name": form["person_name"]}
        )


async def complete_step(
    settings: Settings,
    user: User,
    task_id: int,
    *,
    version: int,
    data: StepInput,
    pm: pluggy.PluginManager,
) -> str:
    """Complete the step; returns the form's new state.

    ``pm`` gives the leaver's checklist (every plugin's lines) for the last step of an avgang."""
    task, form = await step_task(task_id)
    step = form_kinds.KIND_STEP.get(task["kind"])
    if step is None:
        raise Conflict(_("Denne oppgaven er ikke et steg i behandlingen."))
    errors = _check_step(step, form, data)
    if errors:
        raise ValidationFailed(errors)
    if step == form_kinds.STEPS[-1] and task["receiver_role"] and user.has_role(task["receiver_role"]):
        # Only to those who may act on the step; core refuses anyone else below.
        await _require_checklist_done(pm, form)
    async with writing(OnboardingForm):
        form = await load(int(form["id"]), lock=True)
        await tasks.complete_task(
            settings, user, task_id, version=version, outcome="utfort", comment=data.comment
        )
        values: dict[Any, Any] = {OnboardingForm.updated: now(), OnboardingForm.version: form["version"] + 1}
        if step == "lonn":
            values[OnboardingForm.employee_number] = data.employee_number
        elif step == "ikt":
            if data.user_name.strip():
                values[OnboardingForm.user_name] = data.user_name.strip().lower()
            if data.email.strip() and not form["email"]:
                values[OnboardingForm.email] = data.email.strip().lower()
        position = form_kinds.STEPS.index(step)
        following = form_kinds.STEPS[position + 1] if position + 1 < len(form_kinds.STEPS) else None
        values[OnboardingForm.state] = following or "fullfort"
        values[OnboardingForm.returned_from] = ""
        await OnboardingForm.update(values).where(OnboardingForm.id == form["id"])
        form = await load(int(form["id"]))
        if following is None:
            person_id = await form_apply.apply(settings, user, form)
            if person_id is not None and form["person"] is None:
                await OnboardingForm.update({OnboardingForm.person: person_id}).where(
                    OnboardingForm.id == form["id"]
                )
        else:
            await create_step_task(settings, form, following, sender_id=user.person_id)
        await form_mail.receipt(settings, form)
    return str(form["state"])


async def return_form(settings: Settings, user: User, task_id: int, *, version: int, question: str) -> None:
    """Return the form to its leader with a question; sending it again continues at this step."""
    question = question.strip()
    if not question:
        raise ValidationFailed({"question": _("Skriv spørsmålet til lederen.")})
    task, form = await step_task(task_id)
    step = form_kinds.KIND_STEP.get(task["kind"])
    if step is None:
        raise Conflict(_("Denne oppgaven er ikke et steg i behandlingen."))
    async with writing(OnboardingForm):
        form = await load(int(form["id"]), lock=True)
        await tasks.complete_task(
            settings, user, task_id, version=version, outcome="returnert", comment=question
        )
        await OnboardingForm.update(
            {
                OnboardingForm.state: "retur",
                OnboardingForm.returned_from: step,
                OnboardingForm.updated: now(),
                OnboardingForm.version: form["version"] + 1,
            }
        ).where(OnboardingForm.id == form["id"])
        await tasks.create_task(
            settings,
            kind=form_kinds.RETUR,
            receiver_person_id=int(form["leader"]),
            sender_id=user.person_id,
            object_type=form_kinds.OBJECT,
            object_id=form["id"],
            title=title(form),
            message=question,
            parent_id=task_id,
        )
        await form_mail.receipt(settings, await load(int(form["id"])))
