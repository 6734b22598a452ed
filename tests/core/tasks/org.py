"""A small organisation for the task tests, and a shortcut to create a task.

``RAD`` (Rita Rådmann leads it) above ``LMA`` (Lise Leder leads it; Stian Stedfortreder is her
deputy today, Gunn Gammel was last month); Hans Handler and Kari Nordmann work in LMA; Anne and
Arne Arkiv are Fellestjenesten/Arkiv, Lena and Lars Lønn the payroll office (role ``lonn``);
Ute Utenfor has nothing to do with any of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from core import roles
from core.settings import Settings
from core.tables import Unit
from core.tasks.services import create_task
from core.timeutil import today
from tests.support.factories import as_user, make_deputy, make_leader, make_person, make_unit


@dataclass
class Org:
    rad: int
    lma: int
    chief: int
    leader: int
    deputy: int
    old_deputy: int
    handler: int
    kari: int
    archivist: int
    archivist2: int
    payroll: int
    payroll2: int
    outsider: int

    async def user(self, person_id: int) -> Any:
        return await as_user(person_id)


async def make_org() -> Org:
    rad = await make_unit(code="RAD", name="Rådmannen")
    lma = await make_unit(code="LMA", name="Landbruk og miljø")
    await Unit.update({Unit.parent: rad}).where(Unit.id == lma)
    chief = await make_person(name="Rita Rådmann", unit=rad)
    leader = await make_person(name="Lise Leder", unit=lma)
    deputy = await make_person(name="Stian Stedfortreder", unit=lma)
    old_deputy = await make_person(name="Gunn Gammel", unit=lma)
    handler = await make_person(name="Hans Handler", unit=lma)
    kari = await make_person(name="Kari Nordmann", unit=lma)
    archivist = await make_person(name="Anne Arkiv", unit=rad, roles=(roles.ARKIV,))
    archivist2 = await make_person(name="Arne Arkiv", unit=rad, roles=(roles.ARKIV,))
    payroll = await make_person(name="Lena Lønn", unit=rad, roles=(roles.LONN,))
    payroll2 = await make_person(name="Lars Lønn", unit=rad, roles=(roles.LONN,))
    outsider = await make_person(name="Ute Utenfor")
    await make_leader(rad, chief)
    await make_leader(lma, leader)
    day = today()
    await make_deputy(lma, leader, deputy, day - timedelta(days=1), day + timedelta(days=3))
    await make_deputy(lma, leader, old_deputy, day - timedelta(days=40), day - timedelta(days=30))
    return Org(
        rad,
        lma,
        chief,
        leader,
        deputy,
        old_deputy,
        handler,
        kari,
        archivist,
        archivist2,
        payroll,
        payroll2,
        outsider,
    )


async def task_to(
    settings: Settings,
    *,
    person: int | None = None,
    role: str | None = None,
    sender: int | None = None,
    kind: str = "core.oppgave",
    title: str = "Se over vedtaket",
    object_id: str | int = 1,
    due: date | None = None,
    parent: int | None = None,
    message: str = "",
) -> int:
    """A task (core's plain kind by default) about journalpost ``object_id``."""
    return await create_task(
        settings,
        kind=kind,
        receiver_person_id=person,
        receiver_role=role,
        sender_id=sender,
        object_type="journalpost",
        object_id=object_id,
        title=title,
        message=message,
        due=due,
        parent_id=parent,
    )
