"""Avgang: after the last working day the job ``onboarding.deactivate`` deactivates the leaver,
removes roles and tilgangskoder and ends their sessions; dev login and OIDC then refuse them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.archive.access import access_codes
from core.auth.identity import person_for_claims
from core.auth.oidc import Claims, SignInError
from core.contributions import Job
from core.jobs import JobContext
from core.runtime import build_runtime
from core.tables import AuditEvent, Person, PersonRole, SessionData
from core.tasks.tables import Task
from core.timeutil import now, today
from plugins.onboarding import forms, jobs
from plugins.onboarding.services import checklist, form, form_kinds, form_route
from plugins.onboarding.services.form_route import StepInput
from tests.core.archive.service_org import make_org
from tests.support.factories import as_user, csrf, grant_code, login, make_leader, make_person, make_unit

pytestmark = pytest.mark.anyio


@pytest.fixture
async def org(db: None) -> Any:
    org = await make_org()
    org.lonn = await make_person(name="Lone Lønn", roles=("lonn",))
    org.ikt = await make_person(name="Ivar IKT", roles=("ikt",))
    org.leaver = await make_person(
        name="Siri Slutter", unit=org.lma, roles=("arkiv",), email="siri@kommune.example"
    )
    await grant_code(org.leaver, "P")
    return org


async def through_route(settings: Any, org: Any, form_id: int) -> None:
    for step, person, data in (
        ("lonn", org.lonn, StepInput(employee_number="99")),
        ("ikt", org.ikt, StepInput(comment="Brukeren stenges")),
        ("arkiv", org.archivist, StepInput()),
    ):
        task = (
            await Task.select()
            .where(
                (Task.object_id == str(form_id))
                & (Task.kind == form_kinds.STEP_KIND[step])
                & (Task.state == "open")
            )
            .first()
        )
        await form_route.complete_step(
            settings,
            await as_user(person),
            int(task["id"]),
            version=int(task["version"]),
            data=data,
            pm=build_runtime(settings).pm,
        )


async def run_job(settings: Any) -> str:
    job = Job(jobs.DEACTIVATE_JOB, jobs.DEACTIVATE_SCHEDULE, jobs.deactivate_leavers)
    return await jobs.deactivate_leavers(JobContext(build_runtime(settings), job, now()))


async def test_the_leaver_is_deactivated_after_the_last_day_and_cannot_sign_in(settings, org, client) -> None:
    leaving = forms.Entered(kind="avgang", unit=str(org.lma), person=str(org.leaver), ends=str(today()))
    form_id = await form.save(settings, await as_user(org.leader), leaving, send=True)
    # The test plugin's checklist line is open for every third person id (ids differ between the
    # databases); the checklist's own rule is tested in test_form_checklist_block.py.
    await checklist.record_override(
        build_runtime(settings).pm, await as_user(org.leader), org.leaver, "Alt er avtalt med lederen."
    )
    await through_route(settings, org, form_id)
    await login(client, org.leaver)
    assert await SessionData.count() >= 1
    # Not before the last working day has passed.
    assert "deaktiverte 0" in await run_job(settings)
    assert (await Person.select(Person.active).where(Person.id == org.leaver).first())["active"]
    await form.OnboardingForm.update({form.OnboardingForm.ends: today() - timedelta(days=1)}).where(
        form.OnboardingForm.id == form_id
    )
    assert "deaktiverte 1" in await run_job(settings)
    assert "deaktiverte 0" in await run_job(settings)  # safe to run twice
    person = await Person.select(Person.active).where(Person.id == org.leaver).first()
    assert person["active"] is False
    assert not await PersonRole.exists().where(PersonRole.person == org.leaver)
    assert await access_codes(org.leaver) == frozenset()
    assert await AuditEvent.exists().where(
        (AuditEvent.action == "org.person_deactivated") & (AuditEvent.actor == org.archivist)
    )
    # The old session is gone, and signing in again is refused.
    assert (await client.get("/onboarding")).status_code in (302, 303, 401)
    page = await client.get("/dev-logg-inn")
    assert page.status_code == 200
    refused = await client.post(
        "/dev-logg-inn", data={"person_id": str(org.leaver), "neste": "/"}, headers=csrf(client)
    )
    assert refused.status_code == 303 and refused.headers["location"] == "/dev-logg-inn"
    with pytest.raises(SignInError):
        await person_for_claims(settings, Claims("oid-1", "tid-1", "siri@kommune.example", "Siri", ()))


async def test_a_leaver_who_leads_a_unit_is_not_deactivated(settings, org) -> None:
    leaving = forms.Entered(kind="avgang", unit=str(org.lma), person=str(org.leader), ends=str(today()))
    form_id = await form.save(settings, await as_user(org.leader), leaving, send=True)
    # The leader still leads the unit (an open checklist line); Fellestjenesten/Arkiv records why
    # the avgang may be completed anyway.
    await checklist.record_override(
        build_runtime(settings).pm,
        await as_user(org.archivist),
        org.leader,
        "Ny leder er ikke tilsatt ennå; enheten er varslet.",
    )
    await through_route(settings, org, form_id)
    await form.OnboardingForm.update({form.OnboardingForm.ends: today() - timedelta(days=1)}).where(
        form.OnboardingForm.id == form_id
    )
    summary = await run_job(settings)
    assert "ikke deaktivert" in summary and str(org.leader) in summary
    assert (await Person.select(Person.active).where(Person.id == org.leader).first())["active"]


async def test_a_leave_pauses_sign_in_and_asks_for_a_deputy_when_the_person_leads(
    settings, org, client
) -> None:
    sub = await make_unit(code="LMA-B", name="Byggesak", parent=org.lma)
    await make_leader(sub, org.leaver)
    leave = forms.Entered(
        kind="permisjon",
        unit=str(org.lma),
        person=str(org.leaver),
        starts=str(today()),
        ends=str(today() + timedelta(days=30)),
    )
    form_id = await form.save(settings, await as_user(org.leader), leave, send=True)
    await through_route(settings, org, form_id)
    person = (
        await Person.select(Person.pause_starts, Person.pause_ends, Person.active)
        .where(Person.id == org.leaver)
        .first()
    )
    assert (person["pause_starts"], person["pause_ends"], person["active"]) == (
        today(),
        today() + timedelta(days=30),
        True,
    )
    page = await client.get("/dev-logg-inn")
    assert page.status_code == 200
    refused = await client.post(
        "/dev-logg-inn", data={"person_id": str(org.leaver), "neste": "/"}, headers=csrf(client)
    )
    assert refused.headers["location"] == "/dev-logg-inn"
    ask = await Task.select().where(Task.kind == form_kinds.STEDFORTREDER).first()
    assert ask["receiver_role"] == "arkiv" and "Byggesak" in ask["title"] and ask["object_id"] == str(form_id)
