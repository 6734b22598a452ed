"""Demo data: forms *Registrering av IKT-tilgang/-avgang* in every state, made through the real
services (tasks, receipts and the hendelseslogg are what users would have made).

In the first unit (by code) with a leader and at least two handlers:

1. *ny tilsetting* as a draft;
2. *ny tilsetting* waiting at Lønningskontoret;
3. *endring* (new tasks) waiting at IKT;
4. *avgang* of a handler waiting at Fellestjenesten/Arkiv;
5. *permisjon* of a handler returned by Lønningskontoret with a question;
6. *ny tilsetting* completed: the new person exists in the unit with tilgangskode P.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from core.archive.queries.people import people_with_role
from core.auth.user import User, load_user
from core.contributions import DemoContext
from core.tasks.queries import open_tasks_about
from core.timeutil import today
from plugins.onboarding import forms
from plugins.onboarding.services import form, form_kinds, form_route
from plugins.onboarding.services.form_route import StepInput

log = logging.getLogger(__name__)


async def _user(person_id: int) -> User | None:
    return await load_user(person_id)


async def _step(
    ctx: DemoContext, form_id: int, actor: User, data: StepInput | None = None, question: str = ""
) -> None:
    task = (await open_tasks_about(form_kinds.OBJECT, form_id))[0]
    if question:
        await form_route.return_form(
            ctx.settings, actor, int(task["id"]), version=int(task["version"]), question=question
        )
    else:
        await form_route.complete_step(
            ctx.settings,
            actor,
            int(task["id"]),
            version=int(task["version"]),
            data=data or StepInput(),
            pm=ctx.pm,
        )


async def populate(ctx: DemoContext) -> None:
    unit_code = next(
        (code for code in sorted(ctx.leaders) if len(ctx.handlers.get(code, [])) >= 2 and code in ctx.units),
        None,
    )
    lonn = await people_with_role("lonn")
    ikt = await people_with_role("ikt")
    if unit_code is None or not lonn or not ikt or not ctx.archive_staff:
        log.info(
            "onboarding: no unit with a leader and two handlers, or no lønn/IKT/arkiv people; no demo forms"
        )
        return
    leader = await _user(ctx.leaders[unit_code])
    lonn_user = await _user(int(lonn[0]["id"]))
    ikt_user = await _user(int(ikt[0]["id"]))
    archivist = await _user(ctx.archive_staff[0])
    if leader is None or lonn_user is None or ikt_user is None or archivist is None:
        return
    unit = str(ctx.units[unit_code])
    first, second = ctx.handlers[unit_code][:2]
    start = str(today() + timedelta(days=21))

    def hire(name: str, email: str) -> forms.Entered:
        return forms.Entered(
            kind=forms.NY,
            unit=unit,
            person_name=name,
            email=email,
            job_title="Rådgiver",
            archive_role="saksbehandler",
            access_codes="P",
            starts=start,
        )

    await form.save(ctx.settings, leader, hire("Nora Nyberg", ""))
    await form.save(ctx.settings, leader, hire("Jonas Johansen", "jonas.johansen@demo.kommune.no"), send=True)
    change = forms.Entered(
        kind=forms.ENDRING,
        unit=unit,
        person=str(first),
        change_text="Overtar oppgavene med byggesak i tillegg.",
        access_codes="P",
        starts=start,
    )
    changed = await form.save(ctx.settings, leader, change, send=True)
    await _step(ctx, changed, lonn_user, StepInput(employee_number="10417"))
    leaving = forms.Entered(
        kind=forms.AVGANG, unit=unit, person=str(second), ends=str(today() + timedelta(days=30))
    )
    left = await form.save(ctx.settings, leader, leaving, send=True)
    await _step(ctx, left, lonn_user, StepInput(employee_number="10233"))
    await _step(ctx, left, ikt_user, StepInput(comment="Brukeren stenges etter siste arbeidsdag."))
    leave = forms.Entered(
        kind=forms.PERMISJON,
        unit=unit,
        person=str(first),
        starts=str(today() + timedelta(days=40)),
        ends=str(today() + timedelta(days=100)),
    )
    returned = await form.save(ctx.settings, leader, leave, send=True)
    await _step(ctx, returned, lonn_user, question="Er permisjonen med eller uten lønn?")
    done = await form.save(ctx.settings, leader, hire("Marte Moe", "marte.moe@demo.kommune.no"), send=True)
    await _step(ctx, done, lonn_user, StepInput(employee_number="10588"))
    await _step(ctx, done, ikt_user, StepInput(user_name="MMOE"))
    await _step(ctx, done, archivist)
