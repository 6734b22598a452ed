"""Training follow-up (*opplæring og veiledning*, :mod:`plugins.onboarding.tables.training`).

- :func:`register`: Fellestjenesten/Arkiv registers a need for a handler, which becomes a core
  task for the handler's leader (their deputy acts on the leader's behalf during a registered
  absence); a leader (or deputy) of the handler's unit registers one, which becomes a task for
  role ``arkiv``.
- :func:`agree`: the task's receiver agrees a date.
- :func:`close`: the receiver closes it with what was done; the core task is completed.

Every step is audited (``onboarding.training_*``) and checks the row's ``version``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from core import audit
from core.archive.queries.people import people_by_id
from core.auth.user import User
from core.contributions import TaskKind
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.i18n import N_, _
from core.organisation import leader_of
from core.roles import ARKIV
from core.settings import Settings
from core.tasks import permissions as task_permissions
from core.tasks import queries as task_queries
from core.tasks.services import complete_task, create_task
from core.timeutil import now, today
from plugins.onboarding.tables.training import AGREED, DONE, REGISTERED, TrainingFollowUp

TASK_KIND = "onboarding.training"
OBJECT = "onboarding_opplaering"
SIGNALS = ("old_restanser", "bulk_write_off", "old_unsent", "")
OUTCOME = "gjennomført"


def task_kinds() -> list[TaskKind]:
    return [TaskKind(TASK_KIND, N_("Opplæring og veiledning"), url="/onboarding/opplaering/oppgave/{id}")]


def audit_labels() -> dict[str, str]:
    return {
        "onboarding.training_registered": N_("Behov for opplæring registrert"),
        "onboarding.training_agreed": N_("Tidspunkt for opplæring avtalt"),
        "onboarding.training_done": N_("Opplæring gjennomført"),
    }


async def may_register(user: User, handler_id: int) -> bool:
    if user.is_archive:
        return True
    handler = (await people_by_id([handler_id])).get(handler_id)
    return bool(handler and handler["unit"] and user.authority_for(handler["unit"]))


async def register(settings: Settings, user: User, handler_id: int, observed: str, signal: str = "") -> int:
    """Register a need for training or guidance; returns the follow-up's id."""
    handler = (await people_by_id([handler_id])).get(handler_id)
    if handler is None or not handler["active"]:
        raise NotFound(_("Fant ingen aktiv saksbehandler med dette nummeret."))
    unit_id = handler["unit"]
    observed = observed.strip()
    if not observed:
        raise ValidationFailed({"observert": _("Skriv hva du har sett.")})
    receiver_person: int | None = None
    receiver_role: str | None = None
    if user.is_archive:
        receiver_person = await leader_of(unit_id) if unit_id else None
        if receiver_person is None:
            raise ValidationFailed(
                {"observert": _("Saksbehandleren har ingen leder å sende oppfølgingen til.")}
            )
    elif unit_id and user.authority_for(unit_id):
        receiver_role = ARKIV
    else:
        raise Forbidden(_("Bare Fellestjenesten/Arkiv og lederen kan registrere behov for opplæring."))
    async with writing(TrainingFollowUp):
        rows = await TrainingFollowUp.insert(
            TrainingFollowUp(
                handler=handler_id,
                unit=unit_id,
                signal=signal if signal in SIGNALS else "",
                observed=observed,
                registered_by=user.person_id,
                registered_at=now(),
            )
        )
        follow_up = int(rows[0]["id"])
        task = await create_task(
            settings,
            kind=TASK_KIND,
            receiver_person_id=receiver_person,
            receiver_role=receiver_role,
            sender_id=user.person_id,
            object_type=OBJECT,
            object_id=follow_up,
            title=_("Opplæring og veiledning: %(name)s") % {"name": handler["name"]},
            message=observed,
        )
        await TrainingFollowUp.update({TrainingFollowUp.task: task}).where(TrainingFollowUp.id == follow_up)
        await audit.record(
            actor_id=user.person_id,
            action="onboarding.training_registered",
            object_type=OBJECT,
            object_id=follow_up,
            summary=handler["name"],
            details={"saksbehandler": handler_id, "signal": signal, "oppgave": task},
        )
    return follow_up


async def get(follow_up_id: int) -> dict[str, Any]:
    row = await TrainingFollowUp.select().where(TrainingFollowUp.id == follow_up_id).first()
    if row is None:
        raise NotFound(_("Fant ingen oppfølging med dette nummeret."))
    return row


async def _task(row: dict[str, Any]) -> Any:
    task = await task_queries.get_task(int(row["task"])) if row["task"] else None
    if task is None:
        raise NotFound(_("Fant ingen oppfølging med dette nummeret."))
    return task


async def acting_receiver(user: User, row: dict[str, Any]) -> int | None:
    """Whether ``user`` may agree and close: the task's receiver (or their deputy in a registered
    absence: returns the receiver acted for). Raises Forbidden otherwise."""
    return task_permissions.may_act(user, await _task(row))


def _require(row: dict[str, Any], state: str, version: int) -> None:
    if row["version"] != version or row["state"] != state:
        raise Conflict(_("Oppfølgingen er endret av noen andre. Se over og prøv igjen."))


async def agree(settings: Settings, user: User, follow_up_id: int, day: date | None, *, version: int) -> None:
    """The receiver agrees a date (today or later)."""
    del settings
    async with writing(TrainingFollowUp):
        row = await get(follow_up_id)
        on_behalf_of = await acting_receiver(user, row)
        _require(row, REGISTERED, version)
        if day is None or day < today():
            raise ValidationFailed({"dato": _("Velg en dato fra i dag og framover.")})
        await TrainingFollowUp.update(
            {
                TrainingFollowUp.state: AGREED,
                TrainingFollowUp.agreed_date: day,
                TrainingFollowUp.agreed_by: user.person_id,
                TrainingFollowUp.version: version + 1,
            }
        ).where(TrainingFollowUp.id == follow_up_id)
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=on_behalf_of,
            action="onboarding.training_agreed",
            object_type=OBJECT,
            object_id=follow_up_id,
            details={"dato": day.isoformat()},
        )


async def close(settings: Settings, user: User, follow_up_id: int, done_text: str, *, version: int) -> None:
    """The receiver closes the follow-up with what was done; the core task is completed."""
    async with writing(TrainingFollowUp):
        row = await get(follow_up_id)
        on_behalf_of = await acting_receiver(user, row)
        _require(row, AGREED, version)
        done_text = done_text.strip()
        if not done_text:
            raise ValidationFailed({"gjennomfort": _("Skriv hva som ble gjort.")})
        await TrainingFollowUp.update(
            {
                TrainingFollowUp.state: DONE,
                TrainingFollowUp.done_text: done_text,
                TrainingFollowUp.done_by: user.person_id,
                TrainingFollowUp.done_at: now(),
                TrainingFollowUp.version: version + 1,
            }
        ).where(TrainingFollowUp.id == follow_up_id)
        task = await _task(row)
        await complete_task(
            settings, user, int(task["id"]), version=int(task["version"]), outcome=OUTCOME, comment=done_text
        )
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=on_behalf_of,
            action="onboarding.training_done",
            object_type=OBJECT,
            object_id=follow_up_id,
            summary=done_text,
        )
