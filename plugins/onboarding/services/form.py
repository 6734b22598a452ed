"""The leader's side of the form: save a draft, send it (or send it again after a return).

Only the unit's acting leader (the leader, or the deputy during the absence:
``User.authority_for(unit)``) fills in a form for the unit. Sending makes the core task of the
next step (``lonn`` first; after a return, the step that returned it) with a deadline from the
form's date, and queues the leader's receipt.
"""

from __future__ import annotations

from typing import Any

from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.i18n import _
from core.settings import Settings
from core.tables import Person
from core.tasks import services as tasks
from core.tasks.queries import open_tasks_about
from core.timeutil import now
from plugins.onboarding import forms
from plugins.onboarding.services import form_kinds, form_mail, form_settings
from plugins.onboarding.tables.forms import OnboardingForm

Row = dict[str, Any]
EDITABLE = ("utkast", "retur")


async def load(form_id: int, *, lock: bool = False) -> Row:
    query = OnboardingForm.select().where(OnboardingForm.id == form_id)
    if lock and OnboardingForm._meta.db.engine_type in ("postgres", "cockroach"):
        query = query.lock_rows("NO KEY UPDATE")
    row: Row | None = await query.first()
    if row is None:
        raise NotFound(_("Fant ikke skjemaet."))
    return row


def require_leader(user: User, unit_id: int) -> None:
    if user.authority_for(unit_id) is None:
        raise Forbidden(
            _("Bare lederen for enheten (eller stedfortrederen i fraværet) kan fylle ut skjemaet.")
        )


def may_see(user: User, form: Row) -> bool:
    """The leader who filled it in, the unit's acting leader, and the roles on its route."""
    return (
        form["leader"] == user.person_id
        or user.authority_for(int(form["unit"])) is not None
        or any(user.has_role(form_kinds.STEP_ROLE[s]) for s in form_kinds.STEPS)
    )


async def _check_person(cleaned: forms.Cleaned, errors: dict[str, str]) -> str:
    """The chosen person's name; an error when they are not active in the unit."""
    if cleaned.person is None or cleaned.unit is None:
        return cleaned.person_name
    row = (
        await Person.select(Person.name, Person.unit, Person.active)
        .where(Person.id == cleaned.person)
        .first()
    )
    if row is None or not row["active"] or row["unit"] != cleaned.unit:
        errors["person"] = _("Personen er ikke aktiv i enheten du valgte.")
        return cleaned.person_name
    return str(row["name"])


def key_date(form: Row | forms.Cleaned) -> Any:
    get = form.get if isinstance(form, dict) else lambda name: getattr(form, name)
    return get("ends") if get("kind") == forms.AVGANG else get("starts")


async def save(
    settings: Settings,
    user: User,
    entered: forms.Entered,
    *,
    form_id: int | None = None,
    version: int | None = None,
    send: bool = False,
) -> int:
    """Save the form as a draft, or (``send``) check it is complete and send it on its route.
    Returns the form's id. Errors are a :class:`ValidationFailed` with a sentence per field.

    An existing form is the business of its unit's acting leader only: anyone else is refused
    before the input is checked, and learns nothing of the form (its state or version)."""
    if form_id is not None:
        require_leader(user, int((await load(form_id))["unit"]))
    cleaned, errors = forms.clean(entered, complete=send)
    if cleaned.unit is not None:
        require_leader(user, cleaned.unit)
    person_name = await _check_person(cleaned, errors)
    if errors:
        raise ValidationFailed(errors)
    assert cleaned.unit is not None
    values: dict[Any, Any] = {
        OnboardingForm.kind: cleaned.kind,
        OnboardingForm.unit: cleaned.unit,
        OnboardingForm.person: cleaned.person,
        OnboardingForm.person_name: person_name,
        OnboardingForm.email: cleaned.email,
        OnboardingForm.employee_number: cleaned.employee_number,
        OnboardingForm.job_title: cleaned.job_title,
        OnboardingForm.archive_role: cleaned.archive_role,
        OnboardingForm.access_codes: " ".join(cleaned.access_codes),
        OnboardingForm.deputy_for: cleaned.deputy_for,
        OnboardingForm.change_text: cleaned.change_text,
        OnboardingForm.new_unit: cleaned.new_unit,
        OnboardingForm.starts: cleaned.starts,
        OnboardingForm.ends: cleaned.ends,
        OnboardingForm.updated: now(),
    }
    async with writing(OnboardingForm):
        if form_id is None:
            inserted = await OnboardingForm.insert(
                OnboardingForm(leader=user.person_id, state="utkast", created=now(), version=1)
            ).returning(OnboardingForm.id)
            form_id = int(inserted[0]["id"])
            current = await load(form_id, lock=True)
        else:
            current = await load(form_id, lock=True)
            if current["state"] not in EDITABLE:
                raise Conflict(_("Skjemaet er sendt og kan ikke endres nå."))
            if version is not None and current["version"] != version:
                raise Conflict(_("Skjemaet er endret siden du åpnet det. Last siden på nytt."))
            require_leader(user, int(current["unit"]))
            if not cleaned.employee_number:  # what Lønningskontoret confirmed stays
                values[OnboardingForm.employee_number] = current["employee_number"]
        values[OnboardingForm.version] = current["version"] + 1
        if send:
            step = current["returned_from"] or form_kinds.STEPS[0]
            values[OnboardingForm.state] = step
            await OnboardingForm.update(values).where(OnboardingForm.id == form_id)
            await _close_return(settings, user, form_id)
            form = await load(form_id)
            await create_step_task(settings, form, step, sender_id=user.person_id)
            await form_mail.receipt(settings, form)
        else:
            await OnboardingForm.update(values).where(OnboardingForm.id == form_id)
    return form_id


async def _close_return(settings: Settings, user: User, form_id: int) -> None:
    """Sending again answers the question: the leader's open return task is done."""
    for task in await open_tasks_about(form_kinds.OBJECT, form_id, (form_kinds.RETUR,)):
        await tasks.complete_task(
            settings, user, int(task["id"]), version=int(task["version"]), outcome="sendt_igjen"
        )


def title(form: Row) -> str:
    name = form["person_name"] or _("(uten navn)")
    label = forms.KIND_LABELS[str(form["kind"])]
    return _("%(kind)s: %(name)s") % {"kind": _(label), "name": name}


async def create_step_task(settings: Settings, form: Row, step: str, *, sender_id: int | None) -> int:
    return await tasks.create_task(
        settings,
        kind=form_kinds.STEP_KIND[step],
        receiver_role=form_kinds.STEP_ROLE[step],
        sender_id=sender_id,
        object_type=form_kinds.OBJECT,
        object_id=form["id"],
        title=title(form),
        due=form_settings.deadline(key_date(form)),
    )
