"""Demo tasks (*oppgaver*), so *Mottatte oppgaver* and *Sendte oppgaver* have something to show.

Core's plain kind ``core.oppgave`` only (the routines add their own through their
``demo_data`` hooks): each unit's leader asks one handler to look at one of the unit's cases,
some already past their deadline; handlers ask each leader who is away today to approve a
letter (the deputy sees them *som stedfortreder*); a few tasks go to Fellestjenesten/Arkiv and
Lønningskontoret, one of them taken; some are done. Titles name the case by number only, so
no restricted title is shown. Made through :mod:`core.tasks.services`, so they are audited and
their mails wait in the outbox.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from core import roles
from core.archive.numbering import mappe_id
from core.archive.tables import Saksmappe
from core.auth.user import load_user
from core.contributions import DemoContext
from core.tables import DeputyPeriod
from core.tasks import services
from core.tasks.tables import Task
from core.timeutil import now, today

KIND = "core.oppgave"
ASKS = (
    "Se over saken før møtet",
    "Les høringsuttalelsen og gi innspill",
    "Sjekk at saken er ferdig behandlet",
    "Svar på spørsmålet fra innbyggeren",
)


async def _cases_by_unit() -> dict[int, list[dict[str, Any]]]:
    rows = await Saksmappe.select(
        Saksmappe.id, Saksmappe.saksaar, Saksmappe.sakssekvensnummer, Saksmappe.administrativ_enhet
    ).where((Saksmappe.saksstatus == "B") & Saksmappe.administrativ_enhet.is_not_null())
    cases: dict[int, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: int(r["id"])):
        cases.setdefault(int(row["administrativ_enhet"]), []).append(row)
    return cases


async def _age(task_id: int, days: int) -> None:
    await Task.update({Task.created: now() - timedelta(days=days)}).where(Task.id == task_id)


async def populate_tasks(ctx: DemoContext) -> int:
    """Create the demo tasks; returns how many."""
    rng = random.Random(f"oppgaver:{ctx.rng.random()}")
    settings, day = ctx.settings, today()
    cases = await _cases_by_unit()
    made: list[int] = []

    async def send(**kwargs: Any) -> int:
        task_id = await services.create_task(settings, kind=KIND, **kwargs)
        made.append(task_id)
        return task_id

    for code, unit_id in sorted(ctx.units.items()):
        handlers, unit_cases = ctx.handlers.get(code, []), cases.get(unit_id, [])
        if not handlers or not unit_cases:
            continue
        case = rng.choice(unit_cases)
        number = mappe_id(case["saksaar"], case["sakssekvensnummer"])
        task_id = await send(
            receiver_person_id=handlers[-1],
            sender_id=ctx.leaders[code],
            object_type="saksmappe",
            object_id=case["id"],
            title=f"{rng.choice(ASKS)} (sak {number})",
            due=day + timedelta(days=rng.randint(-5, 10)),
        )
        await _age(task_id, rng.randint(0, 9))

    away = await DeputyPeriod.select(DeputyPeriod.unit, DeputyPeriod.leader).where(
        (DeputyPeriod.starts <= day) & (DeputyPeriod.ends >= day)
    )
    units_by_id = {unit_id: code for code, unit_id in ctx.units.items()}
    for period in away:
        away_code = units_by_id.get(int(period["unit"]))
        unit_cases = cases.get(int(period["unit"]), [])
        if away_code is None or not unit_cases:
            continue
        handlers = ctx.handlers.get(away_code, [])
        case = unit_cases[0]
        await send(
            receiver_person_id=int(period["leader"]),
            sender_id=handlers[-1] if handlers else ctx.archive_staff[0],
            object_type="saksmappe",
            object_id=case["id"],
            title=f"Godkjenn svarbrevet (sak {mappe_id(case['saksaar'], case['sakssekvensnummer'])})",
            message="Svarbrevet ligger som hoveddokument på siste journalpost i saken.",
            due=day + timedelta(days=2),
        )

    first_handler = next(iter(h for hs in ctx.handlers.values() for h in hs))
    role_tasks = [
        await send(
            receiver_role=role, sender_id=asker, object_type="person", object_id=first_handler, title=title
        )
        for title, role, asker in (
            ("Kontroller journalføringen av innkommende post", roles.ARKIV, first_handler),
            ("Flytt papirmappen til fjernarkivet", roles.ARKIV, first_handler),
            ("Registrer ny ansatt i lønnssystemet", roles.LONN, None),
        )
    ]
    archivist = await load_user(ctx.archive_staff[0])
    if archivist is not None:  # one of the archive's tasks is taken already
        await services.take_task(settings, archivist, role_tasks[1], version=1)

    for task_id in made[:3]:  # three of the leaders' tasks are done already
        task = await Task.select(Task.receiver_person, Task.version).where(Task.id == task_id).first()
        user = await load_user(int(task["receiver_person"])) if task else None
        if task is not None and user is not None:
            await services.complete_task(
                settings, user, task_id, version=int(task["version"]), outcome="ferdig", comment="Gjort."
            )
    return len(made)
